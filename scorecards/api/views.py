"""The scorecard API: configuration of the foundation's scoped viewsets, one service call
per write. Vendor account teams read their own scorecard, measures, periods and scores,
record draft actuals and submit them; our people approve, send back and resolve disputes.

A second actual for the same measure and period is a 409 that names the existing actual:
change that one with PATCH instead.
"""

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from scorecards import selectors, services
from scorecards.api import filtersets
from scorecards.api import serializers as s
from scorecards.models import Actual, Dispute, Measure, Period, Scorecard
from vendorgov.api.schema import ValidationErrorSerializer
from vendors.access import Action
from vendors.api.viewsets import VendorScopedReadOnlyViewSet, VendorScopedViewSet

PERIOD_LABEL = re.compile(r"^[0-9]{4}-(Q[1-4]|0[1-9]|1[0-2])$")


class ActualExists(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


@extend_schema(tags=["scorecards"])
class ScorecardViewSet(VendorScopedReadOnlyViewSet):
    """Each vendor's balanced scorecard: perspectives and objectives (measures, periods and
    actuals are resources of their own); `scores` rolls a period up."""

    queryset = Scorecard.objects.all()
    serializer_class = s.ScorecardSerializer
    filterset_class = filtersets.ScorecardFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "vendor", "starts_on"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "scores":  # the scores load the structure their own way
            return queryset
        return queryset.prefetch_related("perspectives__objectives__measures")

    @extend_schema(
        parameters=[OpenApiParameter(
            "period", str, pattern=r"^([0-9]{4}-(Q[1-4]|0[1-9]|1[0-2]))?$",
            description="A period label such as 2026-Q3; by default (or empty) the latest "
                        "period that has ended.")],
        responses={200: s.ScoresSerializer,
                   400: OpenApiResponse(ValidationErrorSerializer,
                                        description="`period` is not a period label.")},
        summary="Scores of one period: measure → objective → perspective → vendor")
    @action(detail=True, methods=["get"])
    def scores(self, request, pk=None):
        scorecard = self.get_object()
        label = request.query_params.get("period") or None
        if label is not None and not PERIOD_LABEL.fullmatch(label):
            raise exceptions.ValidationError({"period": [
                "A period label such as 2026-Q3 (quarters) or 2026-07 (months)."]})
        if label is not None and not scorecard.periods.filter(label=label).exists():
            raise exceptions.NotFound(f"This scorecard has no period {label}; its periods "
                                      f"are listed at /api/v1/scorecard-periods/.")
        page = selectors.scorecard_page(scorecard, label, trend_length=1)
        return Response(s.ScoresSerializer(s.scores_data(page)).data)


@extend_schema(tags=["scorecard-measures"])
class MeasureViewSet(VendorScopedViewSet):
    """Measures of the vendors' scorecards, with direction, target and thresholds. Vendor
    managers add, change and retire them (`archive`); retired measures keep their actuals
    and are listed with `?archived=true`."""

    queryset = Measure.objects.select_related("objective__perspective")
    serializer_class = s.MeasureSerializer
    filterset_class = filtersets.MeasureFilterSet
    search_fields = ["name", "definition", "owner"]
    ordering_fields = ["position", "name", "weight", "vendor"]
    write_action = Action.MANAGE

    def create_record(self, data):
        data.pop("vendor")
        return services.part_create(Measure, by=self.request.user, **data)

    def update_record(self, instance, data):
        data.pop("vendor", None)
        return services.part_update(instance, by=self.request.user, **data)

    @extend_schema(request=None, summary="Retire: no new actuals; its history stays")
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return Response(self.get_serializer(
            services.part_retire(self.get_object(), by=request.user)).data)

    @extend_schema(request=None, summary="Restore a retired measure")
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return Response(self.get_serializer(
            services.part_restore(self.get_object(), by=request.user)).data)


@extend_schema(tags=["scorecard-periods"])
class PeriodViewSet(VendorScopedReadOnlyViewSet):
    """Reporting periods ('2026-Q3'). A locked period's actuals can no longer be changed by
    the vendor; our corrections need a reason."""

    queryset = Period.objects.all()
    serializer_class = s.PeriodSerializer
    filterset_class = filtersets.PeriodFilterSet
    ordering_fields = ["starts_on", "label", "vendor"]
    action_rights = {"lock": Action.MANAGE}

    @extend_schema(request=s.PeriodLockSerializer, responses=s.PeriodSerializer,
                   summary="Lock the period once its quarterly review is held")
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        period = self.get_object()
        body = s.PeriodLockSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        period = services.period_lock(period, by=request.user,
                                      note=body.validated_data.get("note", ""))
        return Response(self.get_serializer(period).data)


@extend_schema(tags=["scorecard-actuals"])
class ActualViewSet(VendorScopedViewSet):
    """Actuals: one per measure and period. Create and change drafts, then `submit`; our
    people `approve` or `send-back` (with a reason). A second POST for the same measure and
    period answers 409 with the existing actual's id: PATCH that one instead."""

    queryset = Actual.objects.select_related("vendor", "measure", "period")
    # A list shows the measure's and period's ids only; the vendor's slug is in the
    # address of an evidence file.
    list_select_related = ("vendor",)
    serializer_class = s.ActualSerializer
    filterset_class = filtersets.ActualFilterSet
    search_fields = ["comment", "measure__name"]
    ordering_fields = ["period__starts_on", "updated_at", "status", "vendor"]
    write_action = Action.SUBMIT_ACTUALS
    action_rights = {"approve": Action.APPROVE_ACTUALS, "send_back": Action.APPROVE_ACTUALS}

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        measure, period = data.pop("measure"), data.pop("period")
        self.check_object_permissions(self.request, measure)
        if period.vendor_id != measure.vendor_id:
            raise exceptions.ValidationError({"period": ["This period belongs to another "
                                                         "scorecard."]})
        existing = Actual.objects.filter(measure=measure, period=period).first()
        if existing is not None:
            raise ActualExists(
                f"'{measure}' already has an actual for {period} (id {existing.pk}); change "
                f"it with PATCH /api/v1/scorecard-actuals/{existing.pk}/.")
        reason = data.pop("reason", "")
        serializer.instance = services.actual_record(measure=measure, period=period,
                                                     by=self.request.user, reason=reason,
                                                     create_only=True, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("measure", None)
        data.pop("period", None)
        instance = serializer.instance
        serializer.instance = services.actual_record(
            measure=instance.measure, period=instance.period, by=self.request.user,
            reason=data.pop("reason", ""), **data)

    @extend_schema(request=None, summary="Submit a draft for approval")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return Response(self.get_serializer(
            services.actual_submit(self.get_object(), by=request.user)).data)

    @extend_schema(request=None, summary="Approve a submitted actual")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return Response(self.get_serializer(
            services.actual_approve(self.get_object(), by=request.user)).data)

    @extend_schema(request=s.SendBackSerializer, summary="Send back to draft, with a reason")
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        actual = self.get_object()
        body = s.SendBackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.actual_send_back(
            actual, by=request.user, reason=body.validated_data["reason"])).data)


@extend_schema(tags=["scorecard-disputes"])
class DisputeViewSet(VendorScopedViewSet):
    """Disputes the vendor raised about a value we measured or an approval, and how each
    was resolved. Vendor users raise them; our people `resolve` them."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Dispute.objects.select_related("actual")
    serializer_class = s.DisputeSerializer
    filterset_class = filtersets.DisputeFilterSet
    search_fields = ["reason", "resolution"]
    ordering_fields = ["raised_at", "resolved_at", "status", "vendor"]
    write_action = Action.APPROVE_ACTUALS
    action_rights = {"create": Action.DISPUTE_ACTUALS}

    def perform_create(self, serializer):
        actual = serializer.validated_data["actual"]
        self.check_object_permissions(self.request, actual)
        serializer.instance = services.dispute_raise(
            actual=actual, by=self.request.user, reason=serializer.validated_data["reason"])

    @extend_schema(request=s.DisputeResolveSerializer, responses=s.DisputeSerializer,
                   summary="Resolve: upheld (optionally correcting the value) or rejected")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        dispute = self.get_object()
        body = s.DisputeResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.get_serializer(
            services.dispute_resolve(dispute, by=request.user, **body.validated_data)).data)

