"""The demo portfolio's scorecards tell believable stories across several quarters."""

from io import StringIO

import pytest
from django.core.management import call_command

from scorecards import selectors
from scorecards.models import Actual, Dispute, Measure, Period, Scorecard
from vendors.models import Vendor

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=StringIO())
        yield
        call_command("flush", "--noinput", stdout=StringIO())


def scorecard(slug_start):
    return Scorecard.objects.get(vendor__slug__startswith=slug_start)


def test_main_vendors_have_the_default_template_with_five_perspectives(demo):
    cards = Scorecard.objects.select_related("template")
    assert {c.vendor.slug.split("-")[0] for c in cards} == {
        "meridian", "kestrel", "brightdesk", "lumen", "sentinel"}
    assert {c.template.name for c in cards} == {"Standard IT outsourcing scorecard"}
    names = list(scorecard("meridian").perspectives.values_list("name", flat=True))
    assert names == ["Financial / value", "Customer / service quality", "Internal process",
                     "Learning, growth & innovation", "Relationship"]


def test_several_quarters_of_history_reviewed_and_locked(demo):
    meridian = scorecard("meridian")
    ended = [p for p in meridian.periods.all() if p.has_ended]
    assert len(ended) >= 3
    assert all(p.is_locked for p in ended[:-1]) and not ended[-1].is_locked
    assert Actual.objects.filter(period__in=ended, status="approved").count() >= 30


def test_a_mix_of_green_amber_and_red(demo):
    statuses = {a.rag for a in Actual.objects.filter(status__in=["submitted", "approved"])}
    assert {"green", "amber", "red"} <= statuses
    page = selectors.scorecard_page(scorecard("kestrel"), None)
    assert page.current.red + page.current.amber > 0
    assert page.current.awaiting_approval > 0  # Liam has not approved Kestrel's latest yet


def test_one_missing_value_shows_as_no_data(demo):
    page = selectors.scorecard_page(scorecard("brightdesk"), None)
    missing = [line.measure.name for line in page.current.lines if line.status == "no_data"]
    assert missing == ["Savings delivered"]
    assert not page.current.rolled.is_complete


def test_self_reported_green_against_measured_red(demo):
    page = selectors.scorecard_page(scorecard("meridian"), None)
    [line] = page.current.mismatches
    assert line.measure.name == "Service availability"
    assert (line.actual.vendor_rag, line.actual.rag) == ("green", "red")


def test_disputes_one_open_one_upheld_with_the_value_corrected(demo):
    assert sorted(Dispute.objects.values_list("status", flat=True)) == ["open", "upheld"]
    upheld = Dispute.objects.get(status="upheld")
    assert upheld.actual.internal_value == 91 and upheld.actual.status == "approved"
    assert upheld.resolved_by.username == "liam" and upheld.raised_by.username == "alice"


def test_a_send_back_before_approval(demo):
    retention = Actual.objects.filter(measure__name="Key staff retained",
                                      vendor__slug__startswith="brightdesk").last()
    reasons = [h.history_change_reason or "" for h in retention.history.all()]
    assert any(r.startswith("Sent back:") for r in reasons)
    assert retention.status == "approved"


def test_lumen_diverged_from_the_template(demo):
    lumen = Vendor.objects.get(slug__startswith="lumen")
    rca = Measure.objects.get(vendor=lumen, name="Problems closed with root cause")
    assert rca.is_archived and rca.actuals.exists()  # retired, history kept
    assert Measure.objects.get(vendor=lumen, name="Data loads on time").actuals.exists()
    savings = Measure.objects.get(vendor=lumen, name="Savings delivered")
    assert savings.target == 40
    assert Measure.objects.get(vendor__slug__startswith="meridian",
                               name="Savings delivered").target == 150


def test_sentinel_is_onboarding_without_data(demo):
    page = selectors.scorecard_page(scorecard("sentinel"), None)
    assert page.current.rolled.score is None and page.current.rolled.status == "no_data"
    assert Period.objects.filter(scorecard=scorecard("sentinel")).count() == 1


def test_measures_fed_from_the_slas_are_derived_from_their_windows(demo):
    fed = Measure.objects.filter(data_source="sla").select_related("service_level__version")
    assert {m.vendor.slug.split("-")[0] for m in fed} == {"meridian", "kestrel", "brightdesk"}
    for m in fed:
        assert m.actuals.filter(source="sla").exists()
        assert not m.actuals.exclude(source="sla").exists()  # never entered
    derived = Actual.objects.filter(source="sla")
    assert {a.rag for a in derived} >= {"green", "red"}
    # Meridian's P1 measure was linked under version 1 and reads on through version 2.
    p1 = fed.get(vendor__slug__startswith="meridian", name__startswith="P1")
    v2 = p1.service_level.version.sla.versions.get(number=2)
    assert p1.service_level.version.number == 1
    assert p1.actuals.filter(period__ends_on__gte=v2.effective_from).exists()
    # Kestrel's excused month-end close breach counts as met.
    close = fed.get(vendor__slug__startswith="kestrel", name__startswith="Month-end")
    assert any("excused" in a.comment for a in close.actuals.all())


def test_every_stored_period_score_equals_the_live_scoring_of_the_demo(demo):
    """The demo is built through the services (actuals reported, approved, sent back,
    disputed, corrected, SLA-derived; measures retargeted, retired, added; periods locked):
    each stored score is what the vendor's page computes live."""
    from io import StringIO as Out

    from scorecards.models import ScoredPeriod

    assert ScoredPeriod.objects.count() == Period.objects.count()
    assert ScoredPeriod.objects.filter(score__isnull=False).count() >= 15
    assert selectors.stored_scores_differing() == []
    out = Out()
    call_command("rescore", "--check", stdout=out)
    assert "Every stored period score equals the live scoring." in out.getvalue()
