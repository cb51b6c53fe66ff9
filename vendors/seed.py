"""A large portfolio, fast: ``python manage.py seed_portfolio --vendors N --years Y``.

For benchmarks and scale tests (bench/portfolio.py), not for demos (vendors/demo.py tells a
story through the services day by day; this makes volume). Each vendor's own structure —
the vendor, its contract and contacts, its SLA and service levels — is made through the
services, with the clock set back `years` years, so it obeys every rule they enforce; so are
the few impediments, escalations and suggestions. The volume — years of measurements,
evaluations, meetings, attendance, action items, scorecard structure and actuals, health
checks — is built with the rule functions the services use (the evaluator's classification
and breach handling, the cadence's recurrence, the template's copy, the health-check
workflow) and written in bulk, by PostgreSQL's COPY for the big tables, with the history
rows the services would have written beside them, so the database holds nothing the product
could not have made (tests/vendors/test_seed.py compares a small seed with the product's
own evaluator, `template_apply`, reminder sweep and pages). Constraints, foreign keys and
indexes all stay.

Each feature app adds its part in `<app>/seed.py` with `seed(portfolio)` (and optionally
`prepare`/`finish`, see `app_steps`), found the way the demo finds `<app>/demo.py`; the
steps run by the module's ORDER (SLAs before scorecards, governance last). The vendors are
shared out among `workers` forked processes; PostgreSQL only (COPY).
"""

import importlib
import io
import json
import multiprocessing
import queue
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from unittest import mock

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import NotSupportedError, connection, connections, transaction
from django.db.models import NOT_PROVIDED as models_NOT_PROVIDED
from django.db.models import Model
from django.utils import timezone

from vendorgov import freshness
from vendors import services
from vendors.choices import AssignmentRole, ContactRole, Criticality, Tier
from vendors.models import Contact, Contract, Vendor, VendorAssignment

#: Every seeded person's password (a benchmark signs in with it).
SEED_PASSWORD = "seed-pass-2026"


@dataclass
class Portfolio:
    """What the seed made, for the apps' steps and for the benchmark."""

    years: int
    today: date
    start: date  # the first day of history: the month `years` years before today
    vendors: list[Vendor] = field(default_factory=list)
    people: dict = field(default_factory=dict)  # role name → user (vera, erin, …)
    owners: dict = field(default_factory=dict)  # vendor id → (line manager, operations)
    vendor_users: dict = field(default_factory=dict)  # vendor id → its vendor user
    contacts: dict = field(default_factory=dict)  # vendor id → its outsourced lead
    shared: dict = field(default_factory=dict)  # records the apps' `prepare` made for all
    rows: int = 0
    label: str = ""  # which worker, in its progress lines
    progress: Callable[[str], None] = print
    started: float = field(default_factory=time.monotonic)

    def rng(self, *key) -> random.Random:
        """The same figures every run for the same vendor and key."""
        return random.Random("/".join(str(k) for k in key))

    def made(self, what: str, count: int) -> None:
        self.rows += count
        seconds = time.monotonic() - self.started
        self.progress(f"  {self.label}{what}: {count:,} rows · {self.rows:,} in all · "
                      f"{self.rows / max(seconds, 1e-6):,.0f} rows/s · {seconds:,.0f} s")


@contextmanager
def clock(day: date) -> Iterator[None]:
    """Today is `day` for the services, models and history called inside."""
    start = timezone.make_aware(datetime.combine(day, dtime(9, 0)))
    real_localdate = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real_localdate(value, timezone)

    with (mock.patch("django.utils.timezone.now", lambda: start),
          mock.patch("django.utils.timezone.localdate", localdate)):
        yield


