"""Exactly once, as far as email allows: record once, claim once, hand over once.

1. **Record.** A sweep asks every kind what is due up to a little ahead (`LOOKAHEAD`) and
   inserts one row per (kind, occasion, recipient) with ``INSERT … ON CONFLICT DO
   NOTHING`` under that unique key: two sweeps at once, two beats, a task run twice, all
   insert each row once. The statement returns the rows it inserted, so the caller can
   wake the senders at their due moments.
2. **Claim.** A sender takes a batch of pending rows with a conditional update (status
   pending → claimed, a fresh claim token, `claimed_at`); on PostgreSQL the candidates are
   read ``FOR UPDATE SKIP LOCKED`` so two senders split the work instead of queueing on
   each other. A row is held by one token at a time.
3. **Hand over.** For each row: a conditional update sets `handing_at` (only while the row
   is still claimed by this token and was never handed), and commits; then the message goes
   to the mail backend; then the row is marked sent. `handing_at` is set at most once per
   row, and nothing hands a row whose `handing_at` is set: **no row is ever handed to the
   mail backend twice** (tests/reminders/test_exactly_once.py, test_faults.py).

The boundary. The mail backend (an SMTP server) and the database cannot commit together.
A worker killed between `handing_at` and the mark "sent" leaves a row whose email may or
may not have gone. We choose *at most once* there: such a row is never sent again by
itself; once its claim is older than `CLAIM_TIMEOUT` it becomes **uncertain**, is listed on
the reminder log and on vendor managers' home page (Periodic job problems), and a person
decides ("Send again"). The window is kept as small as it can be: the SMTP connection is
opened before `handing_at` is written, messages are rendered before it, and the window
holds one message (a digest: one email). A claim whose row was never handed (a worker
killed before it got there) is simply returned to the queue after `CLAIM_TIMEOUT` and sent
by the next sender: nothing is lost. A backend that *raises* did not take the message: the
row is retried with back-off (`BACKOFF`), then `failed` after `MAX_ATTEMPTS`, surfaced the
same way, never dropped silently.
"""

import hashlib
import io
import json
import logging
import secrets
import time as clock
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import connection as db
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from reminders import emails, registry
from reminders.choices import Delivery, Status
from reminders.models import BouncedAddress, KindSetting, Preference, Reminder, Subscriber
from vendorgov import freshness, jobs
from vendorgov.models import JobFailure

logger = logging.getLogger("reminders")

SEND_JOB = "Send reminders"
SWEEP_JOB = "Find due reminders"
INSERT_CHUNK = 500


def lookahead() -> timedelta:
    return timedelta(seconds=settings.REMINDERS_LOOKAHEAD_SECONDS)


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT_SECONDS)


def backoff(attempts: int) -> timedelta:
    """The wait before retry `attempts` + 1: 1, 4, 16, 64 minutes."""
    return timedelta(seconds=settings.REMINDERS_RETRY_SECONDS * 4 ** max(0, attempts - 1))


# ---------------------------------------------------------------------------------------
# Kind settings


@dataclass(frozen=True)
class KindConfig:
    kind: registry.Kind
    setting: KindSetting

    @property
    def offset(self) -> timedelta:
        return self.setting.offset if self.setting.offset is not None else \
            self.kind.default_offset

    @property
    def mandatory(self) -> bool:
        return self.setting.mandatory if self.setting.mandatory is not None else \
            self.kind.mandatory


def kind_configs() -> dict[str, KindConfig]:
    """Every registered kind with its setting row (made on first use), in two queries."""
    kinds = registry.kinds()
    existing = {s.kind: s for s in KindSetting.objects.filter(kind__in=[k.key for k in kinds])}
    missing = [KindSetting(kind=k.key) for k in kinds if k.key not in existing]
    if missing:
        # A row made at the same moment by someone else is taken as it is (only `kind` is
        # "updated", to itself); either way the database returns each row's id.
        KindSetting.objects.bulk_create(missing, update_conflicts=True, update_fields=["kind"],
                                        unique_fields=["kind"])
        existing.update({m.kind: m for m in missing})
    return {k.key: KindConfig(k, existing[k.key]) for k in kinds}


def deliveries(kind_key: str) -> dict[str, str]:
    """{recipient key: delivery} of everyone who chose something for this kind."""
    return dict(Preference.objects.filter(kind=kind_key)
                .values_list("subscriber__recipient_key", "delivery"))


def effective(delivery: str | None, *, mandatory: bool) -> str:
    """The delivery a person gets: their choice, except that a mandatory kind is never
    off (it goes immediately)."""
    if delivery == Delivery.OFF and mandatory:
        return Delivery.IMMEDIATE
    return delivery or Delivery.IMMEDIATE


# ---------------------------------------------------------------------------------------
# 1. Record


@dataclass
class Inserted:
    """What a sweep inserted: the immediate rows by due moment (to wake the senders)."""

    rows: int = 0
    immediate_due: list[datetime] = field(default_factory=list)


_COLUMNS = ["kind", "occasion", "recipient_key", "email", "name", "user", "contact",
            "vendor_side", "vendor", "delivery", "due_at", "not_before", "url", "context",
            "ics", "status", "attempts", "claim_token", "last_error", "created_at"]


