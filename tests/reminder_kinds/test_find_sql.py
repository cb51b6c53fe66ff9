"""The kinds that record straight from SQL (`registry.Kind.find_sql`, PostgreSQL): the rows
one INSERT … SELECT writes are the rows `find` and `record` write from Python, column for
column (recipient, address, name, status, delivery, due moment, url and the email's facts),
at several lead times and grace periods, over owners of every sort: our people assigned or
not, of the whole portfolio or inactive, the vendor's users (of this vendor or another),
its contacts (active, archived, another vendor's), no address, a bounced one, someone who
chose the digest or turned a kind off."""

import datetime
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from governance.models import ActionItem, Escalation, GovernancePlan, Impediment
from healthchecks.models import Cycle, HealthCheckPlan
from reminders import outbox, registry
from reminders.choices import Delivery
from reminders.models import BouncedAddress, KindSetting, Preference, Reminder, Subscriber
from tests.factories import (
    AssignmentFactory,
    ContactFactory,
    ContractFactory,
    UserFactory,
    VendorFactory,
    VendorUserFactory,
)
from tests.governance.factories import action_item, impediment
from tests.kinds import item_stamps, unsettle
from vendorgov.roles import Role
from vendors.choices import AssignmentRole, ContactRole
from vendors.models import Vendor

pytestmark = pytest.mark.postgres

AMS = ZoneInfo("Europe/Amsterdam")
# A Monday in March, the morning the clocks go forward in Europe in the week before.
NOW = datetime.datetime(2027, 3, 29, 11, 0, tzinfo=AMS).astimezone(UTC)
SQL_KINDS = [k.key for k in registry.kinds() if k.find_sql is not None]
FIELDS = ["kind", "occasion", "recipient_key", "email", "name", "user_id", "contact_id",
          "vendor_side", "vendor_id", "delivery", "due_at", "not_before", "url", "context",
          "ics", "status", "attempts", "claim_token", "last_error"]


