"""API representations of SLAs. Shapes only: writes go through `sla.services`, and
measurements are checked by `sla.ingest` (in memory, for batches of thousands)."""

from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import BooleanField, OuterRef
from django.db.models.expressions import RawSQL
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from sla import ingest, rules
from sla.choices import CORRECTIVE_ACTION_PROGRESS, DisputeStatus, ResponsibleSide
from sla.models import (
    SLA,
    BusinessCalendar,
    CorrectiveAction,
    Dispute,
    Evaluation,
    Measurement,
    ServiceLevel,
    SLAVersion,
)
from vendorgov.api.fields import (
    IdentityUrlField,
    ReadModelSerializer,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictDecimalField,
    StrictIntegerField,
    StrictModelSerializer,
)
from vendorgov.api.lists import PageListSerializer
from vendorgov.api.representation import represent_row, row_converters


class StoredDecimalField(serializers.DecimalField):
    """DRF's DecimalField, answering a value that already has the field's decimal places
    and fits its digits (every value of a column of that precision) without DRF's
    `quantize` (a copy of the decimal context and a power of ten per value, a tenth of a
    list's own time): quantizing it changes nothing, so the text is the same. Anything
    else goes DRF's way."""

    def to_representation(self, value):
        if (type(value) is Decimal and self.max_digits is not None and not self.localize
                and not self.normalize_output
                and getattr(self, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)):
            _sign, digits, exponent = value.as_tuple()
            if exponent == -self.decimal_places and len(digits) <= self.max_digits:
                return f"{value:f}"
        return super().to_representation(value)


class _StoredDecimals:
    # Model decimals represented by StoredDecimalField. (A comment: drf-spectacular would
    # show a docstring.)
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.DecimalField: StoredDecimalField}


def _vendor():
    return serializers.PrimaryKeyRelatedField(read_only=True, help_text="The vendor's id.")


class SlaHolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField()


@extend_schema_field({"type": "string",
                      "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"})
class LocalTimeField(serializers.TimeField):
    """A local wall time, "HH:MM:SS", read in the calendar's time zone: no offset (the
    schema's `format: time` would demand one)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M:%S", **kwargs)


class SlaCalendarSerializer(ReadModelSerializer):
    url = IdentityUrlField(view_name="sla-calendar-detail")
    vendor = _vendor()
    day_starts = LocalTimeField(read_only=True)
    day_ends = LocalTimeField(read_only=True)
    holidays = serializers.SerializerMethodField()
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = BusinessCalendar
        fields = ["id", "url", "vendor", "contract", "name", "time_zone", "working_days",
                  "day_starts", "day_ends", "holidays", "summary", "archived_at"]
        read_only_fields = fields

    @extend_schema_field(SlaHolidaySerializer(many=True))
    def get_holidays(self, calendar):
        return [{"date": day, "name": name} for day, name in calendar.holiday_list]


class ServiceLevelSerializer(ReadModelSerializer):
    url = IdentityUrlField(view_name="sla-service-level-detail")
    vendor = serializers.IntegerField(source="version.sla.vendor_id", read_only=True,
                                      help_text="The vendor's id.")
    sla = serializers.IntegerField(source="version.sla_id", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True,
                                       help_text="The SLA version this service level is in.")
    version_status = serializers.CharField(source="version.status", read_only=True)
    effective_from = serializers.DateField(source="version.effective_from", read_only=True,
                                           allow_null=True)
    effective_until = serializers.DateField(source="version.effective_until", read_only=True,
                                            allow_null=True)
    rule = serializers.CharField(read_only=True, help_text="The rule in words.")

    class Meta:
        model = ServiceLevel
        fields = ["id", "url", "vendor", "sla", "version", "version_status", "effective_from",
                  "effective_until", "key", "name", "measured", "unit", "comparator", "target",
                  "breach_threshold", "window", "calendar", "weight", "criticality",
                  "bonus_points", "credit_percent", "rule"]
        read_only_fields = fields


class SlaVersionSerializer(_StoredDecimals, ReadModelSerializer):
    service_levels = serializers.SerializerMethodField()

    class Meta:
        model = SLAVersion
        fields = ["number", "status", "summary", "effective_from", "effective_until",
                  "monthly_charge", "credit_cap_percent", "earn_back_windows",
                  "dispute_window_days", "service_levels"]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_service_levels(self, version) -> list[int]:
        # The API represents versions within their SLA, read as rows by attach_versions;
        # this serializer is what documents (and checks) that shape.
        return list(version.service_levels.values_list("id", flat=True))


#: The version columns the API shows (and `governs` reads).
_VERSION_COLUMNS = ("sla_id", "number", "status", "summary", "effective_from",
                    "effective_until", "monthly_charge", "credit_cap_percent",
                    "earn_back_windows", "dispute_window_days")


class _Terms:
    """What `SLAVersion.governs` reads of a version, judged by the model's own rule."""

    __slots__ = ("number", "status", "effective_from", "effective_until")
    in_force = SLAVersion.in_force
    governs = SLAVersion.governs

    def __init__(self, number, status, effective_from, effective_until):
        self.number, self.status = number, status
        self.effective_from, self.effective_until = effective_from, effective_until


