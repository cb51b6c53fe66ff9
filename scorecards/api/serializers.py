"""API representations of scorecards. Shapes and input checks only: writes go through
`scorecards.services` (see scorecards.api.views)."""

from decimal import Decimal

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scorecards.choices import AVAILABLE_DATA_SOURCES, DataSource, DisputeOutcome
from scorecards.models import (
    Actual,
    Dispute,
    Measure,
    Objective,
    Period,
    Perspective,
    Scorecard,
)
from vendorgov.api.fields import (
    IdentityUrlField,
    StrictCharField,
    StrictChoiceField,
    StrictDecimalField,
    StrictModelSerializer,
)
from vendors.api.serializers import VendorScopedSerializer, VisiblePrimaryKeyRelatedField

VALUE = {"max_digits": 14, "decimal_places": 4}


class ValueField(StrictDecimalField):
    """A figure as the schema states it: a string of digits, or null to clear it. DRF
    would read an empty string as null; the schema's pattern does not allow it."""

    def validate_empty_values(self, data):
        if isinstance(data, str) and not data.strip():
            self.fail("invalid")
        return super().validate_empty_values(data)


class ObjectiveSerializer(StrictModelSerializer):
    measures = serializers.SerializerMethodField(help_text="Ids of its measures (retired too).")

    class Meta:
        model = Objective
        fields = ["id", "name", "description", "weight", "position", "archived_at", "measures"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_measures(self, objective):
        return [m.pk for m in objective.measures.all()]


class PerspectiveSerializer(StrictModelSerializer):
    objectives = ObjectiveSerializer(many=True, read_only=True)

    class Meta:
        model = Perspective
        fields = ["id", "name", "description", "weight", "position", "archived_at",
                  "objectives"]


class ScorecardSerializer(StrictModelSerializer):
    """A vendor's scorecard with its perspectives and objectives; measures, periods and
    actuals are their own resources."""

    url = IdentityUrlField(view_name="scorecard-detail")
    vendor = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The vendor's id.")
    template = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    perspectives = PerspectiveSerializer(many=True, read_only=True)

    class Meta:
        model = Scorecard
        fields = ["id", "url", "vendor", "name", "template", "period_type", "starts_on",
                  "created_at", "archived_at", "perspectives"]
        read_only_fields = fields


class MeasureSerializer(VendorScopedSerializer):
    """A measure with its rule. `archived_at` is when it was retired: a retired measure
    keeps its actuals and takes no new ones. With data source 'sla' it names the vendor's
    `service_level` it is fed from, and its actuals are derived, never entered."""

    url = IdentityUrlField(view_name="scorecard-measure-detail")
    objective = VisiblePrimaryKeyRelatedField(queryset=Objective.objects.all(),
                                              help_text="The objective's id.")
    perspective = serializers.IntegerField(source="objective.perspective_id", read_only=True)
    scorecard = serializers.IntegerField(source="objective.perspective.scorecard_id",
                                         read_only=True)
    data_source = StrictChoiceField(
        choices=[(v, label) for v, label in DataSource.choices if v in AVAILABLE_DATA_SOURCES],
        required=False, help_text="vendor, internal, or sla (then `service_level` is "
                                  "required).")
    service_level = VisiblePrimaryKeyRelatedField(
        queryset=Measure._meta.get_field("service_level").related_model.objects.all(),
        required=False, allow_null=True,
        help_text="With data_source 'sla': the id of the vendor's SLA service level whose "
                  "evaluated windows give the actuals (later SLA versions are followed); "
                  "null otherwise.")

    class Meta:
        model = Measure
        fields = ["id", "url", "vendor", "scorecard", "perspective", "objective", "name",
                  "definition", "unit", "direction", "target", "amber_threshold",
                  "red_threshold", "min_value", "max_value", "weight", "owner", "data_source",
                  "service_level", "frequency", "position", "active_from", "archived_at"]
        read_only_fields = ["archived_at"]

    def validate(self, attrs):
        objective = attrs.get("objective")
        if self.instance is not None and objective is not None \
                and objective.pk != self.instance.objective_id:
            raise serializers.ValidationError(
                {"objective": "A measure stays under its objective; retire it and add a new "
                              "one instead."})
        vendor = attrs.get("vendor", getattr(self.instance, "vendor", None))
        if objective is not None and vendor is not None and objective.vendor_id != vendor.pk:
            raise serializers.ValidationError({"objective": "This objective belongs to another "
                                                            "vendor's scorecard."})
        return attrs


class PeriodSerializer(StrictModelSerializer):
    url = IdentityUrlField(view_name="scorecard-period-detail")
    vendor = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The vendor's id.")
    scorecard = serializers.PrimaryKeyRelatedField(read_only=True)
    is_locked = serializers.BooleanField(read_only=True)
    locked_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Period
        fields = ["id", "url", "vendor", "scorecard", "label", "starts_on", "ends_on",
                  "is_locked", "locked_at", "locked_by", "lock_note"]
        read_only_fields = fields


class PeriodLockSerializer(serializers.Serializer):
    note = StrictCharField(required=False, allow_blank=True, max_length=500,
                                 help_text="e.g. 'Reviewed on 14 July'.")


class ActualSerializer(StrictModelSerializer):
    """One measure's result for one period. `vendor` follows the measure. Vendor users
    report `vendor_value`; our people may also record `internal_value` (what we measured),
    which is the value scored when present. Changing an approved actual, or any actual of a
    locked period, needs a `reason`."""

    url = IdentityUrlField(view_name="scorecard-actual-detail")
    vendor = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The vendor's id.")
    measure = VisiblePrimaryKeyRelatedField(queryset=Measure.objects.all(),
                                            help_text="The measure's id.")
    period = VisiblePrimaryKeyRelatedField(queryset=Period.objects.all(),
                                           help_text="The period's id.")
    vendor_value = ValueField(**VALUE, required=False, allow_null=True,
                                      help_text='The vendor\'s figure, e.g. "99.95".')
    internal_value = ValueField(**VALUE, required=False, allow_null=True,
                                        help_text="What we measured (our people only).")
    value = serializers.DecimalField(**VALUE, read_only=True, allow_null=True,
                                     help_text="The value scored: ours when measured, else "
                                               "the vendor's.")
    difference = serializers.DecimalField(**VALUE, read_only=True, allow_null=True,
                                          help_text="vendor_value minus internal_value.")
    rag = serializers.SerializerMethodField(help_text="green, amber, red or no_data.")
    score = serializers.DecimalField(max_digits=4, decimal_places=1, read_only=True,
                                     allow_null=True, help_text="0–100.")
    evidence_file = serializers.SerializerMethodField(
        help_text="Address of the uploaded evidence file (upload it on the page), or null.")
    reason = StrictCharField(write_only=True, required=False, allow_blank=True,
                             max_length=2000,
                                   help_text="Why it changes (approved or locked).")
    reported_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    reported_side = serializers.CharField(read_only=True,
                                          help_text="Who reported it: 'vendor' or 'ours'.")
    approved_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Actual
        fields = ["id", "url", "vendor", "measure", "period", "vendor_value", "internal_value",
                  "value", "difference", "rag", "score", "comment", "evidence_url",
                  "evidence_file", "status", "reported_by", "reported_side", "submitted_at",
                  "approved_at", "approved_by", "sent_back_reason", "target",
                  "amber_threshold", "red_threshold", "direction", "reason", "created_at",
                  "updated_at"]
        read_only_fields = ["status", "reported_side", "submitted_at", "approved_at",
                            "sent_back_reason", "target", "amber_threshold", "red_threshold",
                            "direction", "created_at", "updated_at"]
        extra_kwargs = {"comment": {"required": False, "max_length": 4000},
                        "evidence_url": {"required": False}}

    def get_rag(self, actual) -> str:
        return actual.rag.value

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence_file(self, actual):
        if not actual.evidence_file:
            return None
        path = reverse("scorecards:evidence", args=[actual.vendor.slug, actual.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("measure", "period"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: "Fixed once recorded; record a new actual instead."})
        return attrs


class SendBackSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000, help_text="What needs to change.")


class DisputeSerializer(StrictModelSerializer):
    """The vendor disputes the value we measured, or an approval; resolved with `resolve`."""

    url = IdentityUrlField(view_name="scorecard-dispute-detail")
    vendor = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The vendor's id.")
    actual = VisiblePrimaryKeyRelatedField(queryset=Actual.objects.all(),
                                           help_text="The disputed actual's id.")
    raised_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    resolved_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Dispute
        fields = ["id", "url", "vendor", "actual", "reason", "status", "raised_by",
                  "raised_at", "resolution", "resolved_by", "resolved_at"]
        read_only_fields = ["status", "raised_at", "resolution", "resolved_at"]
        extra_kwargs = {"reason": {"max_length": 4000}}


class DisputeResolveSerializer(serializers.Serializer):
    outcome = StrictChoiceField(choices=DisputeOutcome.choices)
    resolution = StrictCharField(max_length=4000)
    corrected_value = ValueField(**VALUE, required=False, allow_null=True,
                                               help_text="If upheld: the corrected value, "
                                                         "recorded as our measurement.")


# -- scores (computed, read-only) ------------------------------------------------------------


class MeasureScoreSerializer(serializers.Serializer):
    measure = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    share = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True,
                                     help_text="Normalised weight within its objective, 0–1.")
    target = serializers.DecimalField(**VALUE)
    actual = serializers.IntegerField(allow_null=True, help_text="The actual's id, if any.")
    value = serializers.DecimalField(**VALUE, allow_null=True,
                                     help_text="Null when there is no submitted value.")
    score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    rag = serializers.CharField()
    workflow = serializers.CharField(allow_null=True, help_text="draft, submitted, approved.")


class GroupScoreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    share = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    rag = serializers.CharField()
    coverage = serializers.DecimalField(max_digits=5, decimal_places=4,
                                        help_text="Share of the weight with data, 0–1.")
    weights_total = serializers.DecimalField(max_digits=9, decimal_places=2,
                                             help_text="Total of the children's weights, "
                                                       "before normalisation.")


class ObjectiveScoreSerializer(GroupScoreSerializer):
    measures = MeasureScoreSerializer(many=True)


class PerspectiveScoreSerializer(GroupScoreSerializer):
    objectives = ObjectiveScoreSerializer(many=True)


class ScoresSerializer(serializers.Serializer):
    vendor = serializers.IntegerField(help_text="The vendor's id.")
    scorecard = serializers.IntegerField()
    period = serializers.IntegerField(allow_null=True)
    period_label = serializers.CharField(allow_null=True)
    score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    rag = serializers.CharField()
    coverage = serializers.DecimalField(max_digits=5, decimal_places=4)
    perspectives = PerspectiveScoreSerializer(many=True)


def scores_data(page) -> dict:
    """The selected period's scores of a `selectors.ScorecardPage`, as plain data."""
    s = page.current

    def group(obj, rolled, **extra):
        return {"id": obj.pk, "name": obj.name, "weight": rolled.weight,
                "share": _share(rolled.share), "score": rolled.score,
                "rag": rolled.status.value, "coverage": _share(rolled.coverage),
                "weights_total": rolled.weights_total, **extra}

    def measure(line):
        a = line.actual
        return {"measure": line.measure.pk, "name": line.measure.name, "unit": line.measure.unit,
                "weight": line.measure.weight, "share": _share(line.rolled.share),
                "target": a.target if a else line.measure.target,
                "actual": a.pk if a else None, "value": a.value if line.counted else None,
                "score": line.score, "rag": line.status.value,
                "workflow": a.status if a else None}

    return {"vendor": page.scorecard.vendor_id, "scorecard": page.scorecard.pk,
            "period": page.period.pk if page.period else None,
            "period_label": page.period.label if page.period else None,
            "score": s.rolled.score, "rag": s.rolled.status.value,
            "coverage": _share(s.rolled.coverage),
            "perspectives": [group(p.perspective, p.rolled, objectives=[
                group(o.objective, o.rolled, measures=[measure(line) for line in o.lines])
                for o in p.objectives]) for p in s.perspectives]}


def _share(value):
    return None if value is None else Decimal(value).quantize(Decimal("0.0001"))
