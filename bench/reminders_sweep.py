"""Benchmark: a reminder sweep over a large portfolio, next to one plain SQL query.

    DATABASE_URL=postgres://user@host:5432/db .venv/bin/python bench/reminders_sweep.py
    (options: --meetings 100000 --rounds 3)

It creates a scratch database next to DATABASE_URL's (the role needs CREATEDB), migrates it
and builds, with bulk inserts, a portfolio of `--meetings` scheduled review meetings (weekly
series over a year, half past and held, half ahead with two participants each, in three
time zones), and per vendor five open action items, an open impediment, a contract and a
health-check plan. Then, in the same run, at the same moment:

1. the engine's sweep (`reminders.outbox.sweep`): every registered kind's `find` and the
   recording of what is due (INSERT … ON CONFLICT DO NOTHING), on an empty reminder table
   and no meeting stamped as announced (the cold sweep: everything due is new) and again
   (the steady sweep: nothing new);
2. one plain SQL query (UNION ALL) selecting the same due rows: the meetings starting within
   their lead time with their participants, the action items due soon, overdue and past
   their escalation grace, the impediments past their age, the contracts and health checks
   whose notice or due date is within the lead;

first at a tenth of the portfolio and then at all of it, counting the SQL queries of the
kinds' finds, of the cold sweep and of the steady sweep (none may grow with the portfolio:
the kinds that give `find_sql` are found and recorded together in one INSERT … SELECT
statement, prepared on the connection by the first sweep that runs it (a PREPARE more
then; where the connection held another text, also the look-up of what it holds and a
DEALLOCATE), the others write their due rows with one COPY and one INSERT whatever their
number). It prints the medians, their ratios (goal: the sweep within 3x the query), how
much of the cold sweep is the statements that write (COPY, INSERT, COMMIT, the EXECUTE of
the prepared INSERT … SELECT, which also finds), the floor of any cold sweep (the same
rows inserted again from a copy, with the table's indexes, by one INSERT … SELECT … ON
CONFLICT DO NOTHING, committed) and a per-kind profile, and exits non-zero when the finds'
query count grows. The scratch database is dropped at the end.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL = 3.0
ZONES = ("Europe/Amsterdam", "America/New_York", "Asia/Tokyo")
WEEKS = 50  # meetings per series: half behind, half ahead


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL database (its role needs CREATEDB).")
        return 2
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="vendorgov-bench-")
    os.makedirs(Path(os.environ["VAR_DIR"]) / "staticfiles")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendorgov.settings.local")

    import django
    django.setup()
    from django.db import connection

    connection.settings_dict["TEST"]["NAME"] = f"vendorgov_bench_{os.getpid()}"
    old_name = connection.settings_dict["NAME"]
    print(f"Creating the scratch database {connection.settings_dict['TEST']['NAME']}…",
          flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return run(args)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _build(first: int, count: int, now: datetime) -> None:
    from zoneinfo import ZoneInfo

    from django.contrib.auth import get_user_model

    from governance.models import ActionItem, Attendance, Cadence, Impediment, Meeting
    from healthchecks.models import HealthCheckPlan
    from vendors.models import Contact, Contract, Vendor, VendorAssignment

    today = now.date()
    ids = range(first, first + count)
    vendors = Vendor.objects.bulk_create(
        [Vendor(name=f"Bench vendor {i}", slug=f"bench-{i}") for i in ids], batch_size=2000)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{i}", email=f"lm{i}@example.org",
                          first_name="Line", last_name=f"Manager {i}", password="!")
         for i in ids], batch_size=2000)
    VendorAssignment.objects.bulk_create(
        [VendorAssignment(vendor=v, user=u, role="line_manager")
         for v, u in zip(vendors, users, strict=True)],
        batch_size=5000)
    contacts = Contact.objects.bulk_create(
        [Contact(vendor=v, name=f"Account exec {v.pk}", role="account_executive",
                 email=f"ae{v.pk}@vendor.example", escalation_level=1) for v in vendors],
        batch_size=5000)
    leads = Contact.objects.bulk_create(
        [Contact(vendor=v, name=f"Lead {v.pk}", role="outsourced_lead",
                 email=f"lead{v.pk}@vendor.example") for v in vendors], batch_size=5000)
    cadences = Cadence.objects.bulk_create(
        [Cadence(vendor=v, tier="weekly", weekday=n % 5, start_time="10:00",
                 time_zone=ZONES[n % 3], starts_on=today - timedelta(weeks=WEEKS))
         for n, v in enumerate(vendors)], batch_size=5000)
    meetings = []
    for v, c in zip(vendors, cadences, strict=True):
        tz = ZoneInfo(c.time_zone)
        monday = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS // 2)
        for w in range(WEEKS):
            day = monday + timedelta(weeks=w, days=c.weekday)
            start = datetime.combine(day, datetime.min.time().replace(hour=10), tz)
            start = start.astimezone(UTC)
            meetings.append(Meeting(
                vendor=v, cadence=c, tier="weekly", period=f"{day:%G-W%V}",
                title="Weekly review", starts_at=start, ends_at=start + timedelta(hours=1),
                series_starts_at=start, time_zone=c.time_zone,
                status="held" if start < now else "scheduled"))
    meetings = Meeting.objects.bulk_create(meetings, batch_size=5000)
    people = {v.pk: (u, lead) for v, u, lead in zip(vendors, users, leads, strict=True)}
    Attendance.objects.bulk_create(
        [Attendance(vendor_id=m.vendor_id, meeting=m, **who)
         for m in meetings if m.status == "scheduled"
         for who in ({"user": people[m.vendor_id][0]}, {"contact": people[m.vendor_id][1]})],
        batch_size=10000)
    ActionItem.objects.bulk_create(
        [ActionItem(vendor=v, title=f"Item {k}", owner_contact=lead, side="vendor",
                    due_on=today + timedelta(days=(v.pk * 7 + k * 13) % 60 - 30))
         for v, lead in zip(vendors, leads, strict=True) for k in range(5)], batch_size=10000)
    Impediment.objects.bulk_create(
        [Impediment(vendor=v, title="Slow approvals", raised_by_side="ours",
                    raised_on=today - timedelta(days=v.pk % 60)) for v in vendors],
        batch_size=5000)
    Contract.objects.bulk_create(
        [Contract(vendor=v, reference=f"C-{v.pk}", title="Services", start_date=today
                  - timedelta(days=400), end_date=today + timedelta(days=v.pk % 700),
                  value=1000) for v in vendors], batch_size=5000)
    HealthCheckPlan.objects.bulk_create(
        [HealthCheckPlan(vendor=v, interval_months=12,
                         next_due=today + timedelta(days=v.pk % 365)) for v in vendors],
        batch_size=5000)
    del contacts
    # Planner statistics, as a database in use has them (autovacuum analyses a table soon
    # after a bulk load, but not at once): measured without them, the weekly meetings'
    # candidate query was planned for one vendor, ran a nested loop over 2,000 and took
    # 2 s instead of milliseconds, or not, depending on whether autovacuum had come by.
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# The same due rows as the kinds find, in one statement (leads and graces as the kinds'
# defaults; local wall times approximated by UTC intervals, which is what a plain query
# can do).
BASELINE = """
SELECT 'meeting', m.id, a.id FROM governance_meeting m
  JOIN governance_attendance a ON a.meeting_id = m.id
  JOIN vendors_vendor v ON v.id = m.vendor_id
  WHERE v.archived_at IS NULL AND m.archived_at IS NULL AND m.status = 'scheduled'
    AND m.tier = 'weekly' AND m.starts_at <= %(now)s + interval '1 day'
    AND m.ends_at > %(now)s
