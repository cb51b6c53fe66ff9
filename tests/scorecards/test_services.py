"""scorecards.services: templates, a vendor's scorecard, periods, actuals and disputes."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from scorecards import selectors, services
from scorecards.choices import ActualStatus, DataSource
from scorecards.models import (
    Actual,
    Measure,
    Objective,
    Scorecard,
    TemplateMeasure,
    period_bounds,
)
from tests.scorecards.factories import (
    label_of,
    make_scorecard,
    make_template,
    measure,
    period,
    quarter_start,
)
from vendors.choices import Side

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(vendor_a, vendor_manager):
    return make_scorecard(vendor_a, by=vendor_manager)


def record(m, p, by, **fields):
    return services.actual_record(measure=m, period=p, by=by, **fields)


# -- periods -------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "day", "label", "start", "end"), [
    ("quarterly", "2026-08-15", "2026-Q3", "2026-07-01", "2026-09-30"),
    ("quarterly", "2026-12-31", "2026-Q4", "2026-10-01", "2026-12-31"),
    ("quarterly", "2027-01-01", "2027-Q1", "2027-01-01", "2027-03-31"),
    ("monthly", "2026-02-10", "2026-02", "2026-02-01", "2026-02-28"),
    ("monthly", "2028-02-29", "2028-02", "2028-02-01", "2028-02-29"),
    ("monthly", "2026-12-05", "2026-12", "2026-12-01", "2026-12-31"),
])
def test_periods_have_clear_labels_and_bounds(kind, day, label, start, end):
    got = period_bounds(kind, datetime.date.fromisoformat(day))
    assert got == (label, datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))


def test_applying_a_template_opens_every_period_up_to_today(card):
    labels = list(card.periods.values_list("label", flat=True))
    assert labels == [label_of(n) for n in (3, 2, 1, 0)]
    assert services.scorecard_periods_ensure(scorecard=card) == []  # safe to run twice


def test_monthly_scorecards_have_monthly_periods(vendor_a):
    template = make_template()
    template.period_type = "monthly"
    template.save()
    card = services.template_apply(template, vendor=vendor_a,
                                   starts_on=timezone.localdate().replace(day=1))
    assert list(card.periods.values_list("label", flat=True)) == [
        f"{timezone.localdate():%Y-%m}"]


# -- templates and a vendor's scorecard ----------------------------------------------------

def test_applying_a_template_copies_it_for_the_vendor(card, vendor_a):
    assert card.vendor == vendor_a and card.template is not None
    measures = Measure.objects.filter(vendor=vendor_a)
    assert measures.count() == 3
    availability = measure(vendor_a, "Availability")
    assert (availability.target, availability.amber_threshold, availability.red_threshold) == (
        D("99.9"), D("99.5"), D("99"))
    assert availability.objective.perspective.scorecard == card
    assert availability.history.first().history_type == "+"


def test_a_vendor_has_one_scorecard(card, vendor_a):
    with pytest.raises(ValidationError) as error:
        services.template_apply(card.template, vendor=vendor_a)
    assert "already has a scorecard" in str(error.value)


def test_the_vendors_scorecard_diverges_without_touching_the_template(card, vendor_a,
                                                                      vendor_manager):
    availability = measure(vendor_a, "Availability")
    services.part_update(availability, by=vendor_manager, weight=D(10), target=D("99.95"),
                         change_reason="Re-weighted in the review")
    template_measure = TemplateMeasure.objects.get(name="Availability")
    assert template_measure.weight == D(60) and template_measure.target == D("99.9")
    assert availability.history.first().history_change_reason == "Re-weighted in the review"
    added = services.part_create(
        Measure, by=vendor_manager, objective=availability.objective, name="Backup restores",
        definition="Restore tests passed", direction="higher", target=D(100),
        amber_threshold=D(95), red_threshold=D(90), weight=D(1))
    assert added.vendor == vendor_a
    assert not TemplateMeasure.objects.filter(name="Backup restores").exists()


def test_thresholds_in_the_wrong_order_are_refused_with_a_clear_error(card, vendor_a):
    with pytest.raises(ValidationError) as error:
        services.part_update(measure(vendor_a, "Availability"), red_threshold=D("99.7"))
    assert "red threshold must be below the amber threshold" in \
        error.value.message_dict["red_threshold"][0]
    with pytest.raises(ValidationError) as error:
        services.part_update(measure(vendor_a, "Cost against budget"), amber_threshold=D(99))
    assert "amber_threshold" in error.value.message_dict


def test_targets_must_lie_within_the_possible_range(card, vendor_a):
    with pytest.raises(ValidationError) as error:
        services.part_update(measure(vendor_a, "Availability"), target=D(101))
    assert "possible range (0 to 100)" in error.value.message_dict["target"][0]


def test_an_sla_fed_measure_needs_its_service_level(card, vendor_a):
    with pytest.raises(ValidationError) as error:
        services.part_update(measure(vendor_a, "Availability"), data_source=DataSource.SLA)
    assert "needs its service level" in error.value.message_dict["service_level"][0]


def test_retired_measures_keep_their_history_and_take_no_new_actuals(card, vendor_a, alice):
    availability = measure(vendor_a, "Availability")
    old = record(availability, period(vendor_a, 2), alice, vendor_value=D("99.95"), submit=True)
    services.part_retire(availability)
    assert Actual.objects.filter(pk=old.pk).exists()
    with pytest.raises(ValidationError) as error:
        record(availability, period(vendor_a, 1), alice, vendor_value=D("99.9"))
    assert "retired" in error.value.message_dict["measure"][0]
    # It still counts in the periods that ended before it was retired, not in the current one.
    page = selectors.scorecard_page(card, label_of(2))
    assert availability.pk in [line.measure.pk for line in page.current.lines]
    now = selectors.scorecard_page(card, label_of(0))
    assert availability.pk not in [line.measure.pk for line in now.current.lines]
    assert page.retired_measures == [availability]


def test_a_new_measure_counts_from_its_start(card, vendor_a):
    objective = Objective.objects.filter(vendor=vendor_a).first()
    new = services.part_create(
        Measure, objective=objective, name="New", definition="x", direction="higher",
        target=D(3), amber_threshold=D(2), red_threshold=D(1), weight=D(1),
        active_from=quarter_start(0))
    assert not new.counts_in(period(vendor_a, 1)) and new.counts_in(period(vendor_a, 0))
    with pytest.raises(ValidationError) as error:
        record(new, period(vendor_a, 1), None, vendor_value=D(3))
    assert "counts from" in error.value.message_dict["period"][0]


# -- actuals: the workflow -----------------------------------------------------------------

def test_vendor_drafts_submits_and_our_owner_approves(card, vendor_a, alice, line_manager):
    availability, q = measure(vendor_a, "Availability"), period(vendor_a, 1)
    draft = record(availability, q, alice, vendor_value=D("99.95"), evidence_url="https://x.example/r")
    assert (draft.status, draft.reported_side, draft.reported_by) == (
        ActualStatus.DRAFT, Side.VENDOR, alice)
    assert not draft.counts  # drafts do not count
    submitted = services.actual_submit(draft, by=alice)
    assert submitted.status == ActualStatus.SUBMITTED and submitted.submitted_at
    approved = services.actual_approve(submitted, by=line_manager)
    assert approved.status == ActualStatus.APPROVED and approved.approved_by == line_manager
    assert [h.history_change_reason for h in approved.history.order_by("history_id")] == [
        None, "Submitted", "Approved"]


def test_amber_and_red_values_need_a_comment_to_be_submitted(card, vendor_a, alice):
    availability, q = measure(vendor_a, "Availability"), period(vendor_a, 1)
    draft = record(availability, q, alice, vendor_value=D("99.2"))  # a draft may wait
    with pytest.raises(ValidationError) as error:
        services.actual_submit(draft, by=alice)
    message = error.value.message_dict["comment"][0]
    assert "99.2 is amber" in message and "below the amber threshold of 99.5" in message
    record(availability, q, alice, comment="Two outages; problem records opened.", submit=True)
    assert Actual.objects.get(pk=draft.pk).status == ActualStatus.SUBMITTED


def test_a_submission_needs_a_value(card, vendor_a, alice):
    draft = record(measure(vendor_a, "Availability"), period(vendor_a, 1), alice,
                   comment="figures follow")
    with pytest.raises(ValidationError) as error:
        services.actual_submit(draft, by=alice)
    assert error.value.message_dict == {"vendor_value": ["Enter a value before submitting."]}


def test_out_of_range_values_are_refused(card, vendor_a, alice, line_manager):
    with pytest.raises(ValidationError) as error:
        record(measure(vendor_a, "Availability"), period(vendor_a, 1), alice,
               vendor_value=D("100.5"))
    assert "100.5 is out of range" in error.value.message_dict["vendor_value"][0]
    with pytest.raises(ValidationError) as error:
        record(measure(vendor_a, "Cost against budget"), period(vendor_a, 1), line_manager,
               internal_value=D(-1))
    assert "at least 0" in error.value.message_dict["internal_value"][0]


def test_the_vendor_may_change_drafts_only(card, vendor_a, alice, line_manager):
    availability, q = measure(vendor_a, "Availability"), period(vendor_a, 1)
    record(availability, q, alice, vendor_value=D("99.95"), submit=True)
    with pytest.raises(ValidationError) as error:
        record(availability, q, alice, vendor_value=D("99.99"))
    assert "only drafts can be changed" in error.value.message_dict["status"][0]
    actual = Actual.objects.get(measure=availability, period=q)
    services.actual_send_back(actual, by=line_manager, reason="Attach the monitoring report.")
    actual.refresh_from_db()
    assert actual.status == ActualStatus.DRAFT
    assert actual.sent_back_reason == "Attach the monitoring report."
    record(availability, q, alice, evidence_url="https://x.example/report", submit=True)
    actual.refresh_from_db()
    assert actual.status == ActualStatus.SUBMITTED and actual.sent_back_reason == ""


def test_sending_back_needs_a_reason(card, vendor_a, alice, line_manager):
    actual = record(measure(vendor_a, "Availability"), period(vendor_a, 1), alice,
                    vendor_value=D("99.95"), submit=True)
    with pytest.raises(ValidationError) as error:
        services.actual_send_back(actual, by=line_manager, reason="  ")
    assert "reason" in error.value.message_dict


def test_approving_needs_a_submitted_actual(card, vendor_a, alice, line_manager):
    draft = record(measure(vendor_a, "Availability"), period(vendor_a, 1), alice,
                   vendor_value=D("99.95"))
    with pytest.raises(ValidationError, match="still a draft"):
        services.actual_approve(draft, by=line_manager)
    services.actual_approve(services.actual_submit(draft, by=alice), by=line_manager)
    with pytest.raises(ValidationError, match="already approved"):
        services.actual_approve(draft, by=line_manager)


def test_the_vendor_reports_its_own_figures_and_we_record_ours(card, vendor_a, alice,
                                                              line_manager):
    availability, q = measure(vendor_a, "Availability"), period(vendor_a, 1)
    with pytest.raises(ValidationError) as error:
        record(availability, q, alice, internal_value=D("99"))
    assert "Only we record our own measurement" in error.value.message_dict["internal_value"][0]
    with pytest.raises(ValidationError) as error:
        record(measure(vendor_a, "Resolution"), q, alice, vendor_value=D(99))
    assert "We measure" in error.value.message_dict["measure"][0]
    record(availability, q, alice, vendor_value=D("99.95"), submit=True)
    actual = record(availability, q, line_manager, internal_value=D("98.9"),
                    comment="Outage on 3 Sep.")
    assert actual.value == D("98.9")  # ours is scored
    assert actual.difference == D("1.05") and actual.self_reported_better
    assert actual.vendor_rag == "green" and actual.rag == "red"


def test_changing_an_approved_actual_needs_a_reason_and_keeps_history(card, vendor_a,
                                                                     line_manager):
    cost, q = measure(vendor_a, "Cost against budget"), period(vendor_a, 1)
    actual = services.actual_approve(record(cost, q, line_manager, internal_value=D(99),
                                            submit=True), by=line_manager)
    with pytest.raises(ValidationError) as error:
        record(cost, q, line_manager, internal_value=D("99.5"))
    assert "this actual is approved" in error.value.message_dict["reason"][0]
    changed = record(cost, q, line_manager, internal_value=D("99.5"),
                     reason="Late credit note from finance")
    assert changed.status == ActualStatus.SUBMITTED  # needs approving again
    latest, before = actual.history.order_by("-history_id")[:2]
    assert latest.history_change_reason == "Late credit note from finance"
    assert (before.internal_value, latest.internal_value) == (D(99), D("99.5"))


def test_a_second_actual_for_the_same_measure_and_period_conflicts(card, vendor_a, alice):
    availability, q = measure(vendor_a, "Availability"), period(vendor_a, 1)
    record(availability, q, alice, vendor_value=D("99.95"))
    with pytest.raises(IntegrityError):
        record(availability, q, alice, vendor_value=D("99.1"), create_only=True)


def test_future_periods_take_no_actuals(card, vendor_a, alice):
    future = services.scorecard_periods_ensure(
        scorecard=card, until=timezone.localdate() + datetime.timedelta(days=100))[0]
    with pytest.raises(ValidationError, match="has not started"):
        record(measure(vendor_a, "Availability"), future, alice, vendor_value=D(99))


def test_evidence_files_must_be_documents_of_reasonable_size(card, vendor_a, alice, settings,
                                                             tmp_path):
    settings.MEDIA_ROOT = tmp_path
    availability, q = measure(vendor_a, "Availability"), period(vendor_a, 1)
    with pytest.raises(ValidationError) as error:
        record(availability, q, alice, vendor_value=D("99.95"),
               evidence_file=SimpleUploadedFile("report.exe", b"MZ"))
    assert "evidence_file" in error.value.message_dict
    actual = record(availability, q, alice, vendor_value=D("99.95"),
                    evidence_file=SimpleUploadedFile("report.pdf", b"%PDF-1.4"))
    assert actual.evidence_file.name.endswith(".pdf")


# -- locked periods --------------------------------------------------------------------------

def test_locking_a_period_after_its_review(card, vendor_a, vendor_manager, alice,
                                           line_manager):
    availability, q = measure(vendor_a, "Availability"), period(vendor_a, 1)
    actual = record(availability, q, alice, vendor_value=D("99.95"), submit=True)
    services.period_lock(q, by=vendor_manager, note="Reviewed on 14 July")
    assert q.is_locked and q.locked_by == vendor_manager
    assert services.period_lock(q, by=vendor_manager).locked_at == q.locked_at  # idempotent
    with pytest.raises(ValidationError) as error:
        record(availability, q, alice, vendor_value=D("99.99"))
    assert "is locked" in error.value.message_dict["period"][0]
    with pytest.raises(ValidationError) as error:
        record(availability, q, line_manager, internal_value=D("99.8"))
    assert "is locked" in error.value.message_dict["reason"][0]
    record(availability, q, line_manager, internal_value=D("99.8"),
           reason="Monitoring export corrected")
    assert actual.history.first().history_change_reason == "Monitoring export corrected"
    with pytest.raises(ValidationError, match="is locked"):
        services.actual_send_back(Actual.objects.get(pk=actual.pk), by=line_manager,
                                  reason="x")


def test_a_period_locks_only_once_it_has_ended(card, vendor_a):
    with pytest.raises(ValidationError, match="has not ended"):
        services.period_lock(period(vendor_a, 0))


def test_locked_periods_keep_the_target_they_were_reviewed_with(card, vendor_a, alice,
                                                                vendor_manager):
    availability = measure(vendor_a, "Availability")
    reviewed = record(availability, period(vendor_a, 2), alice, vendor_value=D("99.6"),
                      submit=True)
    open_one = record(availability, period(vendor_a, 1), alice, vendor_value=D("99.6"),
                      submit=True)
    services.period_lock(period(vendor_a, 2), by=vendor_manager)
    services.part_update(availability, by=vendor_manager, amber_threshold=D("99.7"))
    reviewed.refresh_from_db()
    open_one.refresh_from_db()
    assert reviewed.amber_threshold == D("99.5") and reviewed.rag == "green"
    assert open_one.amber_threshold == D("99.7") and open_one.rag == "amber"


# -- disputes --------------------------------------------------------------------------------

def test_the_vendor_disputes_our_value_and_the_owner_upholds_it(card, vendor_a, alice,
                                                                 line_manager):
    resolution, q = measure(vendor_a, "Resolution"), period(vendor_a, 1)
    actual = services.actual_approve(
        record(resolution, q, line_manager, internal_value=D(86), comment="Backlog",
               submit=True), by=line_manager)
    dispute = services.dispute_raise(actual=actual, by=alice,
                                     reason="Tickets on hold waiting for you; should be 91.")
    assert dispute.is_open and dispute.vendor == vendor_a
    with pytest.raises(ValidationError, match="already has an open dispute"):
        services.dispute_raise(actual=actual, by=alice, reason="again")
    resolved = services.dispute_resolve(dispute, by=line_manager, outcome="upheld",
                                        resolution="Agreed, corrected.",
                                        corrected_value=D(91))
    assert resolved.status == "upheld" and resolved.resolved_by == line_manager
    actual.refresh_from_db()
    assert actual.internal_value == D(91) and actual.status == ActualStatus.APPROVED
    assert any(h.history_change_reason == "Dispute upheld: Agreed, corrected."
               for h in actual.history.all())
    with pytest.raises(ValidationError, match="already upheld"):
        services.dispute_resolve(dispute, by=line_manager, outcome="rejected", resolution="x")


def test_a_rejected_dispute_keeps_the_value_and_needs_a_resolution(card, vendor_a, alice,
                                                                   line_manager):
    actual = record(measure(vendor_a, "Resolution"), period(vendor_a, 1), line_manager,
                    internal_value=D(96), submit=True)
    dispute = services.dispute_raise(actual=actual, by=alice, reason="Too low")
    with pytest.raises(ValidationError) as error:
        services.dispute_resolve(dispute, by=line_manager, outcome="rejected", resolution="")
    assert "resolution" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.dispute_resolve(dispute, by=line_manager, outcome="rejected",
                                 resolution="Checked", corrected_value=D(97))
    assert "corrected_value" in error.value.message_dict
    services.dispute_resolve(dispute, by=line_manager, outcome="rejected",
                             resolution="Checked the tickets; the value stands.")
    actual.refresh_from_db()
    assert actual.internal_value == D(96)


def test_only_our_values_or_approvals_can_be_disputed(card, vendor_a, alice):
    draft = record(measure(vendor_a, "Availability"), period(vendor_a, 1), alice,
                   vendor_value=D("99.95"))
    with pytest.raises(ValidationError) as error:
        services.dispute_raise(actual=draft, by=alice, reason="?")
    assert "change your draft instead" in error.value.message_dict["actual"][0]
    with pytest.raises(ValidationError):
        services.dispute_raise(actual=draft, by=alice, reason="")


def test_the_scorecard_page_data_scores_a_period(card, vendor_a, alice, line_manager):
    q = period(vendor_a, 1)
    record(measure(vendor_a, "Availability"), q, alice, vendor_value=D("99.7"), submit=True)
    record(measure(vendor_a, "Cost against budget"), q, line_manager, internal_value=D(100),
           submit=True)
    page = selectors.scorecard_page(card, q.label)
    assert page.period == q
    s = page.current
    assert [line.status for line in s.lines] == ["green", "no_data", "green"]
    customer = s.perspective("Customer / service quality")
    assert customer.rolled.score == D("85.0")  # availability alone: Resolution has no data
    assert customer.rolled.coverage == D("0.6")
    assert s.rolled.score == D("92.5") and s.missing == 1 and s.awaiting_approval == 2


def test_the_default_period_is_the_latest_that_has_ended(card, vendor_a):
    page = selectors.scorecard_page(card, None)
    assert page.period == period(vendor_a, 1)
    assert selectors.scorecard_page(card, "1999-Q1").period == period(vendor_a, 1)
    assert selectors.scorecard_page(card, label_of(3)).period == period(vendor_a, 3)


def test_scorecards_are_only_vendor_scoped_through_access(card, vendor_a, vendor_b, alice,
                                                           charlie):
    from vendors import access
    make_scorecard(vendor_b)
    assert list(access.restrict(Scorecard.objects.all(), alice)) == [card]
    assert not access.restrict(Measure.objects.all(), charlie).filter(vendor=vendor_a).exists()


def test_the_daily_task_opens_new_periods_and_can_run_twice(card, vendor_a):
    from scorecards.tasks import open_due_periods
    period(vendor_a, 0).actuals.all().delete()
    period(vendor_a, 0).delete()
    assert open_due_periods() == 1
    assert open_due_periods() == 0
    assert period(vendor_a, 0).label == label_of(0)