def _insert(rows: list[tuple]) -> list[tuple]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the (occasion, recipient key) of the rows
    that were new. `rows` are tuples in `_COLUMNS` order, already adapted for the database
    (`record`; the context as JSON text). Plain SQL because the ORM's ignore_conflicts does
    not say which rows it inserted.

    PostgreSQL: the rows are streamed with COPY into a temporary table and moved with one
    ``INSERT … SELECT … ON CONFLICT DO NOTHING``: three statements whatever the number of
    rows, and several times cheaper than a VALUES list of thousands of rows (which costs
    milliseconds to quote on the client and to plan on the server for each hundred rows).
    SQLite (the embedded mode, small portfolios): the same INSERT with a VALUES list, in
    batches of INSERT_CHUNK rows (its cap on a statement's parameters)."""
    quote = db.ops.quote_name
    table = quote(Reminder._meta.db_table)
    columns = ", ".join(quote(Reminder._meta.get_field(name).column) for name in _COLUMNS)
    unique = ", ".join(quote(Reminder._meta.get_field(n).column)
                       for n in ("kind", "occasion", "recipient_key"))
    conflict = (f"ON CONFLICT ({unique}) DO NOTHING "
                f"RETURNING {quote('occasion')}, {quote('recipient_key')}")
    if db.vendor == "postgresql":
        return _insert_copy(rows, table, columns, conflict)
    row_sql = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    returned = []
    for start in range(0, len(rows), INSERT_CHUNK):
        part = rows[start:start + INSERT_CHUNK]
        params = [value for row in part for value in row]
        sql = (f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(part))} "
               f"{conflict}")
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            returned.extend(cursor.fetchall())
    return returned


def _copy_text(value) -> str:
    """One field of COPY's text format (a backslash, tab or line break escaped)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                     .replace("\r", "\\r"))
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _insert_copy(rows: list[tuple], table: str, columns: str, conflict: str) -> list[tuple]:
    incoming = "reminders_reminder_incoming"
    text = "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    with db.cursor() as cursor:
        # Made once per connection (the columns' types taken from the table, no
        # constraints), emptied at each commit.
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {incoming} ON COMMIT DELETE ROWS "
                       f"AS SELECT {columns} FROM {table} WITH NO DATA")
        # Emptied first too: a caller's outer transaction (a test's) spans several kinds.
        cursor.execute(f"DELETE FROM {incoming}")
        # (Django's debug cursor logs it like any other statement: CaptureQueriesContext.)
        cursor.copy_expert(f"COPY {incoming} ({columns}) FROM STDIN", io.StringIO(text))
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {incoming} "
                       f"{conflict}")
        return cursor.fetchall()


def record(config: KindConfig, dues, *, now: datetime) -> Inserted:
    """Record what `config`'s kind found, one row per (occasion, recipient); rows already
    recorded are left as they are. Three queries (the kind's preferences, the bounced
    addresses, the insert; SQLite: an insert per INSERT_CHUNK rows), and the find's
    `registry.Found.settle` if it gives one, in the same transaction as the insert (none of
    them when nothing was found and nothing is to be settled).

    Per row only what the row needs is done here (a tuple of adapted values, the context
    encoded once): a cold sweep records thousands of rows at once."""
    settle = registry.settle_of(dues)  # (`registry.Found`: in the recording transaction)
    dues = list(dues)
    if not dues:  # the steady sweep: most kinds find nothing new (not even a query here)
        if settle is not None:
            with transaction.atomic():
                settle()
        return Inserted()
    kind_key = config.kind.key
    chosen = deliveries(kind_key)
    bounced = set(BouncedAddress.objects.values_list("email", flat=True))
    mandatory = config.mandatory
    adapt = db.ops.adapt_datetimefield_value
    stamps = {}  # due moments repeat (one per date or meeting): adapted once each

    def stamp(moment):
        if moment not in stamps:
            stamps[moment] = adapt(moment) if db.vendor != "postgresql" else moment.isoformat()
        return stamps[moment]

    created = stamp(now)
    encoder = Reminder._meta.get_field("context").encoder  # the ORM's JSON, as text
    # {id(context): (context, encoded)}: the rows of one occasion often share one dict
    # (held here, so its id is not reused while this runs).
    prepared = {}
    rows, by_key = [], {}
    for due in dues:
        recipient = due.recipient
        key = recipient.key[:300]
        email = (recipient.email or "").strip()
        delivery = effective(chosen.get(key), mandatory=mandatory)
        if not email:
            status = Status.NO_ADDRESS
        elif email.lower() in bounced:
            status = Status.BOUNCED
        elif delivery == Delivery.OFF:
            status = Status.SUPPRESSED
        else:
            status = Status.PENDING
        occasion = due.occasion[:200]
        entry = prepared.get(id(due.context))
        if entry is None or entry[0] is not due.context:
            entry = prepared[id(due.context)] = (
                due.context, json.dumps(due.context, cls=encoder))
        context = entry[1]
        due_at = stamp(due.due_at)
        rows.append((kind_key, occasion, key, email, recipient.name[:200], recipient.user_id,
                     recipient.contact_id, recipient.vendor_side, due.vendor_id, delivery,
                     due_at, due_at, due.url[:500], context, due.ics, status, 0, "", "",
                     created))
        by_key[(occasion, key)] = (status, delivery, due.due_at)
    inserted = Inserted()
    with transaction.atomic():
        new = _insert(rows)
        if settle is not None:
            settle()
    inserted.rows = len(new)
    for occasion, recipient_key in new:
        status, delivery, due_at = by_key[(occasion, recipient_key)]
        if status == Status.PENDING and delivery == Delivery.IMMEDIATE:
            inserted.immediate_due.append(due_at)
    return inserted


# Recording straight from a kind's query (PostgreSQL): `registry.Kind.find_sql`.


def _cte_name(config: KindConfig, part: str) -> str:
    """The name of one of a kind's common table expressions in the recording statement."""
    return db.ops.quote_name(f"{config.kind.key.replace('.', '_')}_{part}")


