"""The health-check API for the vendor's account team: their vendor's cycles (results and
findings once shared with them), and their own survey, answered here as an alternative to
the emailed link. Progress on agreed actions goes through the action-item endpoints."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from healthchecks import services
from healthchecks.api import filtersets, serializers
from healthchecks.models import Cycle, Invitation
from vendorgov.errors import Conflict
from vendors.access import Action
from vendors.api.viewsets import VendorScopedReadOnlyViewSet

TAGS = ["health checks"]


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the record's current state."
    default_code = "conflict"


@extend_schema(tags=TAGS)
class CycleViewSet(VendorScopedReadOnlyViewSet):
    """Health checks of the vendors the caller sees. `results` and `findings` are null until
    collection has started and, for the vendor's people, until the cycle is shared with
    them; results are aggregates of at least 3 respondents, never who said what."""

    queryset = Cycle.objects.prefetch_related("findings").order_by("-due_on", "-pk")
    serializer_class = serializers.CycleSerializer
    filterset_class = filtersets.CycleFilterSet
    ordering_fields = ["due_on", "vendor"]


@extend_schema(tags=TAGS)
class SurveyViewSet(VendorScopedReadOnlyViewSet):
    """The caller's own health-check surveys (invitations to their email address or
    account): questions and the caller's own answers, nobody else's."""

    queryset = Invitation.objects.select_related("cycle").order_by("-pk")
    serializer_class = serializers.SurveySerializer
    filterset_class = filtersets.SurveyFilterSet
    action_rights = {"answers": Action.VIEW}

    def get_queryset(self):
        rows = super().get_queryset()
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            return rows
        mine = rows.filter(revoked_at__isnull=True, user=user)
        if user.email:
            mine = mine | rows.filter(revoked_at__isnull=True, email__iexact=user.email)
        return mine.distinct()

    def handle_exception(self, exc):
        if isinstance(exc, Conflict):
            exc = ConflictError(str(exc))
        return super().handle_exception(exc)

    @extend_schema(request=serializers.SurveyAnswersSerializer,
                   responses={200: serializers.SurveySerializer,
                              400: OpenApiResponse(description="Answers out of range or "
                                                               "questions of another survey."),
                              409: OpenApiResponse(description="Submitted already, "
                                                               "withdrawn, or closed.")},
                   summary="Save (and with submit: true, hand in) answers")
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        invitation = self.get_object()
        body = serializers.SurveyAnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answers = {row["question"]: (row["score"], row.get("comment", ""))
                   for row in body.validated_data["answers"]}
        try:
            invitation = services.survey_save(invitation, answers=answers,
                                              submit=body.validated_data["submit"])
        except DjangoValidationError as error:
            # The service names questions by their form field; here they are rows of answers.
            raise exceptions.ValidationError({"answers": error.messages}) from error
        invitation = self.get_queryset().get(pk=invitation.pk)
        return Response(self.get_serializer(invitation).data)