def _portfolio():
    acme = VendorFactory(name="Acme O'Sourcing", slug="acme")
    other = VendorFactory(name="Borealis", slug="borealis")
    archived = VendorFactory(name="Gone", slug="gone", archived_at=NOW)
    ours = UserFactory(username="liam", first_name="Liam", last_name="Line")
    AssignmentFactory(user=ours, vendor=acme)
    AssignmentFactory(user=UserFactory(username="owen", first_name="", last_name=""),
                      vendor=acme, role=AssignmentRole.RELATIONSHIP_OWNER)
    unassigned = UserFactory(username="uma", first_name="Uma", last_name="")
    manager = UserFactory(username="vera", role=Role.VENDOR_MANAGER, email="", first_name="",
                          last_name="")
    inactive = UserFactory(username="ivan", is_active=False)
    AssignmentFactory(user=inactive, vendor=acme)
    theirs = VendorUserFactory(username="val", vendor=acme, email="Val@Acme.example ")
    elsewhere = VendorUserFactory(username="bob", vendor=other)
    ContactFactory(vendor=acme, name="Ann Exec", role=ContactRole.ACCOUNT_EXECUTIVE)
    lead = ContactFactory(vendor=acme, name="Dev\tLead", email="lead@acme.example")
    left = ContactFactory(vendor=acme, name="Left", archived_at=NOW)
    foreign = ContactFactory(vendor=other, name="Foreign")
    silent = ContactFactory(vendor=acme, name="No Mail", email="")
    BouncedAddress.objects.create(email="lead@acme.example")
    digest = Subscriber.objects.create(recipient_key=f"user:{ours.pk}")
    Preference.objects.create(subscriber=digest, kind="governance.action_item_overdue",
                              delivery=Delivery.DIGEST)
    Preference.objects.create(subscriber=digest, kind="governance.action_item_due",
                              delivery=Delivery.OFF)
    today = NOW.astimezone(AMS).date()
    owners = [ours, unassigned, manager, inactive, theirs, elsewhere, lead, left, foreign,
              silent]
    for n, owner in enumerate(owners):
        for days in (-40, -9, -8, -7, -2, -1, 0, 1, 2, 3, 4):
            item = action_item(acme, owner=ours, due_on=today + timedelta(days=days + n % 2),
                               title=f"Item {n} {days} “quoted” \\ {'x' * 250}"[:200],
                               notes=f"Notes {n}\nline two " + "y" * 400)
            # Owners as they may be by now (left the account, deactivated…): set directly.
            user = owner if not hasattr(owner, "escalation_level") else None
            ActionItem.objects.filter(pk=item.pk).update(
                owner_user=user, owner_contact=None if user else owner,
                status="in_progress" if days == 3 else "open")
    action_item(other, owner=foreign, due_on=today - timedelta(days=3))
    action_item(archived, owner=ContactFactory(vendor=archived), due_on=today)
    done = action_item(acme, owner=lead, due_on=today - timedelta(days=1))
    ActionItem.objects.filter(pk=done.pk).update(status="done")
    # Contracts whose notice dates fall around the lead time, one archived, one ended.
    for n, days in enumerate((-5, 0, 1, 29, 30, 31, 45, 200)):
        for vendor in (acme, nobody := VendorFactory(name=f"Nobody {n}", slug=f"nobody-{n}")):
            ContractFactory(vendor=vendor, reference=f"C-{n}", title=f"Services {n}",
                            end_date=today + timedelta(days=days + 90),
                            renewal_notice_days=90)
    ContractFactory(vendor=acme, end_date=today + timedelta(days=100), renewal_notice_days=90,
                    archived_at=NOW)
    ContractFactory(vendor=acme, end_date=today - timedelta(days=1), renewal_notice_days=0)
    # Health checks coming due, overdue, far ahead, one already running; our vendor
    # manager Vera has no address, Mia another one.
    UserFactory(username="mia", first_name="Mia", last_name="Manager", role=Role.VENDOR_MANAGER)
    for n, days in enumerate((-20, -1, 0, 13, 14, 15, 16, 60)):
        vendor = acme if n == 0 else VendorFactory(name=f"Checked {n}", slug=f"checked-{n}")
        if n % 2:
            AssignmentFactory(user=ours, vendor=vendor)
        HealthCheckPlan.objects.create(vendor=vendor, interval_months=12,
                                       next_due=today + timedelta(days=days))
        if n == 3:
            Cycle.objects.create(vendor=vendor, due_on=today)
    # Impediments at every step, raised or last escalated long ago or lately; one vendor
    # with its own age limit and an executive sponsor, one with no line manager at all.
    sponsored = VendorFactory(name="Sponsored", slug="sponsored")
    AssignmentFactory(user=ours, vendor=sponsored)
    AssignmentFactory(user=UserFactory(username="sam", first_name="Sam", last_name="Sponsor"),
                      vendor=sponsored, role=AssignmentRole.EXECUTIVE_SPONSOR)
    GovernancePlan.objects.update_or_create(vendor=sponsored,
                                            defaults={"escalate_after_days": 5})
    nobody = VendorFactory(name="Nobody", slug="nobody")
    for vendor in (acme, sponsored, nobody, archived):
        for level in range(5):
            for age in (3, 6, 15, 16, 40):
                raised = impediment(vendor, title=f"Blocked {level} {age}")
                Impediment.objects.filter(pk=raised.pk).update(
                    escalation_level=level, raised_on=today - timedelta(days=age),
                    severity=("critical", "low", "medium")[age % 3])
                if level and age > 10:
                    Escalation.objects.create(vendor=vendor, impediment=raised, level=level,
                                              to_user=ours, note="Raised",
                                              escalated_on=today - timedelta(days=age - 9))


def _rows(key):
    return sorted(Reminder.objects.filter(kind=key).values_list(*FIELDS))


@pytest.mark.parametrize("offset", [None, timedelta(0), timedelta(days=1, hours=6),
                                    timedelta(days=10)])
def test_recording_in_sql_writes_the_rows_recording_in_python_writes(db, offset):
    _portfolio()
    KindSetting.objects.update_or_create(kind="governance.action_item_due",
                                         defaults={"mandatory": True})
    if offset is not None:
        for key in SQL_KINDS:
            KindSetting.objects.update_or_create(kind=key, defaults={"offset": offset})
    configs = outbox.kind_configs()
    horizon = NOW + outbox.lookahead()
    assert SQL_KINDS
    seen, names = set(), set()
    for key in SQL_KINDS:
        config = configs[key]
        python = outbox.record(config, config.kind.find(horizon, config.offset), now=NOW)
        expected = _rows(key)
        seen |= {(row[FIELDS.index("status")], row[FIELDS.index("delivery")])
                 for row in expected}
        names |= {(key, row[FIELDS.index("name")]) for row in expected}
        stamped = item_stamps()  # what recording them settled ("Settled items")
        Reminder.objects.filter(kind=key).delete()
        unsettle(key)

        in_sql = outbox.record_sql([config], horizon=horizon, now=NOW)[key]

        got = _rows(key)
        assert item_stamps() == stamped, key  # the same stamps, written the same way
        assert len(got) == len(expected), (key, {r[:8] for r in expected} - {r[:8] for r in got})
        for mine, theirs in zip(got, expected, strict=True):
            assert dict(zip(FIELDS, mine, strict=True)) == dict(
                zip(FIELDS, theirs, strict=True)), key
        assert (in_sql.rows, sorted(in_sql.immediate_due)) == (
            python.rows, sorted(t for t in python.immediate_due if t > NOW)), key
        assert expected or offset == timedelta(days=10), key  # something to compare
        # Recorded: nothing more to record, either way.
        assert outbox.record_sql([config], horizon=horizon, now=NOW)[key].rows == 0
        assert outbox.record(config, config.kind.find(horizon, config.offset),
                             now=NOW).rows == 0
    if offset is None:  # every status and delivery a row can be recorded with, compared
        assert seen >= {("pending", "immediate"), ("pending", "digest"),
                        ("no_address", "immediate"), ("bounced", "immediate")}, seen
        # The next rung's owners: the executive sponsor on the last step, else ours.
        assert {("governance.impediment_escalation", "Sam Sponsor"),
                ("governance.impediment_escalation", "Liam Line"),
                ("governance.action_item_escalation", "Ann Exec"),
                ("governance.action_item_escalation", "owen"),
                ("vendors.contract_renewal", "owen"),
                ("healthchecks.health_check_due", "Liam Line"),
                ("healthchecks.health_check_due", "Mia Manager"),
                ("healthchecks.health_check_due", "vera")} <= names


