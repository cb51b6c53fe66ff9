"""The warning-sign refresh against the real tables: facts read through the feature apps'
selectors, bounded queries, idempotence (also concurrent), clearing, dismissals."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from signs import selectors, services
from signs.choices import Rule, Severity
from signs.models import Sign
from signs.tasks import refresh_signs
from tests.concurrency import at_once
from tests.factories import (
    AssignmentFactory,
    StaffMemberFactory,
    UserFactory,
    VendorFactory,
    VendorUserFactory,
)
from tests.signs import factories as f
from tests.sla.factories import clock
from vendorgov.roles import Role
from vendors.models import StaffingChange, Vendor

pytestmark = pytest.mark.django_db
ALL = {r.value for r in Rule}


def open_rules(vendor) -> set[str]:
    return set(Sign.objects.open().filter(vendor=vendor).values_list("rule", flat=True))


def test_a_troubled_vendor_shows_each_of_the_five_signs_with_evidence_links(client,
                                                                            vendor_manager):
    v = f.troubled(VendorFactory())
    calm = VendorFactory()
    services.signs_refresh()
    assert open_rules(v) == ALL
    assert open_rules(calm) == set()
    signs = {s.rule: s for s in Sign.objects.open().filter(vendor=v)}
    texts = {rule: " ".join(e["text"] for e in s.evidence) for rule, s in signs.items()}
    assert "breached in 3 of its last 4 windows" in texts["missing_point"]
    assert "“Lead left again” raised" in texts["missing_point"]
    assert "Rejected on" in texts["missing_point"]
    assert "present at 0% of the reviews" in texts["interest_dropped"]
    assert "suggestion" in signs["interest_dropped"].title
    assert "open for 45 days" in texts["resources"] and "Bob" in texts["resources"]
    assert "the vendor reported 99.95 % (green), we measured 98.5 % (red)" in texts["good_news"]
    assert "disputes raised on bad results" in signs["good_news"].title
    for part in ("Cancelled weekly", "Forgotten weekly", "Health check due",
                 "review due", "carried over 6 times"):
        assert part in texts["governance"]
    assert all(s.severity == Severity.HIGH for s in signs.values())
    client.force_login(vendor_manager)
    for s in signs.values():
        for e in s.evidence:
            assert e["url"].startswith(f"/vendors/{v.slug}/")
            assert client.get(e["url"]).status_code == 200, e


def test_signs_for_every_vendor_take_the_same_number_of_queries_for_2_and_12_vendors():
    """Reads are one query per kind of fact; writes are bulk statements, which SQLite (999
    parameters a statement) splits into batches of about 50 rows, and PostgreSQL does not."""
    def run(n):
        Sign.objects.all().delete()
        counts = []
        for _ in range(2):  # the first run raises every sign, the second finds them again
            with CaptureQueriesContext(connection) as queries:
                services.signs_refresh()
            sql = [q["sql"] for q in queries.captured_queries]
            counts.append((sum(1 for q in sql if q.lstrip().upper().startswith("SELECT")),
                           len(sql)))
        assert Sign.objects.open().count() == 5 * n
        return counts

    for _ in range(2):
        f.troubled(VendorFactory())
    small = run(2)
    for _ in range(10):
        f.troubled(VendorFactory())
    large = run(12)
    assert [selects for selects, _ in large] == [selects for selects, _ in small], small
    if connection.vendor == "postgresql":
        assert large == small
    assert small[0][1] < 40, small  # a fixed handful: one query per kind of fact


def test_running_it_twice_changes_nothing_the_second_time():
    v = f.troubled(VendorFactory())
    services.signs_refresh()
    before = list(Sign.objects.values_list("pk", "rule", "title", "strength", "raised_at"))
    history = Sign.history.count()
    done = services.signs_refresh()
    assert not (done.raised or done.changed or done.cleared or done.returned)
    assert list(Sign.objects.values_list("pk", "rule", "title", "strength",
                                         "raised_at")) == before
    assert Sign.history.count() == history
    assert open_rules(v) == ALL


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_raise_each_sign_once():
    v = f.troubled(VendorFactory())
    outcomes = at_once(services.signs_refresh, services.signs_refresh, services.signs_refresh)
    assert [o.error for o in outcomes] == [None, None, None]
    assert sorted(Sign.objects.filter(vendor=v).values_list("rule", flat=True)) == sorted(ALL)
    assert sum(len(o.value.raised) for o in outcomes) == 5


def test_one_vendor_on_demand_leaves_the_others_alone():
    a, b = f.troubled(VendorFactory()), f.troubled(VendorFactory())
    services.signs_refresh(vendor=a)
    assert open_rules(a) == ALL and open_rules(b) == set()


def test_a_sign_whose_evidence_is_gone_is_cleared_and_a_new_one_raised_when_it_recurs():
    v = VendorFactory()
    request = f.StaffingChangeFactory(vendor=v, requested_on=f.ago(45))
    services.signs_refresh()
    first = Sign.objects.get(vendor=v)
    StaffingChange.objects.filter(pk=request.pk).update(status="done", resolved_on=f.ago(1))
    services.signs_refresh()
    first.refresh_from_db()
    assert first.cleared_at is not None and not selectors.signs_open(UserFactory(
        role=Role.VENDOR_MANAGER)).exists()
    assert first.history.first().history_change_reason == "Cleared: no longer found"
    f.StaffingChangeFactory(vendor=v, requested_on=f.ago(40))
    services.signs_refresh()
    again = Sign.objects.open().get(vendor=v)
    assert again.pk != first.pk and again.rule == Rule.RESOURCES_NOT_REPLACED


def test_the_hourly_task_refreshes_and_an_archived_vendors_signs_are_cleared():
    v = VendorFactory()
    f.StaffingChangeFactory(vendor=v, requested_on=f.ago(45))
    assert refresh_signs() == "signs: 1 raised, 0 changed, 0 back after a dismissal, 0 cleared"
    Vendor.objects.filter(pk=v.pk).update(archived_at=timezone.now())
    assert "1 cleared" in refresh_signs()
    assert open_rules(v) == set()


def test_the_thresholds_decide():
    v = VendorFactory()
    f.StaffingChangeFactory(vendor=v, requested_on=f.ago(45))
    services.signs_refresh()
    assert open_rules(v) == {"resources"}
    services.thresholds_update(by=None, staffing_open_days=45)
    services.signs_refresh()
    assert open_rules(v) == set()
    services.thresholds_update(by=None, staffing_open_days=44)
    services.signs_refresh()
    assert open_rules(v) == {"resources"}
    assert selectors.thresholds().history.count() == 2


def test_thresholds_refuse_more_breaches_than_windows():
    with pytest.raises(Exception, match="more than the windows"):
        services.thresholds_update(by=None, breached_windows=5, of_last_windows=4)


# -- dismissals -----------------------------------------------------------------------------------


def _leaving(v, n, start=40):
    for i in range(n):
        StaffMemberFactory(vendor=v, name=f"Leaver {start}-{i}", ended_on=f.ago(start - i))


def test_a_dismissed_sign_is_hidden_with_its_reason_in_history_until_it_expires(vendor_manager):
    v = VendorFactory()
    _leaving(v, 2)
    services.signs_refresh()
    sign = Sign.objects.get(vendor=v)
    services.sign_dismiss(sign, by=vendor_manager, reason="Planned rotation, agreed", days=30)
    assert not selectors.signs_open(vendor_manager).exists()
    record = sign.history.first()
    assert record.history_user == vendor_manager
    assert "Planned rotation, agreed" in record.history_change_reason
    services.signs_refresh()  # same evidence: stays dismissed
    assert not selectors.signs_open(vendor_manager).exists()
    with clock(timezone.localdate() + datetime.timedelta(days=30)):
        assert not selectors.signs_open(vendor_manager).exists()  # its last day
    with clock(timezone.localdate() + datetime.timedelta(days=31)):
        assert list(selectors.signs_open(vendor_manager)) == [sign]
        services.signs_refresh()
    sign.refresh_from_db()
    assert sign.dismissed_until is None and sign.dismissal_reason == ""
    assert sign.history.first().history_change_reason == "Dismissal expired"
    reasons = list(sign.history.values_list("history_change_reason", flat=True))
    assert any("Planned rotation, agreed" in r for r in reasons)


def test_a_dismissed_sign_comes_back_when_its_evidence_grows(vendor_manager):
    v = VendorFactory()
    _leaving(v, 2)
    services.signs_refresh()
    sign = Sign.objects.get(vendor=v)
    services.sign_dismiss(sign, by=vendor_manager, reason="Known", days=90)
    _leaving(v, 1, start=5)
    done = services.signs_refresh()
    assert done.returned == [(v.pk, "resources")]
    assert [s.pk for s in selectors.signs_open(vendor_manager)] == [sign.pk]
    sign.refresh_from_db()
    assert sign.strength == 3 and sign.dismissed_at is None
    assert "Evidence grew" in sign.history.first().history_change_reason


def test_dismissing_needs_a_reason_and_the_default_period_is_the_thresholds():
    v = VendorFactory()
    _leaving(v, 2)
    services.signs_refresh()
    sign = Sign.objects.get(vendor=v)
    with pytest.raises(Exception, match="Say why"):
        services.sign_dismiss(sign, by=None, reason="  ")
    services.thresholds_update(by=None, dismissal_days=14)
    sign = services.sign_dismiss(sign, by=None, reason="Seen")
    assert sign.dismissed_until == timezone.localdate() + datetime.timedelta(days=14)


# -- who sees them --------------------------------------------------------------------------------


def test_signs_open_is_scoped_and_vendor_users_see_none(vendor_a, vendor_b, line_manager):
    for v in (vendor_a, vendor_b):
        _leaving(v, 2)
    services.signs_refresh()
    assert {s.vendor for s in selectors.signs_open(line_manager)} == {vendor_a}
    assert {s.vendor for s in selectors.signs_open(UserFactory(role=Role.EXECUTIVE))} == {
        vendor_a, vendor_b}
    assert list(selectors.signs_open(line_manager, vendor=vendor_b)) == []
    alice = VendorUserFactory(vendor=vendor_a)
    assert not selectors.signs_open(alice).exists()
    assert not selectors.signs_open(alice, vendor=vendor_a).exists()
    grouped = selectors.grouped(selectors.signs_open(UserFactory(role=Role.EXECUTIVE)))
    assert {v: [s.rule for s in signs] for v, signs in grouped.items()} == {
        vendor_a.pk: ["resources"], vendor_b.pk: ["resources"]}
    ops = UserFactory(role=Role.OPERATIONS)
    AssignmentFactory(vendor=vendor_b, user=ops)
    assert selectors.signs_count(ops, vendor_b) == 1
