"""SLA versions: drafted, reviewed, effective from a date, superseding the previous one,
which stays readable; and the review schedule."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from sla import ingest, services
from sla.choices import ReviewOutcome, VersionStatus
from sla.models import SLA, Measurement
from tests.factories import ContractFactory, UserFactory
from tests.sla.factories import ServiceLevelFactory, clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def vera(vendor_manager):
    return vendor_manager


def new_sla(vendor, by, **kwargs) -> SLA:
    contract = ContractFactory(vendor=vendor, start_date=date(2025, 1, 1),
                               end_date=date(2028, 12, 31))
    return services.sla_create(vendor=vendor, by=by, contract=contract, reference="SLA-1",
                               name="Desk", monthly_charge=D("50000"), **kwargs)


def in_effect(vendor, by, day=date(2025, 1, 1)):
    """An SLA with one monthly service level, in effect from `day`."""
    with clock(day):
        sla = new_sla(vendor, by)
        version = sla.versions.get()
        services.service_level_create(version, by=by, key="answer", name="Answer time",
                                      measured="From the switch.", unit="percent",
                                      comparator="gte", target=D("90"),
                                      breach_threshold=D("80"))
        services.version_mark_reviewed(version, by=by)
        services.version_make_effective(version, by=by, effective_from=day)
    return sla


def test_a_new_sla_starts_with_a_draft_and_a_review_date(vendor_a, vera):
    with clock(date(2025, 3, 10)):
        sla = new_sla(vendor_a, vera, review_interval_months=6)
    version = sla.versions.get()
    assert (version.number, version.status, version.monthly_charge) == (1, "draft", D("50000"))
    assert sla.review_due_on == date(2025, 9, 10)
    assert version.history.first().history_user == vera


def test_only_a_reviewed_version_with_service_levels_takes_effect(vendor_a, vera):
    with clock(date(2025, 3, 10)):
        version = new_sla(vendor_a, vera).versions.get()
        with pytest.raises(ValidationError, match="at least one service level"):
            services.version_mark_reviewed(version, by=vera)
        with pytest.raises(ValidationError, match="reviewed"):
            services.version_make_effective(version, by=vera, effective_from=date(2025, 4, 1))


def test_effective_from_the_first_of_a_month_today_or_later(vendor_a, vera):
    sla = in_effect(vendor_a, vera, date(2025, 1, 1))
    with clock(date(2025, 3, 10)):
        draft = services.version_draft(sla, by=vera)
        services.version_mark_reviewed(draft, by=vera)
        for day, message in [(date(2025, 4, 15), "first day of a month"),
                             (date(2025, 3, 1), "today or a later date")]:
            with pytest.raises(ValidationError, match=message):
                services.version_make_effective(draft, by=vera, effective_from=day)


def test_a_new_version_supersedes_the_old_one_which_stays_readable(vendor_a, vera):
    sla = in_effect(vendor_a, vera)
    with clock(date(2025, 3, 10)):
        draft = services.version_draft(sla, by=vera, summary="Tighter target")
        assert [sl.key for sl in draft.service_levels.all()] == ["answer"]  # copied
        sl = draft.service_levels.get()
        services.service_level_update(sl, by=vera, target=D("92"))
        services.version_mark_reviewed(draft, by=vera)
        services.version_make_effective(draft, by=vera, effective_from=date(2025, 4, 1))
    old, new = sla.versions.order_by("number")
    assert (old.status, old.effective_until) == ("superseded", date(2025, 3, 31))
    assert (new.status, new.effective_from, new.effective_until) == ("effective",
                                                                    date(2025, 4, 1), None)
    assert old.service_levels.get().target == D("90")  # the old terms are kept
    assert services.current_version(sla, date(2025, 3, 31)) == old
    assert services.current_version(sla, date(2025, 4, 1)) == new


def test_only_one_draft_at_a_time_and_only_drafts_change(vendor_a, vera):
    sla = in_effect(vendor_a, vera)
    effective = sla.versions.get()
    with clock(date(2025, 3, 10)):
        with pytest.raises(ValidationError, match="only a draft can change"):
            services.version_update(effective, by=vera, monthly_charge=D("1"))
        with pytest.raises(ValidationError):
            services.service_level_update(effective.service_levels.get(), by=vera,
                                          target=D("1"))
        services.version_draft(sla, by=vera)
        with pytest.raises(ValidationError, match="still in draft"):
            services.version_draft(sla, by=vera)


def test_changing_a_reviewed_version_voids_the_review(vendor_a, vera):
    sla = in_effect(vendor_a, vera)
    with clock(date(2025, 3, 10)):
        draft = services.version_draft(sla, by=vera)
        services.version_mark_reviewed(draft, by=vera)
        services.version_update(draft, by=vera, credit_cap_percent=D("12"))
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and draft.reviewed_by is None


def test_measurements_go_to_the_version_that_governs_their_window(vendor_a, vera):
    sla = in_effect(vendor_a, vera)
    with clock(date(2025, 3, 10)):
        draft = services.version_draft(sla, by=vera)
        services.version_mark_reviewed(draft, by=vera)
        services.version_make_effective(draft, by=vera, effective_from=date(2025, 4, 1))
    old_sl, new_sl = (v.service_levels.get() for v in sla.versions.order_by("number"))

    def submit(sl, start):
        with clock(date(2025, 6, 10)):
            return services.measurements_submit(
                [{"service_level": sl.pk, "window_start": start, "value": 95}], by=vera,
                source="api", vendor_ids=None, evaluate=False)

    assert submit(old_sl, "2025-03-01").created == 1  # late data for the old version: fine
    with pytest.raises(ingest.RowsRejected) as superseded:
        submit(old_sl, "2025-04-01")
    assert (f"superseded on 31 Mar 2025; submit it for service level {new_sl.pk}"
            in superseded.value.errors[0].message)
    with pytest.raises(ingest.RowsRejected) as before:
        submit(new_sl, "2025-03-01")
    assert "Outside the SLA's effective dates" in before.value.errors[0].message
    assert submit(new_sl, "2025-04-01").created == 1
    assert Measurement.objects.count() == 2


def test_a_draft_takes_no_measurements(vendor_a, vera):
    with clock(date(2025, 3, 10)):
        version = new_sla(vendor_a, vera).versions.get()
        sl = ServiceLevelFactory(version=version)
        with pytest.raises(ingest.RowsRejected, match="1 of 1 row has errors") as error:
            services.measurements_submit(
                [{"service_level": sl.pk, "window_start": "2025-02-01", "value": 99}],
                by=vera, source="api", vendor_ids=None)
    assert "is a draft, not in effect" in error.value.errors[0].message


def test_a_review_moves_the_due_date_and_amended_opens_a_draft(vendor_a, vera):
    sla = in_effect(vendor_a, vera)
    olga = UserFactory(username="olga", role="operations")
    with clock(date(2025, 6, 20)):
        services.sla_review_record(sla, by=olga, reviewed_on=date(2025, 6, 18),
                                   outcome=ReviewOutcome.UNCHANGED, notes="Still right.")
        assert sla.review_due_on == date(2025, 12, 18)
        services.sla_review_record(sla, by=olga, reviewed_on=date(2025, 6, 20),
                                   outcome=ReviewOutcome.AMENDED, notes="Add a CSAT level.")
    assert sla.reviews.count() == 2
    assert sla.versions.filter(status="draft").get().number == 2
    with clock(date(2025, 6, 20)), pytest.raises(ValidationError, match="once it has happened"):
        services.sla_review_record(sla, by=olga, reviewed_on=date(2025, 6, 21),
                                   outcome=ReviewOutcome.UNCHANGED, notes="Early")


def test_retiring_ends_the_sla_at_the_end_of_the_month(vendor_a, vera):
    sla = in_effect(vendor_a, vera)
    with clock(date(2025, 6, 20)):
        review = services.sla_review_record(sla, by=vera, reviewed_on=date(2025, 6, 20),
                                            outcome=ReviewOutcome.RETIRED,
                                            notes="Service moved in-house.")
        with pytest.raises(ValidationError, match="retired"):
            services.version_draft(sla, by=vera)
    assert review.next_review_due is None and sla.retired_on == date(2025, 6, 20)
    assert sla.versions.get().effective_until == date(2025, 6, 30)
