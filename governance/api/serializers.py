"""API representations of governance records. Shapes and input checks only: writes go
through `governance.services` (see governance.api.views).

"Published" minutes: a meeting's minutes and decisions appear in the API once the meeting
is marked held (before that they are drafts of the meeting's own page), for every caller.
"""

import re

from django.contrib.auth import get_user_model
from django.db.models import F
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance import recurrence, selectors
from governance.choices import RECURRING_TIERS, SuggestionStatus, Tier
from governance.models import (
    DEFAULT_ESCALATE_AFTER_DAYS,
    ActionItem,
    Attendance,
    Cadence,
    Decision,
    Escalation,
    Impediment,
    ImpedimentUpdate,
    Meeting,
    Suggestion,
)
from vendorgov.api.fields import (
    IdentityUrlField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictDecimalField,
    StrictIntegerField,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
    StrictURLField,
)
from vendorgov.api.lists import PageListSerializer, RowsOfPage
from vendorgov.api.representation import represent_row, row_converters
from vendors.api.serializers import VendorScopedSerializer, VisiblePrimaryKeyRelatedField
from vendors.models import Contact


class VisibleUserField(StrictPrimaryKeyRelatedField):
    """One of our people in a relationship the caller sees; any other id is refused like an
    id that does not exist."""

    def get_queryset(self):
        request = self.context.get("request")
        return selectors.visible_users(getattr(request, "user", None))