def _sql_insert(config: KindConfig, horizon: datetime, now: datetime) -> tuple[str, list]:
    """One kind's common table expressions for `record_sql`: its `find_sql` query
    (`_cte_name(config, "found")`) and the ``INSERT … SELECT … ON CONFLICT DO NOTHING
    RETURNING`` of what it found (`_cte_name(config, "inserted")`); `record_sql` adds the
    settles (`_settle_sql`). The INSERT writes the same row per due (occasion, recipient)
    as `record` writes from `find`'s Dues: the person's delivery (their preference; a
    mandatory kind is never off), the status (no address, a bounced address, turned off,
    else pending), each value cut to its column (a cast to varchar(n) cuts as `record`'s
    slices do)."""
    quote = db.ops.quote_name
    meta = Reminder._meta
    query = config.kind.find_sql(horizon, config.offset)
    found_sql, found_params = (query if isinstance(query, tuple)
                               else query.query.sql_with_params())
    found = _cte_name(config, "found")

    def typed(name):  # a found column, cast to its reminder column's type
        return f"CAST(f.{quote(name)} AS {meta.get_field(name.removesuffix('_id')).db_type(db)})"

    email = f"btrim(COALESCE({typed('email')}, ''), E' \\t\\n\\r\\f\\x0b')"
    sql = f"""
        {found} ({", ".join(quote(n) for n in registry.SQL_FIELDS)}) AS ({found_sql}),
        {_cte_name(config, "inserted")} AS (
        INSERT INTO {quote(meta.db_table)} ({", ".join(quote(meta.get_field(n).column)
                                                       for n in _COLUMNS)})
        SELECT %s, r.occasion, r.recipient_key, r.email, r.name, r.user_id, r.contact_id,
               r.vendor_side, r.vendor_id, r.delivery, r.due_at, r.due_at, r.url, r.context,
               '',
               CASE WHEN r.email = '' THEN %s
                    WHEN EXISTS (SELECT 1 FROM {quote(BouncedAddress._meta.db_table)} b
                                 WHERE b.email = lower(r.email)) THEN %s
                    WHEN r.delivery = %s THEN %s ELSE %s END,
               0, '', '', %s
        FROM (SELECT {typed('occasion')} AS occasion, {typed('recipient_key')} AS recipient_key,
                     {email} AS email, {typed('name')} AS name,
                     {typed('user_id')} AS user_id, {typed('contact_id')} AS contact_id,
                     {typed('vendor_side')} AS vendor_side, {typed('vendor_id')} AS vendor_id,
                     CASE WHEN p.delivery IS NULL OR (p.delivery = %s AND %s) THEN %s
                          ELSE p.delivery END AS delivery,
                     {typed('due_at')} AS due_at, {typed('url')} AS url,
                     {typed('context')} AS context
              FROM {found} AS f
              LEFT JOIN (SELECT s.recipient_key, p.delivery
                         FROM {quote(Preference._meta.db_table)} p
                         JOIN {quote(Subscriber._meta.db_table)} s ON s.id = p.subscriber_id
                         WHERE p.kind = %s) p
                ON p.recipient_key = {typed('recipient_key')}) r
        ON CONFLICT (kind, occasion, recipient_key) DO NOTHING
        RETURNING status, delivery, due_at)"""
    params = [*found_params, config.kind.key, Status.NO_ADDRESS, Status.BOUNCED, Delivery.OFF,
              Status.SUPPRESSED, Status.PENDING, now, Delivery.OFF, config.mandatory,
              Delivery.IMMEDIATE, config.kind.key]
    return sql, params


def _settle_sql(configs: list[KindConfig]) -> list[str]:
    """The settles of these kinds' found rows (`registry.SettleSql`), as common table
    expressions of the recording statement: beside the INSERTs, so both or neither are
    written (a data-modifying CTE runs though nothing reads it). One UPDATE per table:
    PostgreSQL applies only one of two updates of a row in one statement, and an item is
    often overdue and escalated in the same sweep. Each kind's found rows give one row per
    record (its values kept together); the kinds' rows are merged by record, each column
    from the kind that stamps it."""
    quote = db.ops.quote_name
    by_model = defaultdict(list)
    for config in configs:
        if config.kind.settle_sql is not None:
            by_model[config.kind.settle_sql.model].append(config)
    ctes = []
    for model, stampers in by_model.items():
        meta = model._meta
        columns = sorted({c for config in stampers for c in config.kind.settle_sql.values})
        types = {c: meta.get_field(c).db_type(db) for c in columns}
        arms = []
        for config in stampers:
            spec = config.kind.settle_sql
            picked = ", ".join(
                f"CAST({spec.values[c]} AS {types[c]})" if c in spec.values
                else f"CAST(NULL AS {types[c]})" for c in columns)
            arms.append(f"SELECT DISTINCT ON (1) CAST({spec.key} AS bigint), {picked} "
                        f"FROM {_cte_name(config, 'found')} AS f")
        listed = ", ".join(quote(c) for c in columns)
        merged = ", ".join(f"MAX(u.{quote(c)}) AS {quote(c)}" for c in columns)
        assign = ", ".join(f"{quote(c)} = COALESCE(s.{quote(c)}, t.{quote(c)})"
                           for c in columns)
        ctes.append(
            f"{quote('settled_' + meta.db_table)} AS ("
            f"UPDATE {quote(meta.db_table)} AS t SET {assign} "
            f"FROM (SELECT u.id, {merged} FROM ({' UNION ALL '.join(arms)}) "
            f"AS u (id, {listed}) GROUP BY u.id) AS s "
            f"WHERE t.{quote(meta.pk.column)} = s.id)")
    return ctes