def _prepared():
    """The reminder statements prepared on this database connection (outbox, "Planned
    once"): [(name, statement, generic plans, custom plans)]."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement, generic_plans, custom_plans "
                       "FROM pg_prepared_statements WHERE name LIKE 'vg\\_reminders\\_%%'")
        return cursor.fetchall()


@pytest.fixture
def unprepared(db):
    """No statement prepared on the database connection (it outlives a test's rollback)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection._vendorgov_prepared = None


def _executed(captured):
    return [q["sql"] for q in captured.captured_queries]


def test_every_sql_kind_is_recorded_in_one_statement_and_again_finds_nothing(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _portfolio()
    first = outbox.sweep(now=NOW)
    recorded = Reminder.objects.count()
    with CaptureQueriesContext(connection) as captured:
        again = outbox.sweep(now=NOW)

    assert first.inserted == recorded > 0
    assert again.inserted == 0 and Reminder.objects.count() == recorded
    # One statement records them all: prepared by the first sweep, executed by the second.
    [(name, statement, *_)] = _prepared()
    assert statement.count("INSERT INTO") == len(SQL_KINDS)
    assert all(f"'{key}'" in statement for key in SQL_KINDS)
    assert [sql for sql in _executed(captured) if name in sql or "INSERT" in sql] == [
        f"SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE {name} "
        f"('{NOW.isoformat()}'::timestamptz, "
        f"'{(NOW + outbox.lookahead()).isoformat()}'::timestamptz)"]


def test_the_recording_statement_is_planned_once_and_given_each_sweeps_moment(unprepared):
    """Prepared on the database connection once per quarter of an hour; each sweep runs it
    with its own `now` (its generic plan: made once, never planned again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _portfolio()
    outbox._statements.clear()
    sweeps, statements = [], []
    for minutes in (0, 5, 10):  # one quarter of an hour (09:00-09:15 UTC)
        with CaptureQueriesContext(connection) as captured:
            sweeps.append(outbox.sweep(now=NOW + timedelta(minutes=minutes)))
        statements.append(_executed(captured))
    [(name, _, generic, custom)] = _prepared()

    assert [sum(sql.startswith("PREPARE") for sql in run) for run in statements] == [1, 0, 0]
    assert [sum(f"EXECUTE {name} ('{(NOW + timedelta(minutes=m)).isoformat()}'" in sql
                for sql in run) for run, m in zip(statements, (0, 5, 10), strict=True)
            ] == [1, 1, 1]
    assert (generic, custom) == (3, 0)
    assert sweeps[0].inserted > 0 and sweeps[1].inserted == sweeps[2].inserted == 0


def test_a_changed_lead_time_prepares_its_statement_and_records_what_python_finds(db):
    """A vendor manager lengthens a lead time between two sweeps of the same quarter of an
    hour: the statement is a new one (the old one deallocated), and it records exactly the
    occasions the kind's Python find gives at the new lead time."""
    _portfolio()
    key = "governance.action_item_due"
    outbox.sweep(now=NOW)
    [(before, *_)] = _prepared()
    recorded = set(Reminder.objects.filter(kind=key).values_list("occasion", "recipient_key"))
    KindSetting.objects.filter(kind=key).update(offset=timedelta(days=4))
    later = NOW + timedelta(minutes=1)
    # What Python finds new at the longer lead time (what is recorded and stamped is not).
    found = {(d.occasion, d.recipient.key) for d in registry.get(key).find(
        later + outbox.lookahead(), timedelta(days=4))}

    assert outbox.sweep(now=later).failed_kinds == []

    [(after, *_)] = _prepared()
    now_recorded = set(Reminder.objects.filter(kind=key)
                       .values_list("occasion", "recipient_key"))
    assert after != before
    assert now_recorded - recorded == found != set()


@pytest.mark.django_db(transaction=True)
def test_a_new_database_connection_prepares_the_statement_again():
    """Celery closes the database connection around each task, and a connection may drop:
    the statement prepared on the old one is gone with it, and the next sweep prepares it
    on the new one (not: fails, and records each kind alone)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _portfolio()
    outbox.sweep(now=NOW)
    acme = Vendor.objects.get(slug="acme")
    item = action_item(acme, owner=ContactFactory(vendor=acme),
                       due_on=NOW.astimezone(AMS).date() + timedelta(days=1))
    connection.close()

    with CaptureQueriesContext(connection) as captured:
        again = outbox.sweep(now=NOW + timedelta(minutes=1))

    assert again.failed_kinds == [] and again.inserted >= 1
    assert Reminder.objects.filter(kind="governance.action_item_due",
                                   occasion__startswith=f"action_item:{item.pk}:").exists()
    [(name, *_)] = _prepared()
    statements = _executed(captured)
    assert sum(sql.startswith("PREPARE") for sql in statements) == 1
    assert not [sql for sql in statements if sql.lstrip().startswith("WITH")]  # not alone


def test_a_kind_whose_sql_fails_is_kept_as_a_failure_and_the_others_are_recorded(db):
    """The SQL kinds are recorded in one statement; when it fails, each is tried alone: only
    the broken kind is kept as a failure (on the home page), the others record as usual."""
    from dataclasses import replace

    from tests.reminders.kinds import registered
    from vendorgov.models import JobFailure

    _portfolio()
    due = registry.get("governance.action_item_due")
    broken = replace(due, key="tests.broken_sql", label="Test: broken SQL",
                     find_sql=lambda now, offset: ("SELECT 1 / 0", []))
    with registered(due, broken):
        result = outbox.sweep(now=NOW)

    assert result.failed_kinds == ["tests.broken_sql"]
    assert result.inserted == Reminder.objects.count() > 0
    assert set(Reminder.objects.values_list("kind", flat=True)) == {due.key}
    assert JobFailure.objects.filter(job=outbox.SWEEP_JOB, resolved_at__isnull=True,
                                     record_id=KindSetting.objects.get(kind=broken.key).pk
                                     ).count() == 1


def _counted(kind, calls):
    """`kind` whose `find_sql` notes each time it is built."""
    from dataclasses import replace

    def find_sql(now, offset):
        calls.append((kind.key, now))
        return kind.find_sql(now, offset)

    return replace(kind, find_sql=find_sql)


def test_a_kinds_statement_is_compiled_once_a_quarter_hour_and_given_each_sweeps_moment(db):
    from tests.reminders.kinds import registered

    calls = []
    outbox._statements.clear()
    with registered(*(_counted(registry.get(key), calls) for key in SQL_KINDS)):
        configs = list(outbox.kind_configs().values())
        for minutes in (0, 3, 6):  # one quarter of an hour (09:00-09:15 UTC)
            now = NOW + timedelta(minutes=minutes)
            horizon = now + outbox.lookahead()
            kept = [outbox._sql_insert_cached(config, horizon, now) for config in configs]
            assert kept == [outbox._sql_insert(config, horizon, now) for config in configs]
    # Twice per kind at the first sweep (the moment and a second later), then reused; the
    # rest are the fresh compilations this test compares with.
    assert len(calls) == len(SQL_KINDS) * (2 + 3)


def test_a_statement_that_moves_with_the_moment_otherwise_is_compiled_at_every_sweep(db):
    from tests.reminders.kinds import registered

    due = registry.get("governance.action_item_due")
    hour_ago = registry.Kind(
        key="tests.hour_ago", label="Test", description="Test.", timing=due.timing,
        default_offset=due.default_offset, find=due.find,
        find_sql=lambda now, offset: ("SELECT %s", [now - timedelta(hours=1)]))
    calls = []
    outbox._statements.clear()
    with registered(_counted(hour_ago, calls)):
        config = outbox.kind_configs()[hour_ago.key]
        for minutes in (0, 3):
            now = NOW + timedelta(minutes=minutes)
            sql, params = outbox._sql_insert_cached(config, now, now)
            assert now - timedelta(hours=1) in params
    assert len(calls) == 2 + 1 + 1