LOCAL_TIME = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field({"type": "string", "pattern": LOCAL_TIME})
class LocalTimeField(serializers.TimeField):
    """A local wall time, "HH:MM" (seconds allowed on input): no offset, since it is read
    in a time zone given beside it."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)

    def to_internal_value(self, value):
        # Two digits each, as documented (strptime would also take "9:5").
        if not isinstance(value, str) or not re.fullmatch(LOCAL_TIME, value):
            self.fail("invalid", format="HH:MM")
        return super().to_internal_value(value)


def _time_zone(value: str) -> str:
    try:
        recurrence.zone(value)
    except ValueError as error:
        raise serializers.ValidationError(str(error)) from error
    return value


class CadenceSerializer(VendorScopedSerializer):
    url = IdentityUrlField(view_name="cadence-detail")
    frequency = StrictChoiceField(source="tier", choices=Tier.choices,
                                  help_text="The review's tier: weekly, monthly or "
                                            "quarterly.")
    time_zone = StrictCharField(max_length=64, validators=[_time_zone],
                                help_text="IANA time zone name, e.g. Europe/London.")
    our_participants = VisibleUserField(many=True, required=False,
                                        queryset=get_user_model().objects.all(),
                                        help_text="Ids of our people taking part.")
    vendor_participants = VisiblePrimaryKeyRelatedField(
        many=True, required=False, queryset=Contact.objects.all(),
        help_text="Ids of the vendor's contacts taking part.")
    start_time = LocalTimeField(help_text="Local time in the cadence's time zone.")
    rhythm = serializers.CharField(read_only=True)

    class Meta:
        model = Cadence
        fields = ["id", "url", "vendor", "frequency", "title", "weekday", "day_of_month",
                  "quarter_month", "start_time", "time_zone", "duration_minutes", "location",
                  "video_link", "starts_on", "ends_on", "our_participants",
                  "vendor_participants", "rhythm", "archived_at"]
        read_only_fields = ["archived_at"]

    def validate_frequency(self, tier):
        if self.instance is not None and tier != self.instance.tier:
            raise serializers.ValidationError("A cadence keeps its tier; archive it and add "
                                              "another.")
        if self.instance is None and tier not in RECURRING_TIERS:
            raise serializers.ValidationError("Health-check reviews are arranged by their "
                                              "health check; choose weekly, monthly or "
                                              "quarterly.")
        return tier


class DecisionSerializer(StrictModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "text", "recorded_at"]
        read_only_fields = fields


def attach_decisions(meetings: list[Meeting]) -> None:
    """Set `_decisions` on each meeting: its decisions not archived, in their order, as
    DecisionSerializer represents them, read in one query for a whole page as plain rows,
    its SQL compiled once (`RowsOfPage`). (Django's prefetch built a related manager and a
    query per meeting to hold them, and a model per decision, most of a list's time.)"""
    by_meeting = {meeting.pk: [] for meeting in meetings}
    if by_meeting:
        fields = row_converters(DecisionSerializer, ("id", "text", "recorded_at"))
        for row in _decision_rows(by_meeting):
            by_meeting[row[0]].append(represent_row(fields, row[1:]))
    for meeting in meetings:
        meeting._decisions = by_meeting[meeting.pk]


_decision_rows = RowsOfPage(Decision, lambda ids: Decision.objects.active().filter(
    meeting_id__in=ids).values_list("meeting_id", "id", "text", "recorded_at"))


class MeetingListSerializer(PageListSerializer):
    """Reads the decisions of a whole page of meetings at once (`attach_decisions`)."""

    attach = staticmethod(attach_decisions)


class MeetingSerializer(VendorScopedSerializer):
    url = IdentityUrlField(view_name="meeting-detail")
    cadence = serializers.PrimaryKeyRelatedField(read_only=True)
    frequency = serializers.CharField(source="tier", read_only=True,
                                      help_text="weekly, monthly or quarterly.")
    minutes = serializers.SerializerMethodField(
        help_text="The minutes, published once the meeting is held; null before.")
    decisions = serializers.SerializerMethodField(
        help_text="Decisions, published with the minutes once the meeting is held.")
    minutes_published = serializers.BooleanField(read_only=True)

    class Meta:
        model = Meeting
        list_serializer_class = MeetingListSerializer
        fields = ["id", "url", "vendor", "cadence", "frequency", "period", "title", "starts_at",
                  "ends_at", "time_zone", "time_note", "location", "video_link", "status",
                  "moved", "cancel_reason", "held_at", "minutes_published", "minutes",
                  "decisions", "sequence", "archived_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_minutes(self, meeting) -> str | None:
        return meeting.minutes if meeting.minutes_published else None

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, meeting):
        if not hasattr(meeting, "_decisions"):
            attach_decisions([meeting])
        if not meeting.minutes_published:
            return []
        return list(meeting._decisions)  # represented already (attach_decisions)


class AgendaEntrySerializer(serializers.Serializer):
    text = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField(help_text="The page of the record, if any.")
    status = serializers.CharField()
    status_label = serializers.CharField()
    flag = serializers.CharField(help_text="Why it needs attention, if it does.")


class AgendaSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    entries = AgendaEntrySerializer(many=True)
    empty = serializers.CharField(help_text="What an empty section means.")
    how = serializers.CharField(help_text="How the section is computed.")
    note = serializers.CharField()
    unavailable = serializers.BooleanField(
        help_text="True when the data comes from a capability that is not installed.")


class AgendaPointSerializer(serializers.Serializer):
    title = serializers.CharField()
    notes = serializers.CharField()
    added_by = serializers.CharField()


class AgendaSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    vendor = serializers.IntegerField()
    frozen = serializers.BooleanField(help_text="True once the meeting is held: the agenda "
                                                "as it stood then.")
    sections = AgendaSectionSerializer(many=True)
    items = AgendaPointSerializer(many=True, help_text="Points people added.")


class MeetingMoveSerializer(serializers.Serializer):
    date = StrictDateField(help_text="The new day, in the meeting's time zone.")
    start_time = LocalTimeField(help_text="Local time, e.g. 10:00.")
    time_zone = StrictCharField(max_length=64, required=False, validators=[_time_zone],
                                help_text="Defaults to the meeting's own.")
    duration_minutes = StrictIntegerField(min_value=15, max_value=480, required=False)
    location = StrictCharField(max_length=200, required=False, allow_blank=True)
    video_link = StrictURLField(required=False, allow_blank=True)


class MeetingCancelSerializer(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class AttendanceSerializer(StrictModelSerializer):
    url = IdentityUrlField(view_name="attendance-detail")
    vendor = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The vendor's id.")
    meeting = serializers.PrimaryKeyRelatedField(read_only=True)
    user = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                              help_text="One of our people (or null).")
    contact = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                                 help_text="A vendor contact (or null).")
    side = serializers.CharField(source="owner_side", read_only=True)
    name = serializers.CharField(read_only=True)
    present = StrictBooleanField(required=False, allow_null=True,
                                 help_text="Was the person there? Null until recorded.")

    class Meta:
        model = Attendance
        fields = ["id", "url", "vendor", "meeting", "user", "contact", "side", "name",
                  "response", "present"]
        read_only_fields = ["id"]