# Compiled statements. Building a kind's `find_sql` queryset and compiling it costs more
# than running it (about 100 ms a sweep for the six SQL kinds on the dev machine against
# 40-50 ms of execution; bench/RESULTS.md, "Reminder sweep"), and a sweep runs every
# minute. A kind's statement depends on its offset, on the dates of `now`'s day and on
# `now` itself: it is compiled once per quarter of an hour (every time zone's day starts on
# one) and its `now` and `horizon` parameters are put in at each sweep. Which parameters
# those are is found by compiling it twice, a second apart; a kind whose statement changes
# otherwise (its text, or any other parameter) is compiled at every sweep, as before.
STATEMENT_BUCKET = timedelta(minutes=15)
_statements: dict[tuple, tuple[str, list, dict[int, str]] | None] = {}


def _bucket(moment: datetime) -> int:
    return int(moment.timestamp() // STATEMENT_BUCKET.total_seconds())


def _sql_insert_cached(config: KindConfig, horizon: datetime,
                       now: datetime) -> tuple[str, list]:
    """`_sql_insert`, compiled once per kind, setting and quarter of an hour."""
    sql, params, _ = _sql_insert_compiled(config, horizon, now)
    return sql, params


def _sql_insert_compiled(config: KindConfig, horizon: datetime,
                         now: datetime) -> tuple[str, list, dict[int, str] | None]:
    """`_sql_insert_cached`, and which of its parameters are the sweep's `now` and
    `horizon` ({index: "now" | "horizon"}; None for a statement compiled each time)."""
    key = (config.kind.key, config.offset, config.mandatory, _bucket(horizon), _bucket(now))
    if key not in _statements:
        for stale in [k for k in _statements if k[3:] != key[3:]]:
            del _statements[stale]  # an earlier quarter of an hour
        sql, params = _sql_insert(config, horizon, now)
        step = timedelta(seconds=1)
        if _bucket(horizon + step) != key[3] or _bucket(now + step) != key[4]:
            step = -step
        again, moved = _sql_insert(config, horizon + step, now + step)
        slots = {}
        for n, (first, second) in enumerate(zip(params, moved, strict=False)):
            if first == second:
                continue
            if (first, second) == (horizon, horizon + step):
                slots[n] = "horizon"
            elif (first, second) == (now, now + step):
                slots[n] = "now"
            else:
                slots = None  # a parameter that moves otherwise: not kept
                break
        keep = again == sql and len(moved) == len(params) and slots is not None
        _statements[key] = (sql, list(params), slots) if keep else None
    entry = _statements[key]
    if entry is None:
        return (*_sql_insert(config, horizon, now), None)
    sql, params, slots = entry
    params = list(params)
    for n, which in slots.items():
        params[n] = horizon if which == "horizon" else now
    return sql, params, slots


# Planned once. The recording statement is about 45 KB of SQL over some twenty tables, and
# planning it took 7-10 ms of each steady sweep's 20 ms in it (bench/RESULTS.md, "Reminder
# sweep"), every minute, for the same text: its text changes only with the quarter of an
# hour (`_sql_insert_cached`), a kind's setting or the registered kinds. So it is a
# server-side prepared statement, one per database connection: every value but the
# sweep's `now` and `horizon` written into its text (as psycopg2 writes them into the
# statement it sends otherwise), those two its parameters $1 and $2 (timestamptz, as
# psycopg2 sends an aware datetime), prepared when the text changes or the connection is a
# new one (the one it replaces is deallocated), then executed. Its plan is the generic
# plan, made once (`plan_cache_mode = force_generic_plan`, for this execution only): the
# two parameters are compared only with moments computed per row (`AT TIME ZONE` over a
# date and a lead time) and with the rows the statement itself inserts, for which
# PostgreSQL has no statistics and assumes the same selectivity whatever the value, so a
# plan made for the values of the day would be the same plan (the generic one's EXPLAIN at
# 100,000 meetings: bench/RESULTS.md); left to choose, PostgreSQL would plan the first five
# executions in full again. A statement that cannot be written so (a kind compiled at every
# sweep) is sent as it is, as before.


class _Slot:
    """A prepared statement's parameter ($n), written where psycopg2 would write a value."""

    def __init__(self, number: int):
        self.number = number

    def __conform__(self, protocol):  # (psycopg2's adaptation protocol)
        return self

    def getquoted(self) -> bytes:
        return b"$%d" % self.number


_NOW, _HORIZON = _Slot(1), _Slot(2)


def _prepare(cursor, sql: str, marked: list) -> str:
    """The name of the statement prepared from `sql` and `marked` (its parameters, `_NOW`
    and `_HORIZON` in place of the sweep's moments) on this connection: prepared on a new
    connection; on this one, when its text changed or a statement failed, the server is
    asked what it holds: prepared there unless it is already (the name is the text's
    digest), any other of ours deallocated."""
    text = cursor.mogrify(sql, marked).decode()
    name = f"{_PREPARED}{hashlib.sha1(text.encode()).hexdigest()[:24]}"
    raw = db.connection
    known = getattr(db, "_vendorgov_prepared", None)  # (connection, name or None: ask)
    if known == (raw, name):
        return name
    held = set()  # a new database connection holds no statement
    if known is not None and known[0] is raw:
        db._vendorgov_prepared = (raw, None)
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE %s",
                       [_PREPARED.replace("_", "\\_") + "%"])
        held = {held for (held,) in cursor.fetchall()}
    for other in sorted(held - {name}):
        cursor.execute(f"DEALLOCATE {other}")
    if name not in held:
        cursor.execute(f"PREPARE {name} (timestamptz, timestamptz) AS {text}")
    db._vendorgov_prepared = (raw, name)
    return name