#: The service levels' own order (their Meta.ordering), through the join from their version.
_LEVEL_ORDER = [f"{'-' if key.startswith('-') else ''}service_levels__{key.lstrip('-')}"
                for key in ServiceLevel._meta.ordering]


#: The PostgreSQL query of `_versions_with_levels`, compiled once per database: only the
#: SLA ids change from one page to the next, and building and compiling the query again
#: took a third of the time of reading a page's versions.
_VERSIONS_SQL: dict[str, tuple] = {}


def _versions_query(using: str) -> tuple:
    """(the compiler, its SQL, its parameters with None where the SLA ids go)."""
    compiled = _VERSIONS_SQL.get(using)
    if compiled is None:
        levels = ArraySubquery(ServiceLevel.objects.filter(version=OuterRef("pk"))
                               .order_by(*ServiceLevel._meta.ordering).values("id"))
        # `= ANY(array)`: one parameter, whatever the number of ids.
        versions = (SLAVersion.objects.using(using).order_by("-number")
                    .filter(RawSQL('"sla_slaversion"."sla_id" = ANY(%s)', (_ANY_IDS,),
                                   output_field=BooleanField()))
                    .values_list("id", *_VERSION_COLUMNS, levels))
        compiler = versions.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        compiled = _VERSIONS_SQL[using] = (compiler, sql, [None if p is _ANY_IDS else p
                                                           for p in params])
    return compiled


_ANY_IDS: list[int] = []  # a sentinel: where the SLA ids go among the parameters