class ActionItemSerializer(VendorScopedSerializer):
    """Our reviewers create and change action items; the side that owns one reports its
    `status` and `notes` (a change of anything else needs the right to run reviews)."""

    url = IdentityUrlField(view_name="action-item-detail")
    meeting = VisiblePrimaryKeyRelatedField(queryset=Meeting.objects.all(), required=False,
                                            allow_null=True, help_text="Raised in.")
    owner_user = VisibleUserField(queryset=get_user_model().objects.all(), required=False,
                                  allow_null=True,
                                  help_text="One of our people in the relationship, or…")
    owner_contact = VisiblePrimaryKeyRelatedField(queryset=Contact.objects.all(),
                                                  required=False, allow_null=True,
                                                  help_text="…one of the vendor's contacts.")
    is_open = serializers.BooleanField(read_only=True)
    days_overdue = serializers.IntegerField(read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "url", "vendor", "meeting", "title", "description", "owner_user",
                  "owner_contact", "side", "due_on", "status", "notes", "is_open",
                  "days_overdue", "completed_on", "created_at", "archived_at"]
        read_only_fields = ["side", "completed_on", "created_at", "archived_at"]

    def validate_meeting(self, meeting):
        if self.instance is not None and meeting != self.instance.meeting:
            raise serializers.ValidationError("An action item stays with the meeting it was "
                                              "raised in.")
        return meeting


class ImpedimentUpdateSerializer(StrictModelSerializer):
    author = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ImpedimentUpdate
        fields = ["id", "text", "side", "author", "created_at"]
        read_only_fields = ["id", "side", "author", "created_at"]


class EscalationSerializer(StrictModelSerializer):
    escalated_by = serializers.StringRelatedField(allow_null=True)
    level = StrictChoiceField(choices=Escalation._meta.get_field("level").choices,
                              required=False,
                              help_text="The step (1–4); defaults to the next one. Name it "
                                        "to make a resent request safe: the same step "
                                        "asked for twice is taken once (the other: 409).")
    to_user = VisibleUserField(queryset=get_user_model().objects.all(), required=False,
                               allow_null=True, help_text="Defaults to who is on the step.")
    to_contact = VisiblePrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False,
                                               allow_null=True,
                                               help_text="Defaults to who is on the step.")

    class Meta:
        model = Escalation
        fields = ["id", "level", "escalated_on", "escalated_by", "to_user", "to_contact",
                  "note", "outcome", "outcome_on"]
        read_only_fields = ["id", "escalated_on", "escalated_by", "outcome", "outcome_on"]


def attach_threads(impediments: list[Impediment]) -> None:
    """Give each impediment of a page its updates and escalations, represented as their
    serializers represent them, read in two queries for the whole page as plain rows (an
    unsaved user per author, for the name; no model per row), their SQL compiled once
    (`RowsOfPage`). Django's prefetch built a queryset per impediment and relation, and
    model rows a record and an author for each update and escalation: most of the list's
    time. Rows that carry who raised them as columns (`name_columns`, the list's
    annotation) get that name the same way. A record read alone (its own address) is
    represented through `.updates.all()` and `.escalations.all()` as before;
    tests/api/test_list_rows.py holds both to the same answer."""
    updates = {impediment.pk: [] for impediment in impediments}
    escalations = {pk: [] for pk in updates}
    names = _UserNames()
    if updates:
        update_fields = _update_fields()
        for row in _update_rows(updates):
            shown = represent_row(update_fields, row[1:5])
            updates[row[0]].append({"id": shown["id"], "text": shown["text"],
                                    "side": shown["side"], "author": names.of(row[5:]),
                                    "created_at": shown["created_at"]})
        escalation_fields = _escalation_fields()
        for row in _escalation_rows(escalations):
            shown = represent_row(escalation_fields, row[1:9])
            escalations[row[0]].append({
                "id": shown["id"], "level": shown["level"],
                "escalated_on": shown["escalated_on"], "escalated_by": names.of(row[9:]),
                "to_user": shown["to_user"], "to_contact": shown["to_contact"],
                "note": shown["note"], "outcome": shown["outcome"],
                "outcome_on": shown["outcome_on"]})
    for impediment in impediments:
        impediment._vg_represented = {"updates": updates[impediment.pk],
                                      "escalations": escalations[impediment.pk]}
    attach_names(impediments, "raised_by", names)