_PREPARED = "vg_reminders_"  # the names of the statements prepared here


def record_sql(configs: list[KindConfig], *, horizon: datetime, now: datetime,
               prepared: bool = True) -> dict[str, Inserted]:
    """Record what each of these kinds' `find_sql` selects, in one statement (one round
    trip for all of them: the steady sweep, every minute, finds nothing new): each kind's
    INSERT is a data-modifying CTE, and the statement returns per kind the rows inserted
    and the due moments still ahead of the immediate ones (to wake the senders at).
    `prepared`: as a prepared statement ("Planned once" above) where it can be."""
    parts, params, marked = [], [], [] if prepared else None
    for n, config in enumerate(configs):
        sql, part_params, slots = _sql_insert_compiled(config, horizon, now)
        inserted = _cte_name(config, "inserted")
        parts.append((sql, f"SELECT {n}, {inserted}.* FROM {inserted}"))
        params += part_params
        if marked is not None and slots is not None:
            marked += [(_NOW if slots[i] == "now" else _HORIZON) if i in slots else value
                       for i, value in enumerate(part_params)]
        else:
            marked = None
    sql = (f"WITH {', '.join([*(cte for cte, _ in parts), *_settle_sql(configs)])} "
           f"SELECT n, COUNT(*), ARRAY_AGG(due_at) FILTER (WHERE status = %s AND "
           f"delivery = %s AND due_at > %s) "
           f"FROM ({' UNION ALL '.join(select for _, select in parts)}) "
           f"AS inserted (n, status, delivery, due_at) GROUP BY n")
    params += [Status.PENDING, Delivery.IMMEDIATE, now]
    # A statement is atomic by itself; inside a caller's transaction (a test's), a
    # savepoint keeps a failing statement from spoiling it. Its INSERTs change the
    # reminder table only when it returns rows (the steady sweep's, every minute, returns
    # none); the stamps it may write without them (items recorded before their stamps
    # existed, found again) are bookkeeping no page shows. So the pages kept until a write
    # (vendorgov/freshness.py) are dropped only when something was recorded.
    with (transaction.atomic() if db.in_atomic_block else nullcontext()), \
            freshness.declared(), db.cursor() as cursor:
        if marked is None:
            cursor.execute(sql, params)
        else:
            try:
                name = _prepare(cursor, sql, [*marked, Status.PENDING, Delivery.IMMEDIATE,
                                              _NOW])
                # (SET LOCAL: for this statement, or the caller's transaction, only.)
                cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan; "
                               f"EXECUTE {name} (%s, %s)", [now, horizon])
            except Exception:  # what the server holds now is asked next time
                db._vendorgov_prepared = (db.connection, None)
                raise
        rows = cursor.fetchall()
        if rows:
            freshness.written(freshness.tables_written(sql))
    found = {config.kind.key: Inserted() for config in configs}
    for n, count, ahead in rows:
        found[configs[n].kind.key] = Inserted(rows=count, immediate_due=list(ahead or []))
    return found


@dataclass
class SweepResult:
    inserted: int = 0
    wake_at: list[datetime] = field(default_factory=list)  # due moments ahead, to wake at
    due_now: int = 0  # immediate rows ready to send now (new, retried or reclaimed)
    failed_kinds: list[str] = field(default_factory=list)


def sweep(*, now: datetime | None = None) -> SweepResult:
    """Find what every kind has due up to `LOOKAHEAD` ahead and record it; a kind whose
    `find` raises is kept as a JobFailure (on the vendor managers' home page) and the
    other kinds proceed.

    On PostgreSQL the kinds that give `find_sql` are recorded together, in one statement
    (`record_sql`); should it fail, each of them is tried alone, so only a broken kind is
    kept as a failure. The others (and every kind elsewhere) go through `find` and
    `record`."""
    now = now or timezone.now()
    with _no_jit():
        return _sweep(now)


# PostgreSQL's JIT compiler off for the whole sweep (`registry.no_jit` says why; measured:
# a steady sweep of 100,000 meetings 1.9 s with JIT, 0.4 s without, on the loaded dev
# machine).
_no_jit = registry.no_jit


