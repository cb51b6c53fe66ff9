"""The governance API resources: configuration of the scoped base viewsets, and one service
call per write. A service's ValidationError is a 400 with field errors, a `Conflict` a 409.

Rights (decided by `vendors.access`): vendor users read their vendor's meetings (agenda,
minutes once published), action items, impediments and suggestions; they report status and
notes of their side's action items, raise impediments and add updates, submit and improve
their own suggestions, and confirm their side's attendance.
"""

from django.db.models import F, Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from governance import agenda, services
from governance.api import filtersets, serializers
from governance.models import (
    ActionItem,
    Attendance,
    Cadence,
    Escalation,
    Impediment,
    ImpedimentUpdate,
    Meeting,
    Suggestion,
)
from governance.services import Conflict
from vendors import access
from vendors.access import Action
from vendors.api.viewsets import (
    ArchiveActionsMixin,
    VendorScopedReadOnlyViewSet,
    VendorScopedViewSet,
)


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the record's current state."
    default_code = "conflict"


class ConflictMixin:
    """A service's Conflict (the record's state rules the change out) is a 409."""

    def handle_exception(self, exc):
        if isinstance(exc, Conflict):
            exc = ConflictError(str(exc))
        return super().handle_exception(exc)


def _data_keys(request) -> set:
    return set(request.data) if isinstance(request.data, dict) else set()


@extend_schema(tags=["cadences"])
class CadenceViewSet(ConflictMixin, VendorScopedViewSet):
    """The recurring reviews with each vendor. Times are local wall time in `time_zone`; a
    time that a daylight-saving change skips or repeats on a day the cadence meets is a 400.
    Changing a cadence moves its future meetings that nobody moved or cancelled."""

    queryset = Cadence.objects.prefetch_related("our_participants", "vendor_participants")
    serializer_class = serializers.CadenceSerializer
    filterset_class = filtersets.CadenceFilterSet
    search_fields = ["title", "location"]
    ordering_fields = ["starts_on", "vendor"]
    write_action = Action.EDIT

    def create_record(self, data):
        return services.cadence_create(by=self.request.user, **data)

    def update_record(self, instance, data):
        data.pop("vendor", None)
        data.pop("tier", None)
        return services.cadence_update(instance, by=self.request.user, **data)

    @extend_schema(request=None, summary="Archive: no more meetings; future untouched ones go")
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        cadence = services.cadence_archive(self.get_object(), by=request.user)
        return Response(self.get_serializer(cadence).data)