# -- bulk writes -------------------------------------------------------------------------------
# The volume goes in by COPY (PostgreSQL's bulk load): rows are dicts keyed by the model's
# column attnames, built by each app's seed with the same rule functions its services use.
# Constraints, indexes and foreign keys all stay: COPY checks them like any insert.

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_CHUNK = 50_000  # rows a COPY statement (a few MB of text)


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, date):  # datetimes too (aware: isoformat carries the offset)
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value).translate(_ESCAPES)
    if isinstance(value, Model):
        return str(value.pk)
    return str(value)


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` fresh ids from the table's own sequence (COPY gives none back), so rows
    that point at each other can be built before they are written."""
    if not count:
        return []
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                       "FROM generate_series(1, %s)", [model._meta.db_table, pk, count])
        return [row[0] for row in cursor.fetchall()]


def _converter(field) -> Callable:
    """The cheapest correct `_copy_text` for the column's type (millions of values)."""
    kind = field.get_internal_type()
    if kind in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField",
                "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField",
                "ForeignKey", "OneToOneField", "DecimalField"):
        return lambda v: "\\N" if v is None else str(v)
    if kind in ("CharField", "TextField", "EmailField", "URLField", "SlugField"):
        return lambda v: "\\N" if v is None else v.translate(_ESCAPES)
    if kind in ("DateField", "DateTimeField"):
        return lambda v: "\\N" if v is None else v.isoformat()
    return _copy_text


def copy_rows(model: type[Model], rows: list[dict]) -> int:
    """COPY `rows` into the model's table; fields a row leaves out take the field's default
    (or the column's database default). Returns how many rows."""
    if not rows:
        return 0
    given = set(rows[0])
    columns, fixed = [], []
    for f in model._meta.concrete_fields:
        if f.attname in given:
            columns.append(f)
        elif f.primary_key or f.db_default is not models_NOT_PROVIDED:
            continue  # the sequence or the database fills it
        else:
            fixed.append((f, _copy_text(f.get_default())))  # "" for text, as Django
    convert = [(f.attname, _converter(f)) for f in columns]
    suffix = "".join("\t" + text for _, text in fixed)
    quote = connection.ops.quote_name
    sql = (f"COPY {quote(model._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in columns + [f for f, _ in fixed])}) "
           "FROM STDIN")
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), _COPY_CHUNK):
            buffer = io.StringIO()
            buffer.writelines(
                "\t".join([text(row[name]) for name, text in convert]) + suffix + "\n"
                for row in rows[offset:offset + _COPY_CHUNK])
            buffer.seek(0)
            cursor.cursor.copy_expert(sql, buffer)
    freshness.written([model])  # COPY passes by Django's cursor, which notices writes
    return len(rows)


def copy_with_history(model: type[Model], rows: list[dict], *,
                      reason: str | None | Callable[[dict], str | None], user=None,
                      at: Callable[[dict], datetime] | None = None) -> int:
    """COPY `rows` and, beside each, the history row simple-history writes when a service
    saves a new record ("+", who, why — `reason`, or `reason(row)` —, when: `at(row)`, else
    now). Rows without an id get one from the sequence. Returns how many rows were written,
    history included."""
    if not rows:
        return 0
    if "id" not in rows[0]:
        for row, pk in zip(rows, reserve_ids(model, len(rows)), strict=True):
            row["id"] = pk
    copy_rows(model, rows)
    history = model.history.model
    wanted = [f.attname for f in history._meta.concrete_fields
              if not f.attname.startswith("history_")]
    now, user_id = timezone.now(), getattr(user, "pk", user)
    copy_rows(history, [{**{name: row[name] for name in wanted if name in row},
                         "history_date": at(row) if at else now,
                         "history_change_reason": reason(row) if callable(reason) else reason,
                         "history_type": "+",
                         "history_user_id": user_id} for row in rows])
    return len(rows) * 2


def app_steps() -> list:
    """The `seed` module of every installed app that has one, by the module's ORDER (SLA
    data before the reviews whose frozen agendas read it). A module has `seed(portfolio)`
    (its part for the portfolio's vendors, run in each worker), and may have
    `prepare(portfolio)` (shared records, such as a template, made once before the workers
    start) and `finish(portfolio)` (after every worker is done)."""
    steps = []
    for config in apps.get_app_configs():
        if config.name == "vendors" or importlib.util.find_spec(f"{config.name}.seed") is None:
            continue
        module = importlib.import_module(f"{config.name}.seed")
        if hasattr(module, "seed"):
            steps.append((getattr(module, "ORDER", 50), config.name, module))
    return [module for *_, module in sorted(steps, key=lambda s: (s[0], s[1]))]


def seed(*, vendors: int, years: int, progress: Callable[[str], None] = print,
         today: date | None = None, workers: int = 1) -> Portfolio:
    """Seed `vendors` vendors with `years` years of history. With `workers` > 1 the vendors
    are shared out among that many processes (PostgreSQL only): each vendor's records depend
    on nothing of another vendor's, and what vendors share (people, templates) is made
    before the workers start."""
    if connection.vendor != "postgresql":
        raise NotSupportedError("seed_portfolio writes by PostgreSQL's COPY: point "
                                "DATABASE_URL at a PostgreSQL database.")
    today = today or timezone.localdate()
    first = date(today.year - years, today.month, 1)
    portfolio = Portfolio(years=years, today=today, start=first, progress=progress)
    workers = max(1, min(workers, vendors))
    progress(f"Seeding {vendors:,} vendors with {years} years of history from {first} "
             f"({workers} worker{'s' if workers > 1 else ''})…")
    _fast_commits()
    _people(portfolio, vendors)
    modules = app_steps()
    for module in modules:
        if hasattr(module, "prepare"):
            module.prepare(portfolio)
    shares = [range(w, vendors, workers) for w in range(workers)]
    if workers == 1:
        _work(portfolio, shares[0], modules)
    else:
        portfolio.rows += _fork(portfolio, shares, modules)
        _fast_commits()  # the parent's new connection
    for module in modules:
        if hasattr(module, "finish"):
            module.finish(portfolio)
    with connection.cursor() as cursor:
        # Fresh planner statistics for the benchmark that follows (autovacuum would get to
        # them later, while the first requests are timed).
        cursor.execute("ANALYZE")
    seconds = time.monotonic() - portfolio.started
    progress(f"Done: {portfolio.rows:,} rows in {seconds:,.0f} s "
             f"({portfolio.rows / max(seconds, 1e-6):,.0f} rows/s).")
    return portfolio


def _fast_commits() -> None:
    # Thousands of small service transactions: none waits for its commit to reach the disk
    # (a crash loses the last moments of a seed, which is then simply run again).
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")


def _work(portfolio: Portfolio, indexes: range, modules: list) -> None:
    _vendors(portfolio, indexes)
    for module in modules:
        module.seed(portfolio)


_SHARED: dict = {}  # what a forked worker inherits: the portfolio so far and its share


def _fork(portfolio: Portfolio, shares: list[range], modules: list) -> int:
    """Run `_work` for each share in its own process (forked: it inherits the portfolio
    made so far, and opens its own database connection). Returns the rows they made."""
    connections.close_all()  # a forked child must never share the parent's socket
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    _SHARED.update(portfolio=portfolio, shares=shares, modules=modules, results=results)
    children = [context.Process(target=_worker, args=(n,)) for n in range(len(shares))]
    for child in children:
        child.start()
    rows, failures, waiting = 0, [], set(range(len(children)))
    while waiting:
        try:
            n, made, failure = results.get(timeout=5)
        except queue.Empty:
            # A worker that died without a word (killed, out of memory) never reports.
            for n in [n for n in waiting if children[n].exitcode not in (None, 0)]:
                waiting.discard(n)
                failures.append(f"worker {n + 1}: exited with code {children[n].exitcode}")
            continue
        waiting.discard(n)
        rows += made
        if failure:
            failures.append(f"worker {n + 1}: {failure}")
    for child in children:
        child.join()
    if failures:
        raise RuntimeError("A seed worker failed:\n" + "\n".join(failures))
    return rows


def _worker(n: int) -> None:
    portfolio, results = _SHARED["portfolio"], _SHARED["results"]
    portfolio.label = f"[worker {n + 1}/{len(_SHARED['shares'])}] "
    portfolio.rows, portfolio.started = 0, time.monotonic()
    try:
        _fast_commits()
        _work(portfolio, _SHARED["shares"][n], _SHARED["modules"])
        results.put((n, portfolio.rows, None))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the seed
        import traceback
        results.put((n, portfolio.rows, traceback.format_exc()))
    finally:
        connections.close_all()
        sys.stdout.flush()


def _people(portfolio: Portfolio, vendors: int) -> None:
    """Vera (vendor manager), Erin (executive), and one line manager and one operations
    person per 25 vendors (the relationships a person can look after)."""
    User = get_user_model()
    password = make_password(SEED_PASSWORD)  # hashed once: thousands of people share it
    teams = max(1, -(-vendors // 25))
    people = [User(username="vera", first_name="Vera", role="vendor_manager",
                   email="vera@example.org", password=password, is_staff=True),
              User(username="erin", first_name="Erin", role="executive",
                   email="erin@example.org", password=password)]
    for i in range(teams):
        people += [User(username=f"line{i}", first_name=f"Line {i}", role="line_manager",
                        email=f"line{i}@example.org", password=password),
                   User(username=f"ops{i}", first_name=f"Ops {i}", role="operations",
                        email=f"ops{i}@example.org", password=password)]
    User.objects.bulk_create(people)
    portfolio.people = {u.username: u for u in User.objects.filter(
        username__in=[p.username for p in people])}
    portfolio.made("people", len(people))


def _vendors(portfolio: Portfolio, indexes: range) -> None:
    """Each vendor through the services, as a vendor manager adds it: the vendor, its
    contract, its outsourced lead, its account executive and who looks after it."""
    User = get_user_model()
    vera, start = portfolio.people["vera"], portfolio.start
    tiers, levels = list(Tier.values), list(Criticality.values)
    password = next(iter(portfolio.people.values())).password
    made, count = 0, len(indexes)
    with clock(start):
        for done, i in enumerate(indexes, start=1):
            with transaction.atomic():
                vendor = services.vendor_create(
                    by=vera, name=f"Vendor {i:04d}", description="Seeded for scale tests.",
                    tier=tiers[i % len(tiers)], criticality=levels[i % len(levels)])
                services.record_create(
                    Contract, vendor=vendor, by=vera, reference=f"MSA-{i:04d}",
                    title="Master services agreement", start_date=start,
                    end_date=date(start.year + portfolio.years + 2, start.month, 1),
                    value=1_000_000)
                lead = services.record_create(
                    Contact, vendor=vendor, by=vera, name=f"Lead {i:04d}",
                    role=ContactRole.OUTSOURCED_LEAD, email=f"lead@v{i:04d}.example",
                    escalation_level=1)
                services.record_create(
                    Contact, vendor=vendor, by=vera, name=f"Executive {i:04d}",
                    role=ContactRole.ACCOUNT_EXECUTIVE, email=f"exec@v{i:04d}.example",
                    escalation_level=2)
                team = i // 25
                line, ops = portfolio.people[f"line{team}"], portfolio.people[f"ops{team}"]
                for user, role in ((line, AssignmentRole.LINE_MANAGER),
                                   (ops, AssignmentRole.OPERATIONS)):
                    services.record_create(VendorAssignment, vendor=vendor, by=vera,
                                           user=user, role=role)
                vendor_user = User.objects.create(
                    username=f"v{i:04d}", first_name="Vendor", last_name=f"{i:04d}",
                    role="vendor_user", vendor=vendor, email=f"api@v{i:04d}.example",
                    password=password)
            portfolio.vendors.append(vendor)
            portfolio.owners[vendor.pk] = (line, ops)
            portfolio.vendor_users[vendor.pk] = vendor_user
            portfolio.contacts[vendor.pk] = lead
            made += 7
            if done % 100 == 0 or done == count:
                portfolio.made(f"vendors {done:,}/{count:,}", made)
                made = 0