def _sweep(now: datetime) -> SweepResult:
    reclaim(now=now)
    result = SweepResult()
    horizon = now + lookahead()
    configs = kind_configs()
    fine = []

    def failed(config, error):
        logger.error("Reminder kind %s could not be swept", config.kind.key, exc_info=error)
        result.failed_kinds.append(config.kind.key)
        jobs.failure_record(job=SWEEP_JOB, model=KindSetting, pk=config.setting.pk,
                            record=config.setting, error=error)

    def done(config, inserted):
        fine.append(config.setting.pk)
        result.inserted += inserted.rows
        result.wake_at.extend(t for t in inserted.immediate_due if now < t <= horizon)

    in_sql = [c for c in configs.values()
              if c.kind.find_sql is not None and db.vendor == "postgresql"]
    if in_sql:
        try:
            together = record_sql(in_sql, horizon=horizon, now=now)
        except Exception:  # noqa: BLE001 - one kind never stops the others: each alone
            logger.warning("Reminder kinds recorded together failed; each alone now")
            together = {}
            for config in in_sql:
                try:
                    together.update(record_sql([config], horizon=horizon, now=now,
                                               prepared=False))
                except Exception as error:  # noqa: BLE001
                    failed(config, error)
        for config in in_sql:
            if config.kind.key in together:
                done(config, together[config.kind.key])
    for config in configs.values():
        if config in in_sql:
            continue
        try:
            inserted = record(config, config.kind.find(horizon, config.offset), now=now)
        except Exception as error:  # noqa: BLE001 - one kind never stops the others
            failed(config, error)
            continue
        done(config, inserted)
    if fine:
        JobFailure.objects.filter(job=SWEEP_JOB, record_type="reminders.kindsetting",
                                  record_id__in=fine, resolved_at__isnull=True
                                  ).update(resolved_at=now)
    result.due_now = ready(now=now).count()
    return result


def ready(*, now: datetime, delivery: str = Delivery.IMMEDIATE):
    return Reminder.objects.filter(status=Status.PENDING, delivery=delivery,
                                   not_before__lte=now)


# ---------------------------------------------------------------------------------------
# 2. Claim, and reclaim what dead workers left