def _update_fields():
    return row_converters(ImpedimentUpdateSerializer, ("id", "text", "side", "created_at"))


def _escalation_fields():
    return row_converters(EscalationSerializer, ("id", "level", "escalated_on",
                                                      "to_user", "to_contact", "note",
                                                      "outcome", "outcome_on"))


_update_rows = RowsOfPage(ImpedimentUpdate, lambda ids: ImpedimentUpdate.objects.filter(
    impediment_id__in=ids).values_list("impediment_id", "id", "text", "side", "created_at",
                                       *_UserNames.columns("author")))
_escalation_rows = RowsOfPage(Escalation, lambda ids: Escalation.objects.filter(
    impediment_id__in=ids).values_list("impediment_id", "id", "level", "escalated_on",
                                       "to_user_id", "to_contact_id", "note", "outcome",
                                       "outcome_on", *_UserNames.columns("escalated_by")))


class _UserNames:
    """A person's name as `str(user)` gives it (what StringRelatedField shows), from the
    columns it reads joined into a page's query (`User.name_of`), worked out once per
    distinct person: no model read or built per row."""

    COLUMNS = ("id", "first_name", "last_name", "username")

    def __init__(self):
        self._names = {}

    @classmethod
    def columns(cls, relation: str) -> list[str]:
        return [f"{relation}__{column}" for column in cls.COLUMNS]

    def of(self, values) -> str | None:
        pk = values[0]
        if pk is None:
            return None
        if pk not in self._names:
            self._names[pk] = get_user_model().name_of(*values[1:])
        return self._names[pk]


def name_columns(relation: str) -> dict:
    """Annotations for a list's rows: the columns `str(user)` reads of the person
    `relation` names (a foreign key to a user; its id is the row's own `<relation>_id`), so
    that `attach_names` shows each name without a user built per row."""
    return {f"{relation}_{column}": F(f"{relation}__{column}")
            for column in _UserNames.COLUMNS[1:]}


def attach_names(records: list, relation: str, names: "_UserNames | None" = None) -> None:
    """Represent `relation` (a StringRelatedField of a user: `str(user)`) of each record that
    carries its `name_columns`; a record without them is represented as DRF would."""
    names = names or _UserNames()
    columns = [f"{relation}_{column}" for column in _UserNames.COLUMNS[1:]]
    for record in records:
        values = record.__dict__
        if columns[0] in values:
            name = names.of([values[f"{relation}_id"], *(values[c] for c in columns)])
            values.setdefault("_vg_represented", {})[relation] = name


class SuggestionListSerializer(PageListSerializer):
    """Shows who submitted each suggestion of a page from its columns (`attach_names`)."""

    @staticmethod
    def attach(suggestions):
        attach_names(suggestions, "submitted_by")


class ImpedimentListSerializer(PageListSerializer):
    """Reads the updates and escalations of a whole page at once (`attach_threads`)."""

    attach = staticmethod(attach_threads)


class ImpedimentUpdateInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=5000)