UNION ALL
SELECT 'action', i.id, i.owner_contact_id FROM governance_actionitem i
  JOIN vendors_vendor v ON v.id = i.vendor_id
  WHERE v.archived_at IS NULL AND i.archived_at IS NULL
    AND i.status IN ('open', 'in_progress') AND i.due_on <= %(today)s + 2
UNION ALL
SELECT 'escalate', i.id, i.vendor_id FROM governance_actionitem i
  JOIN vendors_vendor v ON v.id = i.vendor_id
  WHERE v.archived_at IS NULL AND i.archived_at IS NULL
    AND i.status IN ('open', 'in_progress') AND i.due_on <= %(today)s - 8
UNION ALL
SELECT 'impediment', i.id, i.vendor_id FROM governance_impediment i
  JOIN vendors_vendor v ON v.id = i.vendor_id
  WHERE v.archived_at IS NULL AND i.archived_at IS NULL
    AND i.status IN ('open', 'in_progress') AND i.raised_on < %(today)s - 14
UNION ALL
SELECT 'contract', c.id, c.vendor_id FROM vendors_contract c
  JOIN vendors_vendor v ON v.id = c.vendor_id
  WHERE v.archived_at IS NULL AND c.archived_at IS NULL AND c.end_date >= %(today)s
    AND c.end_date - c.renewal_notice_days - 30 <= %(today)s
