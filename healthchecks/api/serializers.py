"""API shapes of health checks. Results are aggregates (never who said what); the vendor's
people get them, and the findings, once the cycle is shared with them, and never our
people's comments."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from healthchecks import selectors
from healthchecks.choices import Dimension, Group
from healthchecks.models import Cycle, Finding, Invitation, Question
from vendorgov.api.fields import (
    IdentityUrlField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
)


def _vendor():
    return serializers.PrimaryKeyRelatedField(read_only=True, help_text="The vendor's id.")


class FigureSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="Respondents behind the figure.")
    mean = serializers.FloatField(allow_null=True, help_text="Null when fewer than 3.")
    stdev = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField(help_text="Fewer than 3 respondents: not shown.")


class GroupFiguresSerializer(serializers.Serializer):
    it = FigureSerializer()
    business = FigureSerializer()
    vendor = FigureSerializer()


class DimensionResultSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    overall = FigureSerializer()
    groups = GroupFiguresSerializer()
    previous = serializers.FloatField(allow_null=True,
                                      help_text="The previous cycle's mean, if any.")
    change = serializers.FloatField(allow_null=True)
    comments = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                     help_text="Per group, without names; only groups with "
                                               "at least 3 respondents (the vendor's people "
                                               "see their own group's only).")


class GapSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    ours = serializers.FloatField()
    vendor = serializers.FloatField()
    gap = serializers.FloatField(help_text="Our view minus the vendor's.")


class ResultsSerializer(serializers.Serializer):
    overall = serializers.FloatField(allow_null=True)
    respondents = serializers.DictField(child=serializers.IntegerField())
    dimensions = DimensionResultSerializer(many=True)
    gaps = GapSerializer(many=True, help_text="Largest first.")


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "dimension", "text", "severity", "concerns"]


class CycleListSerializer(serializers.ListSerializer):
    """A page of cycles: the results of all of them read in a fixed number of queries."""

    def to_representation(self, data):
        cycles = list(data.all() if hasattr(data, "all") else data)
        self._context = {**self._context, "results_of": selectors.results_of(cycles)}
        return super().to_representation(cycles)


class CycleSerializer(serializers.ModelSerializer):
    url = IdentityUrlField(view_name="health-check-detail")
    vendor = _vendor()
    results = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    class Meta:
        list_serializer_class = CycleListSerializer
        model = Cycle
        fields = ["id", "url", "vendor", "status", "due_on", "collection_ends_on", "closed_on",
                  "close_reason", "closed_without_responses", "shared_with_vendor", "results",
                  "findings"]

    def _shows(self, cycle) -> bool:
        user = self.context["request"].user
        return cycle.status != "planned" and selectors.vendor_may_see_results(user, cycle)

    @extend_schema_field(ResultsSerializer(allow_null=True))
    def get_results(self, cycle):
        if not self._shows(cycle):
            return None
        # A list reads every cycle's results at once (CycleListSerializer).
        bulk = self.context.get("results_of")
        results = bulk[cycle.pk] if bulk is not None else selectors.results(cycle)
        if self.context["request"].user.is_vendor_user:
            for d in results.dimensions:  # our people's comments never reach the vendor
                d.comments = {g: t for g, t in d.comments.items() if g == Group.VENDOR}
        data = ResultsSerializer(results).data
        for row, d in zip(data["dimensions"], results.dimensions, strict=True):
            row["change"] = d.change
        return data

    @extend_schema_field(FindingSerializer(many=True, allow_null=True))
    def get_findings(self, cycle):
        if not self._shows(cycle):
            return None
        return FindingSerializer([f for f in cycle.findings.all() if f.archived_at is None],
                                 many=True).data


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "position", "dimension", "text"]


class MyAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    score = serializers.IntegerField(allow_null=True, help_text="1–5; null for don't know.")
    comment = serializers.CharField(allow_blank=True)


class SurveySerializer(serializers.ModelSerializer):
    url = IdentityUrlField(view_name="health-check-survey-detail")
    vendor = _vendor()
    state = serializers.SerializerMethodField()
    collection_ends_on = serializers.DateField(source="cycle.collection_ends_on",
                                               read_only=True, allow_null=True)
    questions = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "url", "vendor", "cycle", "group", "state", "collection_ends_on",
                  "submitted_at", "questions", "answers"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(
        choices=["invited", "started", "submitted", "revoked", "expired"]))
    def get_state(self, invitation) -> str:
        return invitation.state

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, invitation):
        return QuestionSerializer(invitation.cycle.questions.all(), many=True).data

    @extend_schema_field(MyAnswerSerializer(many=True))
    def get_answers(self, invitation):
        return [{"question": a.question_id, "score": a.score, "comment": a.comment}
                for a in invitation.answers.all()]


class AnswerInputSerializer(serializers.Serializer):
    question = StrictIntegerField(min_value=1, max_value=2_147_483_647,
                                  help_text="A question of this survey.")
    score = StrictIntegerField(min_value=1, max_value=5, allow_null=True,
                               help_text="1 (very poor) to 5 (very good); null for don't "
                                         "know.")
    comment = StrictCharField(max_length=4000, required=False, allow_blank=True, default="")


class SurveyAnswersSerializer(serializers.Serializer):
    answers = AnswerInputSerializer(many=True, max_length=500)
    submit = StrictBooleanField(required=False, default=False,
                                help_text="Hand the answers in; the survey closes to you.")