class ImpedimentSerializer(VendorScopedSerializer):
    url = IdentityUrlField(view_name="impediment-detail")
    owner_user = VisibleUserField(queryset=get_user_model().objects.all(), required=False,
                                  allow_null=True)
    owner_contact = VisiblePrimaryKeyRelatedField(queryset=Contact.objects.all(),
                                                  required=False, allow_null=True)
    raised_by = serializers.StringRelatedField(allow_null=True)
    age_days = serializers.IntegerField(read_only=True)
    flagged_for_escalation = serializers.SerializerMethodField(
        help_text="Open longer than the vendor's plan allows, with a step left to climb.")
    updates = ImpedimentUpdateSerializer(many=True, read_only=True)
    escalations = EscalationSerializer(many=True, read_only=True)

    class Meta:
        model = Impediment
        list_serializer_class = ImpedimentListSerializer
        fields = ["id", "url", "vendor", "title", "description", "kind", "severity",
                  "raised_by_side", "raised_by", "raised_on", "responsible_side",
                  "owner_user", "owner_contact", "status", "resolution", "resolved_on",
                  "escalation_level", "age_days", "flagged_for_escalation", "updates",
                  "escalations", "archived_at"]
        read_only_fields = ["raised_by_side", "raised_on", "resolved_on", "escalation_level",
                            "archived_at"]

    @extend_schema_field(serializers.BooleanField())
    def get_flagged_for_escalation(self, impediment) -> bool:
        # A list's rows carry their vendor's limit as a column (the viewset's annotation);
        # a record its plan with the vendor (select_related). None written: the default.
        if hasattr(impediment, "plan_escalate_after_days"):
            limit = impediment.plan_escalate_after_days
        else:
            plan = getattr(impediment.vendor, "governance_plan", None)
            limit = plan.escalate_after_days if plan else None
        return impediment.flagged_for_escalation(
            DEFAULT_ESCALATE_AFTER_DAYS if limit is None else limit)

    def validate(self, attrs):
        if self.instance is None and attrs.get("status", "open") != "open":
            raise serializers.ValidationError({"status": "A new impediment is open."})
        return attrs


class SuggestionSerializer(VendorScopedSerializer):
    """The vendor (or we) submit and improve suggestions; only our side moves them through
    the workflow (`status`, with `rationale`, and for the outcome review `realised_value`
    and `lessons`)."""

    url = IdentityUrlField(view_name="suggestion-detail")
    status = StrictChoiceField(choices=SuggestionStatus.choices, required=False,
                               help_text="Set to move the suggestion on in its workflow.")
    rationale = StrictCharField(write_only=True, required=False, allow_blank=True,
                                max_length=5000,
                                help_text="Why it is accepted or declined (required then).")
    realised_value = StrictDecimalField(max_digits=14, decimal_places=2, min_value=0,
                                        required=False, allow_null=True,
                                        help_text="For the outcome review.")
    lessons = StrictCharField(required=False, allow_blank=True, max_length=5000,
                              help_text="For the outcome review.")
    submitted_by = serializers.StringRelatedField(allow_null=True)
    is_assessed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Suggestion
        list_serializer_class = SuggestionListSerializer
        fields = ["id", "url", "vendor", "title", "description", "category", "currency",
                  "estimated_value", "estimated_effort_days", "source_side", "submitted_by",
                  "submitted_on", "status", "rationale", "decision_rationale", "decided_on",
                  "implemented_on", "realised_value", "lessons", "outcome_reviewed_on",
                  "is_assessed", "archived_at"]
        read_only_fields = ["source_side", "submitted_on", "decision_rationale",
                            "decided_on", "implemented_on", "outcome_reviewed_on",
                            "archived_at"]

    def validate(self, attrs):
        status = attrs.get("status")
        if self.instance is None and status not in (None, SuggestionStatus.SUBMITTED):
            raise serializers.ValidationError({"status": "A new suggestion is submitted; "
                                                         "its review comes after."})
        outcome = {"realised_value", "lessons"} & set(attrs)
        if outcome and status != SuggestionStatus.OUTCOME_REVIEWED:
            raise serializers.ValidationError({sorted(outcome)[0]: "Give it with status "
                                                                   "'outcome_reviewed'."})
        return attrs