UNION ALL
SELECT 'health', p.id, p.vendor_id FROM healthchecks_healthcheckplan p
  JOIN vendors_vendor v ON v.id = p.vendor_id
  WHERE v.archived_at IS NULL AND p.next_due <= %(today)s + 14
"""


RECORDING = ("COPY", 'INSERT INTO "reminders_reminder"', "COMMIT")
# The SQL kinds' recording statement runs as a prepared statement (reminders/outbox.py,
# "Planned once"): its EXECUTE is the INSERT … SELECT that finds and writes.
RECORDING_PREPARED = "EXECUTE vg_reminders_"


def empty() -> None:
    """The state before any sweep: no reminder rows, no meeting participant stamped as
    announced (`Attendance.invited_*`, written with the rows: governance/reminders.py,
    "Settled meetings") and no action item, impediment or corrective action stamped as
    reminded ("Settled items"), so that the cold sweep finds and records everything again."""
    from governance.models import ActionItem, Attendance, Impediment
    from reminders.models import Reminder
    from sla.models import CorrectiveAction

    Reminder.objects.all().delete()
    Attendance.objects.filter(invited_sequence__isnull=False).update(
        invited_sequence=None, invited_mailable=None, invited_peers=None)
    ActionItem.objects.update(reminded_due_on=None, reminded_due_to="",
                              reminded_overdue_on=None, reminded_overdue_to="",
                              reminded_escalation_on=None)
    Impediment.objects.filter(reminded_step__isnull=False).update(reminded_step=None,
                                                                   reminded_since=None)
    CorrectiveAction.objects.update(reminded_due_on=None, reminded_due_to="",
                                    reminded_overdue_on=None, reminded_overdue_to="",
                                    reminded_escalation_on=None)


def _writes(sql: str) -> bool:
    return (sql.lstrip().startswith(RECORDING) or 'INSERT INTO "reminders_reminder"' in sql
            or RECORDING_PREPARED in sql)


def floor() -> float:
    """Seconds to insert the rows the cold sweep recorded, again, from a copy: one INSERT …
    SELECT … ON CONFLICT DO NOTHING into the reminder table (its indexes, its foreign key),
    committed. No sweep that records them can take less."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_reminder_copy")
        cursor.execute("CREATE TABLE bench_reminder_copy AS SELECT * FROM reminders_reminder")
        cursor.execute("DELETE FROM reminders_reminder")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO reminders_reminder SELECT * FROM bench_reminder_copy "
                       "ON CONFLICT (kind, occasion, recipient_key) DO NOTHING")
    took = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_reminder_copy")
    return took