def _versions_with_levels(sla_ids: list[int], using: str):
    """(version id, SLA id, the _VERSION_COLUMNS after sla_id, [service level ids]) for
    every version of these SLAs, newest first, the ids in the service levels' own order.
    On PostgreSQL each version is one row, its ids an array read in the same query
    (a page of 100 SLAs: 100 rows, not one per service level); elsewhere the versions
    joined with their service levels, one row per level, folded here."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        compiler, sql, params = _versions_query(using)
        with connection.cursor() as cursor:
            cursor.execute(sql, [sla_ids if p is None else p for p in params])
            rows = cursor.fetchall()
        yield from compiler.results_iter([rows])  # Django's own converters, if any
        return
    versions = SLAVersion.objects.using(using).order_by("-number")
    folded = {}  # by version id, in the order first seen (newest first)
    for version_id, *values, level_id in (
            versions.filter(sla_id__in=sla_ids).order_by("-number", *_LEVEL_ORDER)
            .values_list("id", *_VERSION_COLUMNS, "service_levels__id")):
        version = folded.get(version_id)
        if version is None:
            version = folded[version_id] = (version_id, *values, [])
        if level_id is not None:
            version[-1].append(level_id)
    yield from folded.values()


def attach_versions(slas: list[SLA]) -> None:
    """Set on each SLA its versions (newest first), represented as SlaVersionSerializer
    represents them, with their service level ids (in the service levels' own order), and
    `_versions`, the terms `current_version` reads: one query for a whole page, read as
    plain rows (`_versions_with_levels`). Django's prefetch built a model and a related
    manager for each service level (700 on a page of 100 SLAs); a model per version, and a
    second query for the ids, were most of what was left."""
    if not slas:
        return
    by_sla = {sla.pk: [] for sla in slas}
    terms = {pk: [] for pk in by_sla}
    columns = _VERSION_COLUMNS[1:]
    converters = row_converters(SlaVersionSerializer, columns)
    for _version_id, sla_id, *values, level_ids in _versions_with_levels(
            list(by_sla), slas[0]._state.db or DEFAULT_DB_ALIAS):
        shown = represent_row(converters, values)
        shown["service_levels"] = level_ids
        by_sla[sla_id].append(shown)
        row = dict(zip(columns, values, strict=True))
        terms[sla_id].append(_Terms(row["number"], row["status"], row["effective_from"],
                                    row["effective_until"]))
    for sla in slas:
        sla._versions = terms[sla.pk]
        sla._vg_represented = {"versions": by_sla[sla.pk]}


class SLAListSerializer(PageListSerializer):
    """Reads the versions of a whole page of SLAs at once (`attach_versions`)."""

    attach = staticmethod(attach_versions)


class SLASerializer(ReadModelSerializer):
    url = IdentityUrlField(view_name="sla-detail")
    vendor = _vendor()
    current_version = serializers.SerializerMethodField(
        help_text="The number of the version in effect today, or null.")
    versions = serializers.SerializerMethodField()

    class Meta:
        model = SLA
        list_serializer_class = SLAListSerializer
        fields = ["id", "url", "vendor", "contract", "reference", "name", "description",
                  "owner", "review_interval_months", "review_due_on", "retired_on",
                  "archived_at", "current_version", "versions"]
        read_only_fields = fields

    def _versions_of(self, sla) -> list[_Terms]:
        if not hasattr(sla, "_versions"):
            attach_versions([sla])
        return sla._versions

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_current_version(self, sla):
        if "_today" not in self.__dict__:  # once per list, not per row
            self._today = timezone.localdate()
        return next((v.number for v in self._versions_of(sla) if v.governs(self._today)),
                    None)

    @extend_schema_field(SlaVersionSerializer(many=True))
    def get_versions(self, sla):
        # A page's SLAs come with their versions represented (attach_versions); a record
        # read alone reads them here.
        self._versions_of(sla)
        return sla._vg_represented["versions"]


class SlaMeasurementSerializer(_StoredDecimals, ReadModelSerializer):
    url = IdentityUrlField(view_name="sla-measurement-detail")
    vendor = _vendor()
    sla = serializers.IntegerField(source="sla_id", read_only=True)  # annotated by the view

    class Meta:
        model = Measurement
        fields = ["id", "url", "vendor", "sla", "service_level", "window_start", "window_end",
                  "value", "source", "submitted_by", "submitted_at", "note", "external_id"]
        read_only_fields = fields


class SlaMeasurementInputSerializer(serializers.Serializer):
    """One measurement to submit. (Documents the shape; rows are checked in memory by
    `sla.ingest`, which gives the same answers for a single row and for a batch.)"""

    service_level = StrictIntegerField(min_value=1, max_value=ingest.MAX_ID,
                                       help_text="The service level's id.")
    window_start = StrictDateField(
        help_text="The window's first day: a Monday (weekly), the 1st (monthly) or the first "
                  "day of a quarter. The window must have ended.")
    value = serializers.FloatField(min_value=-float(ingest.MAX_VALUE),
                                   max_value=float(ingest.MAX_VALUE),
                                   help_text="The measured value, in the service level's unit.")
    unit = StrictCharField(required=False, allow_blank=True, max_length=20,
                           help_text="Optional: the unit you measured in; a mismatch is an "
                                     "error.")
    note = StrictCharField(required=False, allow_blank=True, max_length=ingest.NOTE_MAX)
    external_id = StrictCharField(
        required=False, allow_blank=True, max_length=ingest.EXTERNAL_ID_MAX,
        help_text="Your id for this measurement: resubmitting it creates nothing new.")


class SlaMeasurementBatchSerializer(serializers.Serializer):
    measurements = SlaMeasurementInputSerializer(many=True, max_length=ingest.MAX_BATCH,
                                              help_text=f"Up to {ingest.MAX_BATCH} rows.")


class SlaBatchResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField(
        help_text="Rows whose external id was already submitted with the same content.")
    detail = serializers.CharField()


class SlaRowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The row's position in the request, from 0.")
    field = serializers.CharField()
    message = serializers.CharField()


class SlaBatchErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = SlaRowErrorSerializer(many=True, required=False,
                                   help_text="Every bad row; absent when the body itself "
                                             "could not be read.")


class SlaDisputeSerializer(ReadModelSerializer):
    url = IdentityUrlField(view_name="sla-dispute-detail")
    vendor = _vendor()

    class Meta:
        model = Dispute
        fields = ["id", "url", "vendor", "evaluation", "reason", "status", "raised_by",
                  "raised_at", "decision_note", "corrected_value", "decided_by", "decided_at"]
        read_only_fields = fields


#: The annotation of an evaluation list's rows that holds its dispute's id (or None).
DISPUTE_PK = "_vg_dispute_pk"


def attach_evaluation_texts(evaluations: list[Evaluation], fields: dict) -> None:
    """Set on each of a page's evaluations what its representation shows beyond its
    columns (its window's label, the rule in words, the explanation of its value, its
    dispute's id, its dispute deadline), by the models' own properties, with what a few
    service levels share worked out once per level instead of once per row: the rule and
    the explanation's words (`rules.explainer`), and the deadline per moment evaluated.
    `fields`: the serializer's own fields, whose conversion gives the deadline as DRF
    would."""
    deadline_of = fields["dispute_deadline"].to_representation
    levels, deadlines = {}, {}
    for evaluation in evaluations:
        level = evaluation.service_level
        known = levels.get(level.pk)
        if known is None:
            known = levels[level.pk] = (level.rule, rules.explainer(level.terms))
        rule, explain = known
        key = (evaluation.evaluated_at, level.version.dispute_window_days)
        deadline = deadlines.get(key)
        if deadline is None:
            deadline = deadlines[key] = deadline_of(evaluation.dispute_deadline())
        if DISPUTE_PK in evaluation.__dict__:  # a list's column (EvaluationViewSet)
            dispute = evaluation.__dict__[DISPUTE_PK]
        else:
            try:
                dispute = evaluation.dispute.pk
            except Dispute.DoesNotExist:
                dispute = None
        evaluation._vg_represented = {
            "window": evaluation.label,
            "rule": rule,
            "explanation": explain(evaluation.value),  # Evaluation.explanation's rule
            "dispute": dispute,
            "dispute_deadline": deadline,
        }


class SlaEvaluationListSerializer(PageListSerializer):
    """Works out a page's texts once per service level (`attach_evaluation_texts`)."""

    def attach(self, records):
        attach_evaluation_texts(records, self.child.fields)


class SlaEvaluationSerializer(_StoredDecimals, ReadModelSerializer):
    url = IdentityUrlField(view_name="sla-evaluation-detail")
    vendor = _vendor()
    window = serializers.CharField(source="label", read_only=True)
    rule = serializers.CharField(source="service_level.rule", read_only=True)
    explanation = serializers.CharField(read_only=True)
    dispute_deadline = serializers.DateField(read_only=True)
    dispute = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        list_serializer_class = SlaEvaluationListSerializer
        fields = ["id", "url", "vendor", "sla", "service_level", "window", "window_start",
                  "window_end", "status", "value", "rule", "explanation", "excused",
                  "evaluated_at", "corrective_action", "dispute", "dispute_deadline"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True,
                                                  help_text="The dispute's id, if any."))
    def get_dispute(self, evaluation):
        try:
            return evaluation.dispute.pk
        except Dispute.DoesNotExist:
            return None


class SlaDisputeRaiseSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=5000)


