"""The SLA API: configuration of the scoped base viewsets, and the few actions that call a
service (submitting measurements, disputes, corrective-action progress)."""

from django.db import IntegrityError
from django.db.models import F, OuterRef, Subquery
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from sla import ingest, services
from sla.api import filtersets, serializers
from sla.choices import MeasurementSource
from sla.models import (
    SLA,
    BusinessCalendar,
    CorrectiveAction,
    Dispute,
    Evaluation,
    Measurement,
    ServiceLevel,
)
from vendors import access
from vendors.access import Action
from vendors.api.viewsets import VendorScopedReadOnlyViewSet

TAGS = ["sla"]
RETRY = ("Another request was storing the same measurements at the same moment; send this "
         "one again: what is already stored is counted as unchanged.")


class FastListMixin:
    """A list reads only the columns its rows show (`list_columns`). (Its page of records
    is built without `Model.__init__`, as every list's: vendorgov/api/rows.py.)"""

    #: The columns a list's rows need (`QuerySet.only()`; joined records' as
    #: `relation__column`), when fewer than a record's; None: every column.
    list_columns: tuple[str, ...] | None = None

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        if self.list_columns is not None:
            queryset = queryset.only(*self.list_columns)
        return queryset


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


@extend_schema(tags=TAGS)
class BusinessCalendarViewSet(VendorScopedReadOnlyViewSet):
    """Business-hours calendars that duration service levels are measured in."""

    queryset = BusinessCalendar.objects.all()
    serializer_class = serializers.SlaCalendarSerializer
    filterset_class = filtersets.BusinessCalendarFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "vendor"]


@extend_schema(tags=TAGS)
class SLAViewSet(FastListMixin, VendorScopedReadOnlyViewSet):
    """SLAs with every version of their terms (the current one and those it superseded)."""

    # Each page reads its versions and service level ids itself (SLAListSerializer).
    queryset = SLA.objects.all()
    serializer_class = serializers.SLASerializer
    filterset_class = filtersets.SLAFilterSet
    search_fields = ["reference", "name", "description"]
    ordering_fields = ["reference", "review_due_on", "vendor"]


@extend_schema(tags=TAGS)
class ServiceLevelViewSet(VendorScopedReadOnlyViewSet):
    """Service levels of every SLA version; `?in_force=true` for those in effect today."""

    queryset = ServiceLevel.objects.select_related("version__sla")
    serializer_class = serializers.ServiceLevelSerializer
    filterset_class = filtersets.ServiceLevelFilterSet
    search_fields = ["name", "key", "measured"]
    ordering_fields = ["position", "name", "key"]