def measure(now: datetime, rounds: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reminders import outbox
    from reminders.models import Reminder

    cold, steady, query, queries, rows = [], [], [], [], 0
    writing, steady_queries, floors = [], [], []
    for _ in range(rounds):
        empty()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            outbox.sweep(now=now)
        cold.append(time.perf_counter() - started)
        queries.append(len(captured))
        # The statements that write the due rows (the floor of a cold sweep: every due
        # row is inserted, with the table's indexes and foreign keys, and committed).
        writing.append(sum(float(q["time"]) for q in captured.captured_queries
                           if _writes(q["sql"])))
        rows = Reminder.objects.count()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            outbox.sweep(now=now)
        steady.append(time.perf_counter() - started)
        steady_queries.append(len(captured))
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(BASELINE, {"now": now, "today": now.date()})
            selected = len(cursor.fetchall())
        query.append(time.perf_counter() - started)
        floors.append(floor())
    horizon = now + outbox.lookahead()
    with CaptureQueriesContext(connection) as finds:
        for config in outbox.kind_configs().values():
            list(config.kind.find(horizon, config.offset))
    return {"cold": statistics.median(cold), "steady": statistics.median(steady),
            "query": statistics.median(query), "queries": max(queries), "rows": rows,
            "selected": selected, "find_queries": len(finds),
            "writing": statistics.median(writing), "steady_queries": max(steady_queries),
            "floor": statistics.median(floors)}


def profile(now: datetime) -> None:
    """Where a cold sweep's time goes: per kind, its find and its recording (as the sweep
    runs them: with PostgreSQL's JIT off)."""
    from reminders import outbox

    with outbox._no_jit():
        _profile(now)


def _profile(now: datetime) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reminders import outbox

    empty()
    horizon = now + outbox.lookahead()
    for config in outbox.kind_configs().values():
        if config.kind.find_sql is not None:  # found and recorded by one statement
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as record_q:
                rows = outbox.record_sql([config], horizon=horizon, now=now)[config.kind.key]
            print(f"  {config.kind.key:<36} in SQL: find and record "
                  f"{(time.perf_counter() - started) * 1000:>7,.0f}ms {len(record_q):>3}q "
                  f"{rows.rows:>6,} due")
            continue
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as found_q:
            # (as the sweep hands it over: a kind's `registry.Found` settles what it found)
            dues = config.kind.find(horizon, config.offset)
        found = time.perf_counter() - started
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as record_q:
            outbox.record(config, dues, now=now)
        print(f"  {config.kind.key:<36} find {found * 1000:>7,.0f}ms {len(found_q):>3}q "
              f"{len(dues):>6,} due   record {(time.perf_counter() - started) * 1000:>6,.0f}ms "
              f"{len(record_q):>3}q")
    print("Per kind, the steady sweep (everything recorded): what each kind costs again "
          "(an SQL kind in a statement of its own, prepared beforehand as the sweep's is)")
    for config in outbox.kind_configs().values():
        if config.kind.find_sql is not None:
            outbox.record_sql([config], horizon=horizon, now=now)  # (prepared: not timed)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as steady_q:
            if config.kind.find_sql is not None:
                outbox.record_sql([config], horizon=horizon, now=now)
            else:
                outbox.record(config, config.kind.find(horizon, config.offset), now=now)
        print(f"  {config.kind.key:<36} {(time.perf_counter() - started) * 1000:>7,.1f}ms "
              f"{len(steady_q):>3}q")


def run(args) -> int:
    from django.utils import timezone

    from governance.models import Meeting

    now = timezone.now().replace(microsecond=0)
    vendors = max(args.meetings // WEEKS, 10)
    tenth = max(vendors // 10, 1)
    results = {}
    for label, first, count in (("1/10", 0, tenth), ("all", tenth, vendors - tenth)):
        started = time.perf_counter()
        _build(first, count, now)
        print(f"Built {Meeting.objects.count():,} meetings in "
              f"{time.perf_counter() - started:.0f} s; measuring…", flush=True)
        results[label] = (Meeting.objects.count(), measure(now, args.rounds))
    print()
    print(f"{'portfolio':>9} {'meetings':>9} {'sweep cold':>11} {'of it writing':>13} "
          f"{'floor':>7} "
          f"{'sweep steady':>13} {'1 SQL query':>12} {'cold/query':>10} {'steady/query':>12} "
          f"{'queries':>8} {'steady':>7} {'in finds':>8} {'rows recorded':>14} "
          f"{'rows selected':>14}")
    for label, (meetings, r) in results.items():
        print(f"{label:>9} {meetings:>9,} {r['cold'] * 1000:>9,.0f}ms "
              f"{r['writing'] * 1000:>11,.0f}ms {r['floor'] * 1000:>5,.0f}ms "
              f"{r['steady'] * 1000:>11,.0f}ms {r['query'] * 1000:>10,.0f}ms "
              f"{r['cold'] / r['query']:>9.1f}x {r['steady'] / r['query']:>11.1f}x "
              f"{r['queries']:>8} {r['steady_queries']:>7} {r['find_queries']:>8} "
              f"{r['rows']:>14,} {r['selected']:>14,}")
    print()
    print("Per kind, one cold sweep at full size:")
    profile(now)
    small, large = results["1/10"][1], results["all"][1]
    ratio = large["cold"] / large["query"]
    steady = large["steady"] / large["query"]
    print()
    same = small["find_queries"] == large["find_queries"]
    sweeps_same = (small["queries"] == large["queries"]
                   and small["steady_queries"] == large["steady_queries"])
    print(f"At full size (goal: the sweep within {GOAL:.0f}x the query): cold {ratio:.1f}x "
          f"{'met' if ratio <= GOAL else 'MISSED'} (the writing statements: "
          f"{large['writing'] / large['query']:.1f}x; the floor, inserting the same rows "
          f"from a copy: {large['floor'] / large['query']:.1f}x), steady {steady:.1f}x "
          f"{'met' if steady <= GOAL else 'MISSED'}. Queries: the kinds' finds "
          f"{small['find_queries']} -> {large['find_queries']}, the cold sweep "
          f"{small['queries']} -> {large['queries']}, the steady sweep "
          f"{small['steady_queries']} -> {large['steady_queries']} "
          f"({'constant' if same and sweeps_same else 'see above'}: a kind with nothing "
          f"due at one size and something at the other adds its recording statements)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