def claim(*, now: datetime, limit: int, delivery: str = Delivery.IMMEDIATE,
          extra: Q | None = None) -> tuple[str, list[Reminder]]:
    """Claim up to `limit` rows ready by `now` (which may be ahead, or a past digest
    moment) for this caller: (token, rows). Rows another sender holds are skipped
    (PostgreSQL) or lose the race in the conditional update. The claim is dated now."""
    token = secrets.token_hex(16)
    with transaction.atomic():
        candidates = ready(now=now, delivery=delivery)
        if extra is not None:
            candidates = candidates.filter(extra)
        ids = list(candidates.order_by("not_before", "id")
                   .select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
        if not ids:
            return token, []
        Reminder.objects.filter(pk__in=ids, status=Status.PENDING).update(
            status=Status.CLAIMED, claim_token=token, claimed_at=timezone.now())
    rows = list(Reminder.objects.filter(claim_token=token, status=Status.CLAIMED)
                .select_related("vendor", "user").order_by("not_before", "id"))
    return token, rows


def reclaim(*, now: datetime | None = None) -> tuple[int, int]:
    """Claims older than CLAIM_TIMEOUT belong to a worker that died (or hung): a row it
    never began handing goes back to the queue; a row it began handing is *uncertain* (its
    email may have gone) and is shown to people instead of being sent again.
    Returns (requeued, uncertain)."""
    now = now or timezone.now()
    stale = Reminder.objects.filter(status=Status.CLAIMED, claimed_at__lt=now - claim_timeout())
    requeued = stale.filter(handing_at__isnull=True).update(
        status=Status.PENDING, claim_token="", claimed_at=None)
    uncertain_ids = list(stale.filter(handing_at__isnull=False).values_list("id", flat=True))
    uncertain = 0
    if uncertain_ids:
        uncertain = Reminder.objects.filter(
            pk__in=uncertain_ids, status=Status.CLAIMED, handing_at__isnull=False,
            claimed_at__lt=now - claim_timeout()).update(
            status=Status.UNCERTAIN,
            last_error="The sender stopped while handing this email to the mail server: it "
                       "may or may not have gone. Not sent again by itself; check with the "
                       "recipient, then send again if needed.")
        for row in Reminder.objects.filter(pk__in=uncertain_ids, status=Status.UNCERTAIN):
            jobs.failure_record(job=SEND_JOB, model=Reminder, pk=row.pk, record=row,
                                error=RuntimeError(row.last_error))
    if requeued or uncertain:
        logger.warning("Reminders: %s stale claims requeued, %s uncertain", requeued,
                       uncertain)
    return requeued, uncertain


# ---------------------------------------------------------------------------------------
# 3. Hand over


def _settle(rows: list[Reminder], token: str, status: str, why: str) -> None:
    if rows:
        Reminder.objects.filter(pk__in=[r.pk for r in rows], claim_token=token,
                                status=Status.CLAIMED, handing_at__isnull=True).update(
            status=status, last_error=why, claim_token="")


def _screen(rows: list[Reminder], token: str) -> list[Reminder]:
    """Drop (and record why) the claimed rows that must not be sent: an archived vendor,
    an occasion its kind no longer holds true, a bounced address, a kind gone."""
    archived = [r for r in rows if r.vendor.archived_at is not None]
    _settle(archived, token, Status.SUPERSEDED, "The vendor was archived.")
    rows = [r for r in rows if r.vendor.archived_at is None]
    bounced = set(BouncedAddress.objects.filter(
        email__in={r.email.lower() for r in rows}).values_list("email", flat=True))
    gone = [r for r in rows if r.email.lower() in bounced]
    _settle(gone, token, Status.BOUNCED, "The address bounced.")
    rows = [r for r in rows if r.email.lower() not in bounced]
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    keep = []
    for key, group in by_kind.items():
        try:
            kind = registry.get(key)
        except KeyError:
            _settle(group, token, Status.FAILED, f"No kind {key!r} is registered any more.")
            continue
        if kind.still_current is None:
            keep.extend(group)
            continue
        current = kind.still_current(sorted({r.occasion for r in group}))
        stale = [r for r in group if r.occasion not in current]
        _settle(stale, token, Status.SUPERSEDED,
                "No longer current when it was to be sent (moved, closed or reassigned).")
        keep.extend(r for r in group if r.occasion in current)
    return keep


def _begin_handing(ids: list[int], token: str) -> int:
    """The one step that makes a row's email go: only while this token holds the row and
    nothing began handing it before. Committed before the mail backend is called."""
    now = timezone.now()
    return Reminder.objects.filter(pk__in=ids, claim_token=token, status=Status.CLAIMED,
                                   handing_at__isnull=True).update(handing_at=now,
                                                                   claimed_at=now)


def _handed(ids: list[int], token: str, status: str = Status.SENT, *,
            retried: bool = True) -> None:
    # An "uncertain" row (a reclaim that judged this sender dead too early) is settled too:
    # the backend did take it.
    Reminder.objects.filter(pk__in=ids, claim_token=token,
                            status__in=[Status.CLAIMED, Status.UNCERTAIN]).update(
        status=status, sent_at=timezone.now())
    if retried:  # only a row that failed before can have a problem on the home page
        JobFailure.objects.filter(job=SEND_JOB, record_type="reminders.reminder",
                                  record_id__in=ids, resolved_at__isnull=True
                                  ).update(resolved_at=timezone.now())


def _handed_and_begin(previous: int, following: int, token: str) -> bool:
    """`_handed([previous])` and `_begin_handing([following])` in one statement (one round
    trip, one commit, on the hot path of a burst); whether `following` may be handed."""
    now = Reminder._meta.get_field("sent_at").get_db_prep_save(timezone.now(), db)
    table = db.ops.quote_name(Reminder._meta.db_table)
    sql = (f"UPDATE {table} SET "
           "status = CASE WHEN id = %s THEN %s ELSE status END, "
           "sent_at = CASE WHEN id = %s THEN %s ELSE sent_at END, "
           "handing_at = CASE WHEN id = %s THEN %s ELSE handing_at END, "
           "claimed_at = CASE WHEN id = %s THEN %s ELSE claimed_at END "
           "WHERE claim_token = %s AND ("
           "(id = %s AND status IN (%s, %s)) OR "
           "(id = %s AND status = %s AND handing_at IS NULL)) RETURNING id")
    params = [previous, Status.SENT, previous, now, following, now, following, now, token,
              previous, Status.CLAIMED, Status.UNCERTAIN, following, Status.CLAIMED]
    with transaction.atomic(), db.cursor() as cursor:
        cursor.execute(sql, params)
        return any(pk == following for (pk,) in cursor.fetchall())


def _failed(ids: list[int], token: str, error: BaseException) -> None:
    """The backend refused: back to the queue after a back-off, or failed for good."""
    now = timezone.now()
    for row in Reminder.objects.filter(pk__in=ids, claim_token=token, status=Status.CLAIMED):
        attempts = row.attempts + 1
        text = f"{type(error).__name__}: {error}"[:2000]
        if attempts >= settings.REMINDERS_MAX_ATTEMPTS:
            Reminder.objects.filter(pk=row.pk, claim_token=token).update(
                status=Status.FAILED, attempts=attempts, last_error=text, handing_at=None,
                claim_token="")
            row.status, row.last_error = Status.FAILED, text
            jobs.failure_record(job=SEND_JOB, model=Reminder, pk=row.pk, record=row,
                                error=error)
        else:
            Reminder.objects.filter(pk=row.pk, claim_token=token).update(
                status=Status.PENDING, attempts=attempts, last_error=text, handing_at=None,
                claim_token="", claimed_at=None, not_before=now + backoff(attempts))


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    more: bool = False  # stopped at the time budget with rows still ready


def send_due(*, budget: float | None = None, batch: int | None = None,
             ahead: bool = False) -> SendResult:
    """Send ready immediate reminders, batch by batch, until none is left or `budget`
    seconds have passed (a task never outlives the broker's visibility timeout).

    `ahead`: woken a little before a due moment (`PREPARE_SECONDS`), the first claim takes
    up to `PREPARE_LIMIT` rows due by then, renders them, and hands each over at its moment:
    a burst of reminders due at once is ready before it is due. (A worker that dies holding
    them delays them by the claim timeout, never more.)"""
    budget = settings.REMINDERS_SEND_BUDGET_SECONDS if budget is None else budget
    batch = batch or settings.REMINDERS_BATCH
    started = timezone.now()
    result = SendResult()
    reclaim(now=started)
    mail = get_connection()
    try:
        while True:
            now = timezone.now()
            if (now - started).total_seconds() > budget:
                result.more = ready(now=now).exists()
                break
            if ahead:
                token, rows = claim(
                    now=now + timedelta(seconds=settings.REMINDERS_PREPARE_SECONDS),
                    limit=max(batch, settings.REMINDERS_PREPARE_LIMIT))
                ahead = False
            else:
                token, rows = claim(now=now, limit=batch)
            if not rows:
                break
            _deliver_each(rows, token, mail, result)
    finally:
        mail.close()
    return result


def _deliver_each(rows, token, mail, result: SendResult) -> None:
    keep = _screen(rows, token)
    result.dropped += len(rows) - len(keep)
    zones = emails.zones_for(keep)
    prepared = []
    for row in keep:
        try:
            prepared.append((row, emails.reminder_message(row, zone=zones[row.recipient_key])))
        except Exception as error:  # noqa: BLE001 - a template that breaks fails its row only
            logger.exception("Reminder %s could not be rendered", row.pk)
            _failed([row.pk], token, error)
            result.failed += 1
    if prepared:
        mail.open()  # connect (and log in) before the window in which a crash is ambiguous
    sent = None  # the row handed last, whose "sent" mark goes with the next row's "handing"
    for row, message in prepared:
        if (wait := (row.not_before - timezone.now()).total_seconds()) > 0:
            if sent is not None:  # settle the last one before waiting
                _handed([sent.pk], token)
                result.sent += 1
                sent = None
            clock.sleep(wait)  # claimed ahead: handed over at its moment, not before
        # One statement per row: the previous row's "sent" and this row's "handing"
        # together (the order of the two marks for each row is what matters, and it is kept).
        if sent is not None and not (sent.attempts or sent.last_error):
            began = _handed_and_begin(sent.pk, row.pk, token)
            result.sent += 1
        else:
            with transaction.atomic():
                if sent is not None:
                    _handed([sent.pk], token)
                    result.sent += 1
                began = _begin_handing([row.pk], token)
        sent = None
        if not began:
            continue  # reclaimed meanwhile (we were judged dead): someone else's now
        try:
            if mail.send_messages([message]) != 1:
                raise RuntimeError("The mail backend did not accept the message.")
        except Exception as error:  # noqa: BLE001 - the backend refused: retry with back-off
            logger.warning("Reminder %s not sent: %s", row.pk, error)
            _failed([row.pk], token, error)
            result.failed += 1
            mail.close()
            continue
        sent = row
    if sent is not None:
        _handed([sent.pk], token, retried=bool(sent.attempts or sent.last_error))
        result.sent += 1


# ---------------------------------------------------------------------------------------
# Digests


def last_digest_moment(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The latest `at` o'clock in `zone` at or before `now` (a wall time the clocks skip
    falls at the offset before the gap, so every day has exactly one moment)."""
    local = now.astimezone(zone)
    # In UTC: a wall time in a gap compares unequal to everything in another zone (PEP 495).
    moment = datetime.combine(local.date(), at).replace(tzinfo=zone, fold=0).astimezone(UTC)
    if moment > now:
        moment = datetime.combine(local.date() - timedelta(days=1), at).replace(
            tzinfo=zone, fold=0).astimezone(UTC)
    return moment


def digest_moments(keys: set[str], now: datetime) -> dict[str, datetime]:
    """Each recipient's last digest moment, from their settings (two queries)."""
    subscribers = {s.recipient_key: s for s in Subscriber.objects.filter(recipient_key__in=keys)}
    user_ids = [int(k.split(":", 1)[1]) for k in keys if k.startswith("user:")]
    users = {f"user:{u.pk}": u for u in get_user_model().objects.filter(pk__in=user_ids)}
    moments = {}
    for key in keys:
        subscriber = subscribers.get(key) or Subscriber(recipient_key=key)
        moments[key] = last_digest_moment(now, subscriber.digest_time,
                                          subscriber.zone(users.get(key)))
    return moments


def send_digests(*, now: datetime | None = None) -> SendResult:
    """At each person's digest time (in their zone), one email with every digest reminder
    that came due before it; the rows are claimed first, so a digest goes once."""
    now = now or timezone.now()
    reclaim(now=now)
    result = SendResult()
    waiting = (ready(now=now, delivery=Delivery.DIGEST).values("recipient_key")
               .annotate(first=Min("not_before")))
    firsts = {w["recipient_key"]: w["first"] for w in waiting}
    moments = digest_moments(set(firsts), now)
    mail = get_connection()
    try:
        for key, first in firsts.items():
            moment = moments[key]
            if first > moment:
                continue  # nothing came due before their last digest time
            token, rows = claim(now=moment, limit=500, delivery=Delivery.DIGEST,
                                extra=Q(recipient_key=key))
            if rows:
                _deliver_digest(rows, token, mail, result)
    finally:
        mail.close()
    return result


def _deliver_digest(rows, token, mail, result: SendResult) -> None:
    keep = _screen(rows, token)
    result.dropped += len(rows) - len(keep)
    # A vendor's people get their own vendor's reminders only: one email per vendor.
    groups = defaultdict(list)
    for row in keep:
        groups[row.vendor_id if row.vendor_side else None].append(row)
    zones = emails.zones_for(keep)
    for group in groups.values():
        ids = [r.pk for r in group]
        try:
            message = emails.digest_message(group, zone=zones[group[0].recipient_key])
        except Exception as error:  # noqa: BLE001
            logger.exception("Digest for %s could not be rendered", group[0].recipient_key)
            _failed(ids, token, error)
            result.failed += len(ids)
            continue
        mail.open()
        if _begin_handing(ids, token) != len(ids):
            # Part of it was reclaimed meanwhile: leave all of it to the next run.
            Reminder.objects.filter(pk__in=ids, claim_token=token).update(
                status=Status.PENDING, claim_token="", claimed_at=None, handing_at=None)
            continue
        try:
            if mail.send_messages([message]) != 1:
                raise RuntimeError("The mail backend did not accept the message.")
        except Exception as error:  # noqa: BLE001
            _failed(ids, token, error)
            result.failed += len(ids)
            mail.close()
            continue
        _handed(ids, token, Status.DIGESTED, retried=any(r.attempts or r.last_error
                                                          for r in group))
        result.sent += len(ids)