class SlaDisputeDecisionSerializer(serializers.Serializer):
    decision = StrictChoiceField(choices=[(s.value, s.label) for s in (DisputeStatus.ACCEPTED,
                                                                     DisputeStatus.REJECTED)])
    note = StrictCharField(max_length=5000)
    corrected_value = StrictDecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True,
        help_text="When accepting: the right value (recorded as a new measurement). Leave "
                  "out to excuse the window.")


class CorrectiveActionSerializer(StrictModelSerializer):
    """Our side changes these fields (PATCH); the owner's side reports with …/progress/."""

    url = IdentityUrlField(view_name="sla-corrective-action-detail")
    vendor = _vendor()
    sla = serializers.PrimaryKeyRelatedField(read_only=True)
    evaluations = serializers.PrimaryKeyRelatedField(many=True, read_only=True,
                                                     help_text="The breaches it covers.")
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = ["id", "url", "vendor", "sla", "title", "description", "root_cause",
                  "side_responsible", "owner", "due_on", "status", "progress_note",
                  "verification_note", "opened_on", "closed_on", "is_open", "evaluations"]
        read_only_fields = ["opened_on", "closed_on"]
        extra_kwargs = {"owner": {"help_text": "A user id: ours, or of the vendor's team."}}

    def validate_owner(self, owner):
        vendor_id = self.instance.vendor_id if self.instance else None
        if owner is not None and owner.vendor_id and owner.vendor_id != vendor_id:
            raise serializers.ValidationError("Choose someone of ours or of this vendor.")
        return owner


class CorrectiveActionProgressSerializer(serializers.Serializer):
    status = StrictChoiceField(choices=[(s.value, s.label) for s in CORRECTIVE_ACTION_PROGRESS])
    root_cause = StrictCharField(required=False, allow_blank=True, max_length=10000)
    progress_note = StrictCharField(required=False, allow_blank=True, max_length=10000)
    side_responsible = StrictChoiceField(choices=ResponsibleSide.choices, required=False,
                                         allow_blank=True)

