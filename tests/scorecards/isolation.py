"""The scorecards' part of the isolation table (see tests/test_isolation.py)."""

from datetime import timedelta
from decimal import Decimal as D

from django.utils import timezone

from scorecards import services
from scorecards.models import Measure, Objective, Perspective, TemplateMeasure
from sla import rules
from sla import services as sla_services
from tests.scorecards.factories import make_scorecard, period
from tests.sla.factories import measurement, service_level


def records(vendor, tag) -> dict:
    card = make_scorecard(vendor, tag=tag)
    template = card.template
    measure = Measure.objects.filter(vendor=vendor, data_source="internal").first()
    actual = services.actual_record(measure=measure, period=period(vendor, 1), by=None,
                                    internal_value=D(1), comment=f"{tag} comment",
                                    evidence_url=f"https://{tag.lower()}.example/e",
                                    submit=True)
    dispute = services.dispute_raise(actual=actual, by=None, reason=f"{tag} disputes this")
    # A measure fed from the vendor's SLA, with an actual derived from last month's window.
    sl = service_level(vendor, name=f"{tag} uptime")
    last_month = rules.window_start("monthly", timezone.localdate().replace(day=1)
                                    - timedelta(days=1))
    measurement(sl, last_month, "99.7")
    sla_services.evaluate_windows({(sl.pk, last_month)})
    fed = services.part_create(Measure, objective=measure.objective, name=f"{tag} uptime",
                               definition=f"{tag} worst month", unit="%", direction="higher",
                               target=D("99.5"), amber_threshold=D("99"), red_threshold=D("98"),
                               data_source="sla", service_level=sl, active_from=card.starts_on)
    assert fed.actuals.exists()
    return {
        "scorecard": card,
        "sc_template": template,
        "sc_template_measure": TemplateMeasure.objects.filter(
            objective__perspective__template=template).first(),
        "sc_perspectives": Perspective.objects.filter(vendor=vendor).first(),
        "sc_objectives": Objective.objects.filter(vendor=vendor).first(),
        "sc_measures": measure,
        "sc_measure_fed_from_sla": fed,
        "sc_period": actual.period,
        "sc_actual": actual,
        "sc_dispute": dispute,
    }


PARTS = ("perspectives", "objectives", "measures")


def none(w):
    return [{}]


def b_slug(w):
    return [{"slug": w.b.slug}]


def b_record(kind):
    return lambda w: [{"slug": w.b.slug, "pk": w.b_records[kind].pk}]


def b_parts(w):
    return [{"slug": w.b.slug, "part": part, "pk": w.b_records[f"sc_{part}"].pk}
            for part in PARTS]


def b_pk(kind):
    return lambda w: [{"pk": w.b_records[kind].pk}]


def template(w):
    return [{"pk": w.b_records["sc_template"].pk}]


def template_parts(w):
    t = w.b_records["sc_template"]
    m = w.b_records["sc_template_measure"]
    return [{"pk": t.pk, "part": "measures", "part_pk": m.pk},
            {"pk": t.pk, "part": "objectives", "part_pk": m.objective_id},
            {"pk": t.pk, "part": "perspectives", "part_pk": m.objective.perspective_id}]


ROUTES = {
    "scorecards:portfolio": ("open", none),
    # Templates are ours: refused to vendor users whatever the id.
    "scorecards:template_list": ("denied", none),
    "scorecards:template_create": ("denied", none),
    "scorecards:template_detail": ("denied", template),
    "scorecards:template_update": ("denied", template),
    "scorecards:template_part_create": ("denied", lambda w: [
        {"pk": w.b_records["sc_template"].pk, "part": part} for part in PARTS]),
    "scorecards:template_part_update": ("denied", template_parts),
    "scorecards:template_part_retire": ("denied", template_parts),
    "scorecards:template_part_restore": ("denied", template_parts),
    "scorecards:vendor": ("b", b_slug),
    "scorecards:setup": ("b", b_slug),
    "scorecards:actuals_edit": ("b", b_slug),
    "scorecards:actual_approve": ("b", b_record("sc_actual")),
    "scorecards:actual_send_back": ("b", b_record("sc_actual")),
    "scorecards:dispute_create": ("b", b_record("sc_actual")),
    "scorecards:evidence": ("b", b_record("sc_actual")),
    "scorecards:dispute_resolve": ("b", b_record("sc_dispute")),
    "scorecards:period_approve": ("b", b_record("sc_period")),
    "scorecards:period_lock": ("b", b_record("sc_period")),
    "scorecards:measure": ("b", b_record("sc_measures")),
    "scorecards:part_create": ("b", lambda w: [{"slug": w.b.slug, "part": p} for p in PARTS]),
    "scorecards:part_update": ("b", b_parts),
    "scorecards:part_retire": ("b", b_parts),
    "scorecards:part_restore": ("b", b_parts),
    "scorecard-list": ("open", none),
    "scorecard-detail": ("b", b_pk("scorecard")),
    "scorecard-scores": ("b", b_pk("scorecard")),
    "scorecard-measure-list": ("open", none),
    "scorecard-measure-detail": ("b", b_pk("sc_measures")),
    "scorecard-measure-archive": ("b", b_pk("sc_measures")),
    "scorecard-measure-restore": ("b", b_pk("sc_measures")),
    "scorecard-period-list": ("open", none),
    "scorecard-period-detail": ("b", b_pk("sc_period")),
    "scorecard-period-lock": ("b", b_pk("sc_period")),
    "scorecard-actual-list": ("open", none),
    "scorecard-actual-detail": ("b", b_pk("sc_actual")),
    "scorecard-actual-submit": ("b", b_pk("sc_actual")),
    "scorecard-actual-approve": ("b", b_pk("sc_actual")),
    "scorecard-actual-send-back": ("b", b_pk("sc_actual")),
    "scorecard-dispute-list": ("open", none),
    "scorecard-dispute-detail": ("b", b_pk("sc_dispute")),
    "scorecard-dispute-resolve": ("b", b_pk("sc_dispute")),
}