@extend_schema(tags=["meetings"])
class MeetingViewSet(ConflictMixin, VendorScopedReadOnlyViewSet):
    """Review meetings, generated from cadences. `minutes` and `decisions` are published
    once the meeting is marked held. Moving, cancelling and marking held need the right to
    run reviews."""

    # Decisions are read by the serializer, a whole page at once (attach_decisions).
    queryset = Meeting.objects.select_related("vendor")
    list_select_related = ()  # a list shows the vendor's id only
    serializer_class = serializers.MeetingSerializer
    filterset_class = filtersets.MeetingFilterSet
    search_fields = ["title", "location"]
    ordering_fields = ["starts_at", "status", "vendor"]
    write_action = Action.REVIEW

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        # A list never shows the frozen agenda: a held meeting's is a JSON document (its
        # sections and entries) to read and parse for each row.
        return queryset.defer("agenda_snapshot")

    @extend_schema(responses=serializers.AgendaSerializer,
                   summary="The agenda: live for its tier, or as frozen when held")
    @action(detail=True, methods=["get"])
    def agenda(self, request, pk=None):
        meeting = self.get_object()
        frozen = meeting.agenda_snapshot or agenda.snapshot(meeting)
        sections, items = frozen.get("sections", []), frozen.get("items", [])
        body = {"meeting": meeting.pk, "vendor": meeting.vendor_id,
                "frozen": bool(meeting.agenda_snapshot), "sections": sections, "items": items}
        return Response(serializers.AgendaSerializer(body).data)

    @extend_schema(request=serializers.MeetingMoveSerializer,
                   responses=serializers.MeetingSerializer,
                   summary="Move this one meeting (the series stays)")
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        meeting = self.get_object()
        body = serializers.MeetingMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        meeting = services.meeting_move(meeting, by=request.user, **body.validated_data)
        return Response(self.get_serializer(meeting).data)

    @extend_schema(request=serializers.MeetingCancelSerializer,
                   responses=serializers.MeetingSerializer,
                   summary="Cancel this one meeting (the series goes on)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        body = serializers.MeetingCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        meeting = services.meeting_cancel(meeting, by=request.user, **body.validated_data)
        return Response(self.get_serializer(meeting).data)

    @extend_schema(request=None, responses=serializers.MeetingSerializer,
                   summary="Mark held: freezes the agenda, publishes minutes and decisions")
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        meeting = services.meeting_hold(self.get_object(), by=request.user)
        return Response(self.get_serializer(meeting).data)


@extend_schema(tags=["attendances"])
class AttendanceViewSet(ConflictMixin, VendorScopedViewSet):
    """Who is invited to each meeting. Each side answers for its own people (`response`:
    confirmed or declined); whoever runs the review records who was `present`."""

    queryset = Attendance.objects.select_related("user", "contact", "meeting")
    serializer_class = serializers.AttendanceSerializer
    filterset_class = filtersets.AttendanceFilterSet
    ordering_fields = ["meeting", "response"]
    http_method_names = ["get", "patch", "head", "options"]
    write_action = Action.REVIEW

    def required_action(self) -> Action:
        if self.action in ("update", "partial_update") and _data_keys(self.request) <= {
                "response"}:
            return Action.CONTRIBUTE
        return super().required_action()

    def may_create(self) -> bool:
        return False

    def update_record(self, instance, data):
        changes = {}
        if "response" in data:
            changes["response"] = data["response"]
        if "present" in data:
            changes["present"] = data["present"]
        return services.attendance_record(instance, by=self.request.user, **changes)


@extend_schema(tags=["action-items"])
class ActionItemViewSet(ConflictMixin, ArchiveActionsMixin, VendorScopedViewSet):
    """Action items agreed in reviews: one owner (one of our people or a vendor contact) and
    a due date. The side that owns an item may change its `status` and `notes`."""

    queryset = ActionItem.objects.select_related("owner_user", "owner_contact", "meeting")
    list_select_related = ()  # a list shows their ids only
    serializer_class = serializers.ActionItemSerializer
    filterset_class = filtersets.ActionItemFilterSet
    search_fields = ["title", "description", "notes"]
    ordering_fields = ["due_on", "status", "created_at", "vendor"]
    write_action = Action.REVIEW

    def required_action(self) -> Action:
        if self.action in ("update", "partial_update") and _data_keys(self.request) <= {
                "status", "notes"}:
            return Action.CONTRIBUTE
        return super().required_action()

    def create_record(self, data):
        return services.action_item_create(by=self.request.user, **data)

    def update_record(self, instance, data):
        data.pop("vendor", None)
        data.pop("meeting", None)
        if access.may(self.request.user, Action.REVIEW, instance):
            return services.action_item_update(instance, by=self.request.user, **data)
        return services.action_item_progress(instance, by=self.request.user,
                                             status=data.get("status"),
                                             notes=data.get("notes"))


@extend_schema(tags=["impediments"])
class ImpedimentViewSet(ConflictMixin, ArchiveActionsMixin, VendorScopedViewSet):
    """Impediments, raised by either side, with their updates and the escalation ladder.
    Our side changes, resolves and escalates them."""

    # Authors and escalators joined to their rows, not prefetched apart: the same people
    # often write and escalate, and two prefetches would read them twice.
    queryset = Impediment.objects.select_related(
        "vendor__governance_plan", "raised_by").prefetch_related(
        Prefetch("updates", ImpedimentUpdate.objects.select_related("author")),
        Prefetch("escalations", Escalation.objects.select_related("escalated_by")))
    serializer_class = serializers.ImpedimentSerializer
    filterset_class = filtersets.ImpedimentFilterSet
    search_fields = ["title", "description", "resolution"]
    ordering_fields = ["raised_on", "severity", "status", "escalation_level", "vendor"]
    write_action = Action.EDIT
    action_rights = {"create": Action.CONTRIBUTE, "updates": Action.CONTRIBUTE}

    # A list's rows join no record: their vendor's escalation limit and the name of who
    # raised them come as columns (a vendor, a plan and a user built per row were a third
    # of the list's time).
    list_select_related = ()

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        # The page's updates and escalations are read at once by the list serializer
        # (serializers.attach_threads); a prefetch would read them again.
        return queryset.prefetch_related(None)

    def annotate_page(self, page):
        # Joined for the page's rows only (vendorgov.api.pagination), not for every row the
        # count and the order read.
        return page.annotate(
            plan_escalate_after_days=F("vendor__governance_plan__escalate_after_days"),
            **serializers.name_columns("raised_by"))

    def create_record(self, data):
        data.pop("status", None)
        data.pop("resolution", None)
        return services.impediment_raise(by=self.request.user, **data)

    def update_record(self, instance, data):
        data.pop("vendor", None)
        return services.impediment_update(instance, by=self.request.user, **data)

    @extend_schema(request=serializers.ImpedimentUpdateInputSerializer,
                   responses={201: serializers.ImpedimentUpdateSerializer},
                   summary="Add an update (either side)")
    @action(detail=True, methods=["post"])
    def updates(self, request, pk=None):
        impediment = self.get_object()
        body = serializers.ImpedimentUpdateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = services.impediment_add_update(impediment, by=request.user,
                                              **body.validated_data)
        return Response(serializers.ImpedimentUpdateSerializer(note).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.EscalationSerializer,
                   responses={201: serializers.EscalationSerializer,
                              409: OpenApiResponse(description="Already at that step.")},
                   summary="Escalate one step (or more) up the ladder")
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        impediment = self.get_object()
        body = serializers.EscalationSerializer(data=request.data,
                                                context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        escalation = services.impediment_escalate(impediment, by=request.user,
                                                  **body.validated_data)
        return Response(serializers.EscalationSerializer(escalation).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=["suggestions"])
class SuggestionViewSet(ConflictMixin, ArchiveActionsMixin, VendorScopedViewSet):
    """Innovation suggestions. Either side submits and improves its own while they wait for
    a decision; only our side moves them on (`status`): a vendor's attempt is a 400."""

    queryset = Suggestion.objects.select_related("submitted_by")
    # A list's rows join no record: who submitted each comes as columns
    # (serializers.attach_names), not as a user built per row.
    list_select_related = ()
    serializer_class = serializers.SuggestionSerializer
    filterset_class = filtersets.SuggestionFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["submitted_on", "status", "category", "vendor"]
    write_action = Action.CONTRIBUTE
    action_rights = {"archive": Action.EDIT, "restore": Action.EDIT}

    def annotate_page(self, page):
        # Joined for the page's rows only (vendorgov.api.pagination).
        return page.annotate(**serializers.name_columns("submitted_by"))

    def create_record(self, data):
        data.pop("status", None)
        data.pop("rationale", None)
        return services.suggestion_submit(by=self.request.user, **data)

    def update_record(self, instance, data):
        data.pop("vendor", None)
        status_ = data.pop("status", None)
        workflow = {k: data.pop(k) for k in ("rationale", "realised_value", "lessons")
                    if k in data}
        moving = status_ is not None and status_ != instance.status
        if moving and not access.may(self.request.user, Action.EDIT, instance):
            raise exceptions.ValidationError({"status": [
                "Only our side decides on a suggestion and moves it on; it keeps its status "
                "until it is reviewed."]})
        if data:
            instance = services.suggestion_update(instance, by=self.request.user, **data)
        if moving:
            instance = services.suggestion_transition(instance, by=self.request.user,
                                                      status=status_, **workflow)
        return instance