@extend_schema(tags=TAGS)
class MeasurementViewSet(FastListMixin, VendorScopedReadOnlyViewSet):
    """Measurements: read them, submit one (POST) or many at once (POST …/bulk/).

    Resubmitting a row with the same `external_id` and content creates nothing and is
    counted as unchanged. A request with any bad row is rejected whole (400) with every bad
    row's index and reason. New data is evaluated in the background within moments."""

    # The SLA's id read in the query: joining the service level and version as objects
    # built two more models per row, for one number. A scalar subquery, not a join: the
    # list's count (`vendorgov.api.pagination`) keeps a queryset's joins, and joining every
    # matching measurement to its service level and version to count them took 3-7 ms of
    # a vendor's page at 1,000 vendors (0.4 without; the page's own 101 rows look theirs up
    # by primary key).
    queryset = Measurement.objects.annotate(sla_id=Subquery(
        ServiceLevel.objects.filter(pk=OuterRef("service_level_id")).order_by()
        .values("version__sla_id")))
    serializer_class = serializers.SlaMeasurementSerializer
    filterset_class = filtersets.MeasurementFilterSet
    search_fields = ["external_id", "note"]
    ordering_fields = ["window_start", "submitted_at", "service_level"]
    write_action = Action.SUBMIT_MEASUREMENTS
    http_method_names = ["get", "post", "head", "options"]

    def _submit(self, rows):
        """The service answers a resent batch as unchanged even while the first copy is
        being stored; a clash that persists through its retry is a 409 that says to send
        it again, never a 500."""
        user = self.request.user
        try:
            return services.measurements_submit(
                rows, by=user, source=MeasurementSource.API,
                vendor_ids=access.vendor_ids(user, Action.SUBMIT_MEASUREMENTS),
                evaluate=False)
        except IntegrityError:
            raise Conflict(RETRY) from None

    @extend_schema(request=serializers.SlaMeasurementInputSerializer,
                   responses={201: serializers.SlaMeasurementSerializer,
                              200: OpenApiResponse(serializers.SlaMeasurementSerializer,
                                                   description="Already submitted with this "
                                                               "external id: nothing new."),
                              409: OpenApiResponse(description=RETRY)},
                   summary="Submit one measurement")
    def create(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send one measurement as an object."]})
        try:
            result = self._submit([request.data])
        except ingest.RowsRejected as rejected:
            errors = {}
            for e in rejected.errors:
                errors.setdefault(e.field or "non_field_errors", []).append(e.message)
            raise ValidationError(errors) from None
        if result.created:
            measurement = result.measurements[0]
            code = status.HTTP_201_CREATED
        else:
            vendor_id, external_id = result.unchanged_keys[0]
            measurement = Measurement.objects.get(vendor_id=vendor_id, external_id=external_id)
            code = status.HTTP_200_OK
        measurement = self.get_queryset().get(pk=measurement.pk)
        return Response(self.get_serializer(measurement).data, status=code)

    def rows_in(self, request) -> int:
        """Rows this request carries, for the API's row budget (vendorgov/api/throttling)."""
        rows = request.data.get("measurements") if isinstance(request.data, dict) else None
        return len(rows) if self.action == "bulk" and isinstance(rows, list) else 1

    @extend_schema(request=serializers.SlaMeasurementBatchSerializer,
                   responses={201: serializers.SlaBatchResultSerializer,
                              200: OpenApiResponse(serializers.SlaBatchResultSerializer,
                                                   description="Nothing new: every row was "
                                                               "submitted before."),
                              400: serializers.SlaBatchErrorSerializer,
                              409: OpenApiResponse(description=RETRY)},
                   summary="Submit many measurements at once (all or nothing)")
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        data = request.data
        rows = data.get("measurements") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            return Response({"detail": "Send {\"measurements\": [...]}.",
                             "errors": [{"index": 0, "field": "measurements",
                                         "message": "Expected a list of measurements."}]},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            result = self._submit(rows)
        except ingest.RowsRejected as rejected:
            return Response({"detail": str(rejected),
                             "errors": [e.as_dict() for e in rejected.errors]},
                            status=status.HTTP_400_BAD_REQUEST)
        detail = (f"{result.created} created, {result.unchanged} unchanged." if result.created
                  else f"Nothing new: all {result.unchanged} were submitted before.")
        return Response({"received": result.received, "created": result.created,
                         "unchanged": result.unchanged, "detail": detail},
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


@extend_schema(tags=TAGS)
class EvaluationViewSet(FastListMixin, VendorScopedReadOnlyViewSet):
    """Each closed window of each service level: met, at risk, breached or no data, with the
    rule. The vendor may dispute one within the SLA's dispute window."""

    queryset = Evaluation.objects.select_related("service_level__version", "dispute")
    # A list's rows: their own columns and what their window, rule, explanation, dispute
    # and deadline are worked out from (`serializers.attach_evaluation_texts`), not the
    # service level's, version's and dispute's texts.
    list_columns = ("vendor", "sla", "service_level", "window_start", "window_end", "status",
                    "value", "excused", "evaluated_at", "corrective_action",
                    "service_level__window", "service_level__comparator",
                    "service_level__target", "service_level__breach_threshold",
                    "service_level__unit", "service_level__version__dispute_window_days")
    # A list shows its dispute's id only: read as a column (`annotate_page`), not as a
    # dispute record built per row (and, for the many rows without one, a DoesNotExist
    # raised and caught per row).
    list_select_related = ("service_level__version",)
    serializer_class = serializers.SlaEvaluationSerializer
    filterset_class = filtersets.EvaluationFilterSet
    ordering_fields = ["window_start", "window_end", "status", "evaluated_at"]
    action_rights = {"dispute": Action.DISPUTE_EVALUATIONS}

    def annotate_page(self, page):
        # Joined for the page's rows only (vendorgov.api.pagination): in the list's
        # queryset the join would go into its count and the choice of its page too.
        return page.annotate(**{serializers.DISPUTE_PK: F("dispute__id")})

    @extend_schema(request=serializers.SlaDisputeRaiseSerializer,
                   responses={201: serializers.SlaDisputeSerializer},
                   summary="Dispute this evaluation (vendor users)")
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        evaluation = self.get_object()
        body = serializers.SlaDisputeRaiseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dispute = services.dispute_raise(evaluation, by=request.user, **body.validated_data)
        body = serializers.SlaDisputeSerializer(dispute, context={"request": request})
        return Response(body.data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class DisputeViewSet(VendorScopedReadOnlyViewSet):
    """Disputes of evaluations and their decisions."""

    queryset = Dispute.objects.all()
    serializer_class = serializers.SlaDisputeSerializer
    filterset_class = filtersets.DisputeFilterSet
    ordering_fields = ["raised_at", "decided_at", "status"]
    action_rights = {"decide": Action.EDIT}

    @extend_schema(request=serializers.SlaDisputeDecisionSerializer,
                   responses={200: serializers.SlaDisputeSerializer},
                   summary="Accept or reject a dispute (operations)")
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        dispute = self.get_object()
        body = serializers.SlaDisputeDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dispute = services.dispute_decide(dispute, by=request.user, **body.validated_data)
        return Response(self.get_serializer(dispute).data)


@extend_schema(tags=TAGS)
class CorrectiveActionViewSet(mixins.UpdateModelMixin, VendorScopedReadOnlyViewSet):
    """Corrective actions opened by breaches. Our side changes them (PUT/PATCH); the side
    that owns one reports progress with POST …/progress/."""

    queryset = CorrectiveAction.objects.select_related("owner").prefetch_related("evaluations")
    serializer_class = serializers.CorrectiveActionSerializer
    filterset_class = filtersets.CorrectiveActionFilterSet
    search_fields = ["title", "description", "root_cause"]
    ordering_fields = ["due_on", "opened_on", "status"]
    write_action = Action.EDIT
    action_rights = {"progress": Action.PROGRESS_CORRECTIVE_ACTIONS}
    http_method_names = ["get", "put", "patch", "post", "head", "options"]

    def perform_update(self, serializer):
        serializer.instance = services.corrective_action_update(
            serializer.instance, by=self.request.user, **serializer.validated_data)

    @extend_schema(request=serializers.CorrectiveActionProgressSerializer,
                   responses={200: serializers.CorrectiveActionSerializer},
                   summary="Report progress (the side that owns the action)")
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        corrective_action = self.get_object()
        body = serializers.CorrectiveActionProgressSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        corrective_action = services.corrective_action_report_progress(
            corrective_action, by=request.user, **body.validated_data)
        return Response(self.get_serializer(corrective_action).data)
