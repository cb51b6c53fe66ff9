"""The seam through which feature apps declare their kinds of reminder.

`reminders` sits in the foundation: it never imports a feature app. Each feature app
declares the reminders about its own data in `<app>/reminders.py` and registers them from
its `AppConfig.ready()`:

    from reminders import registry
    registry.register(registry.Kind(
        key="governance.meeting_upcoming", label="Upcoming review meetings",
        description="Sent before each review meeting, with the agenda as it stands.",
        timing=registry.Timing.BEFORE, default_offset=timedelta(days=2),
        find=governance.reminders.meetings_due))

A sweep (a periodic task) calls every kind's `find(now, offset)` and records what it
returns, one row per (kind, occasion, recipient) under a unique key, so finding the same
thing twice never sends it twice; then it sends the rows it claimed.

Contract for `find`:

* It is a set-based read (a fixed number of queries, whatever the portfolio's size) of
  everything whose reminder moment (`event ± offset`, computed in the meeting's or
  cadence's own time zone) is at or before `now`, and not yet stale (a meeting that has
  started, an item closed). Returning something again on the next sweep is expected and
  harmless; returning it for a *new* occasion sends a new reminder, so an `occasion` names
  exactly what the reader is told ("meeting:42:v3" — version 3 of meeting 42 — so a moved
  meeting, whose SEQUENCE grew, is a new occasion and sends an update).
* Archived vendors and records yield nothing.
* `Due.context` is JSON-serialisable (it is stored on the row): the facts the email shows.
  Emails to the vendor's people (`Recipient.vendor_side`) name no other vendor.
* Templates: `templates/emails/reminders/<key>.subject.txt`, `.txt` and `.html`, rendered
  with `context`, plus `recipient`, `url` (absolute), `unsubscribe_url` and `kind`.

`still_current(occasions)`, if a kind gives one, is asked just before sending: it returns
the subset of the given occasions that are still true, so a reminder queued before its
meeting moved or its item closed is dropped (recorded as superseded), never sent stale.

Finding cheaply. A sweep runs every minute, and most of what a kind finds was recorded by an
earlier one: `not_recorded(kind, occasion, recipient_key)` is a condition a kind's candidate
query can carry (``NOT EXISTS`` on the engine's unique key, one index probe per candidate),
so a steady sweep reads only what is new. Where the recipient is worked out in Python (an
escalation's target), the condition names the occasion only: an occasion recorded for
anyone is not offered again (an escalation goes once, to whoever held the role then).
Cheaper still, a kind may keep what it recorded on its own record and compare that column
instead ("Settling" below; governance's action items and impediments do).
Finds build rows from ``values()`` (no model instances) and reverse each URL pattern once
(`url_pattern`): the per-row cost is what a cold sweep of thousands of due rows pays. A
find's query that the sweep asks every minute is built and compiled once per process
(`compiled`, given the call's dates and moments): building it cost more than running it.

Recording in SQL. A kind whose due rows, recipients and email facts can all be computed in
SQL also gives `find_sql(now, offset)`: one queryset (``values_list`` of `SQL_FIELDS`, in
that order), or an (sql, params) pair, selecting exactly the rows `find` returns not yet
recorded. On PostgreSQL the engine records straight from it with one ``INSERT … SELECT …
ON CONFLICT DO NOTHING`` (no row is read into Python); elsewhere (SQLite) and for every
other caller of a kind (the "Scheduled next" snapshot) `find` is used, so both must agree
(tests/reminder_kinds/test_find_sql.py compares what each records). The engine compiles a
kind's statement once per quarter of an hour and puts each sweep's moment in
(`outbox._sql_insert_cached`), and runs the statement of all of them as a prepared
statement whose only parameters are the sweep's moments (`outbox`, "Planned once"): a
`find_sql` may depend on its `now` through `now` itself and the dates of its day (in any
zone), not through a rounded time of day.

Settling. A find may return a `Found` (a list of Dues) with a `settle` callable: the engine
calls it inside the transaction that records those Dues (`outbox.record`), so a kind can
note, beside its own records, that something needs nothing more ("this meeting is announced
to all its participants") and leave it out of the next sweeps' reads. Written in the same
transaction, the note can neither outlive rows that were rolled back nor be missing once
they are committed; whoever calls `find` without recording (the "Scheduled next" snapshot)
does not settle. A kind recorded in SQL settles in SQL: its `settle_sql` (a `SettleSql`)
names the table it stamps, which row each found row stamps and with what, as SQL over a
found row `f` (columns `SQL_FIELDS`); the engine writes it in the recording statement
itself, beside the ``INSERT``, one ``UPDATE`` per table for all the kinds recorded together
(a statement that updated one row twice would keep only one of the updates). Each kind
stamps its own columns. A settle writes what the rows it is given say (their occasion,
their recipient), never the record's current columns: a change committed between the read
and the write must not be stamped as recorded.

`sent_to(kind, occasions)` tells a kind which of its occasions already went to whom (the
engine provides the lookup with `provide_sent_lookup`): a meeting's update goes at once to
those who have the earlier version in their calendar, and its cancellation only to them.
"""

import enum
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection, connections
from django.db.models import CharField, Exists, Value
from django.db.models.functions import Cast, Concat
from django.db.models.query import ModelIterable, ValuesListIterable
from django.urls import reverse
from django.utils import timezone

from reminders.models import Reminder  # the engine's table, for the finds' conditions
from vendorgov.api.rows import record_builder


class Timing(enum.StrEnum):
    BEFORE = "before"  # a lead time: sent `offset` before the event (a meeting, a due date)
    AFTER = "after"  # a grace period: sent `offset` after it (an overdue item, a gap)


@dataclass(frozen=True)
class Recipient:
    """Who gets a reminder: one of our users, a vendor contact (with or without an
    account), or a bare address (e.g. operations' shared mailbox)."""

    email: str  # may be "" — recorded and listed on the reminder page, never sent
    name: str
    user_id: int | None = None
    contact_id: int | None = None
    vendor_side: bool = False  # one of the vendor's people: the email names no other vendor

    @property
    def key(self) -> str:
        """Stable identity for the unique key and preferences."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        if self.contact_id is not None:
            return f"contact:{self.contact_id}"
        return f"email:{self.email.lower()}"


@dataclass(frozen=True)
class Due:
    """One reminder that is due: which occasion, for whom, since when."""

    occasion: str  # what it is about, stable across sweeps (see the module docstring)
    recipient: Recipient
    vendor_id: int
    due_at: datetime  # aware: the reminder moment (event ± offset)
    url: str  # the page to act on, a path ("/vendors/acme/…"); made absolute when sent
    context: dict = field(default_factory=dict)
    ics: str = ""  # an iCalendar attachment (METHOD:REQUEST or CANCEL), if any


@dataclass(frozen=True)
class Kind:
    key: str  # "<app>.<name>": also the template name and the preference key
    label: str
    description: str  # one sentence: when it is sent and to whom
    timing: Timing
    default_offset: timedelta
    find: Callable[[datetime, timedelta], Iterable[Due]]
    still_current: Callable[[list[str]], set[str]] | None = None
    mandatory: bool = False  # the default; an admin may change it per kind
    # The rows `find` returns as one query (module docstring, "Recording in SQL"): PostgreSQL.
    find_sql: Callable[[datetime, timedelta], object] | None = None
    # What `find_sql`'s rows settle, in SQL (module docstring, "Settling"): PostgreSQL.
    settle_sql: "SettleSql | None" = None


@dataclass(frozen=True)
class SettleSql:
    """A `find_sql` kind's settle (module docstring, "Settling"): for each row it found (`f`,
    columns `SQL_FIELDS`), the row of `model`'s table whose primary key is `key` gets
    `values` ({column: SQL over `f`}). A record found more than once keeps one found row's
    values, all together."""

    model: type
    key: str
    values: dict[str, str]

    def __hash__(self):  # (frozen, with a dict: hashed by what it stamps)
        return hash((self.model, self.key, tuple(sorted(self.values.items()))))


class Found(list):
    """What a `find` returns when it has something to settle once its Dues are recorded:
    the Dues, and `settle()`, which the engine calls inside the recording transaction
    (module docstring, "Settling"); a plain list settles nothing."""

    def __init__(self, dues: Iterable[Due] = (), settle: Callable[[], None] | None = None):
        super().__init__(dues)
        self.settle = settle


def settle_of(found) -> Callable[[], None] | None:
    """The `settle` of what a find returned, if it has one."""
    return getattr(found, "settle", None)


# The columns of a kind's `find_sql` rows, in order: a `Due` and its `Recipient` flattened
# (recipient_key as `Recipient.key` spells it; context a JSON object; due_at aware).
SQL_FIELDS = ("occasion", "recipient_key", "email", "name", "user_id", "contact_id",
              "vendor_side", "vendor_id", "due_at", "url", "context")


_kinds: dict[str, Kind] = {}

# {occasion: {recipient key}} of the given occasions of a kind that were sent (or are
# claimed for sending); set by the engine, absent until it is installed.
SentLookup = Callable[[str, list[str]], dict[str, set[str]]]
_sent_lookup: SentLookup | None = None


def provide_sent_lookup(lookup: SentLookup | None) -> None:
    """The engine answers `sent_to` (one query for any number of occasions)."""
    global _sent_lookup
    _sent_lookup = lookup


def sent_to(kind_key: str, occasions: list[str]) -> dict[str, set[str]]:
    """Who was already sent each of these occasions of `kind_key`: {occasion: {recipient
    key}}; occasions nobody was sent are left out. Empty before an engine provides it."""
    if _sent_lookup is None or not occasions:
        return {}
    return _sent_lookup(kind_key, occasions)


def not_recorded(kind_key: str, occasion, recipient_key=None):
    """A condition for a kind's candidate query (``qs.filter(...)``): the occasion (an
    expression over the candidate's columns, e.g. ``OuterRef("occasion")`` of an alias)
    is not recorded yet for this kind (and, if given, for the
    recipient whose key is `recipient_key`, an expression too). The engine's unique index
    (kind, occasion, recipient_key) answers it. An expression that spells an occasion
    differently from the kind's Python (say, a date in another format) costs only speed:
    the occasion is found again and the engine's ON CONFLICT still records it once."""
    rows = Reminder.objects.filter(kind=kind_key, occasion=occasion)
    if recipient_key is not None:
        rows = rows.filter(recipient_key=recipient_key)
    return ~Exists(rows)


def recorded_to(kind_key: str, occasions: list[str]) -> dict[str, set[str]]:
    """Who each of these occasions of `kind_key` is recorded for, whatever became of it
    (pending, sent, suppressed…): {occasion: {recipient key}}, one query. A kind that
    builds something costly per row (an invite) skips what is recorded already; what was
    *sent* is `sent_to`'s question."""
    found: dict[str, set[str]] = {}
    if occasions:
        for occasion, key in Reminder.objects.filter(
                kind=kind_key, occasion__in=occasions).values_list("occasion", "recipient_key"):
            found.setdefault(occasion, set()).add(key)
    return found


@contextmanager
def no_jit():
    """PostgreSQL's JIT compiler off for the statements inside — in fact for the rest of the
    database connection's life: set once per connection (one statement, the first time),
    never reset, so a sweep every minute and the year simulation's thousands of finds pay
    nothing for it. A kind's candidate query with correlated ``NOT EXISTS`` conditions
    over a window the planner cannot estimate (meetings starting before tomorrow *and*
    ending after now) is planned for thousands of rows, crosses `jit_above_cost` and is
    compiled for about a second to read a few hundred rows in milliseconds
    (bench/RESULTS.md, "Reminder sweep"). JIT pays off only for long analytical
    statements, which a process that sweeps reminders does not run."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        if getattr(connection, "_vendorgov_jit_off", None) is not raw:
            with connection.cursor() as cursor:
                cursor.execute("SET jit = off")
            connection._vendorgov_jit_off = raw
    yield


# Compiled once. A steady sweep (every minute) asks each kind found in Python whether
# anything is due, and most answer with one query that returns nothing: building that
# queryset and compiling it took 1-2 ms of Python per kind, several times what the
# database spends on it (bench/RESULTS.md, "Reminder sweep"). `compiled` builds and
# compiles a find's query once per process and quarter of an hour (so what a builder reads
# of the clock itself, e.g. `timezone.localdate()`, is as fresh as the day: every time
# zone's day starts on a quarter of an hour) and puts each call's dates and moments in its
# place. Which parameters those are is found by building it twice with two sets of
# stand-ins; a query whose other parameters or text move with them (a bound computed from
# a value inside the builder) is not kept, and is built at every call, as before. The SQL,
# the rows are Django's own (the compiler's converters) and the records are built as the
# API's pages build theirs (vendorgov/api/rows.py `record_builder`).

_BUCKET = timedelta(minutes=15)
_compiled: dict[tuple, "_Compiled | None"] = {}


def compiled(name: str, build: Callable[..., object], **values) -> list:
    """``list(build(**values))``: the rows (tuples of a ``values_list``) or records (a
    model's queryset, with its ``select_related``) of the queryset `build` makes of these
    dates and moments (keyword arguments, each a `date` or an aware `datetime`), built and
    compiled once per process, database, `name` and quarter of an hour ("Compiled once"
    above). `name` names the query's shape: a builder that makes another query for other
    values than these (an optional filter) needs another name for each."""
    using = "default"
    key = (name, using, tuple(sorted((k, type(v)) for k, v in values.items())),
           int(timezone.now().timestamp() // _BUCKET.total_seconds()))
    if key not in _compiled:
        for stale in [k for k in _compiled if k[3] != key[3]]:
            del _compiled[stale]  # an earlier quarter of an hour
        _compiled[key] = _Compiled.of(build, values, using)
    found = _compiled[key]
    if found is None:
        return list(build(**values))
    return found.run(values)


def _stand_ins(values: dict, round_: int) -> dict:
    """Values no query holds otherwise, of the same types: dates and moments in 1901/1902."""
    found = {}
    for n, (name, value) in enumerate(sorted(values.items())):
        if isinstance(value, datetime):
            found[name] = datetime(1901 + round_, 2, 3, 4, 5, n, 678901, tzinfo=UTC)
        elif isinstance(value, date):
            found[name] = date(1901 + round_, 2, 3) + timedelta(days=n)
        else:
            raise TypeError(f"{name}: only dates and moments are put in a compiled query")
    return found


class _Compiled:
    """One find's query, compiled (see `compiled`)."""

    def __init__(self, compiler, sql: str, params: list, slots: dict, using: str,
                 records: bool):
        self.compiler, self.sql, self.params, self.slots = compiler, sql, params, slots
        self.using, self.records = using, records

    @classmethod
    def of(cls, build, values: dict, using: str) -> "_Compiled | None":
        ops = connections[using].ops

        def adapters(value):  # how a backend may have written a value among the parameters
            adapt = (ops.adapt_datetimefield_value if isinstance(value, datetime)
                     else ops.adapt_datefield_value)
            return adapt, _as_it_is

        first, second = _stand_ins(values, 0), _stand_ins(values, 1)
        queryset = build(**first)
        again = build(**second)
        if (queryset._iterable_class not in (ModelIterable, ValuesListIterable)
                or queryset._prefetch_related_lookups or queryset._known_related_objects):
            return None
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        other_sql, other_params = again.query.get_compiler(using=using).as_sql()
        if sql != other_sql or len(params) != len(other_params):
            return None
        slots = {}  # {parameter index: (value name, adapter)}
        for n, (one, two) in enumerate(zip(params, other_params, strict=True)):
            if one == two:
                continue
            slot = next(((name, adapt) for name in first for adapt in adapters(first[name])
                         if (adapt(first[name]), adapt(second[name])) == (one, two)), None)
            if slot is None:
                return None  # a parameter that moves otherwise: built at every call
            slots[n] = slot
        if len({name for name, _ in slots.values()}) != len(values):
            return None  # a value that is not a parameter of its own
        if queryset._iterable_class is ModelIterable and compiler.annotation_col_map:
            return None
        return cls(compiler, sql, list(params), slots, using,
                   queryset._iterable_class is ModelIterable)

    def run(self, values: dict) -> list:
        params = list(self.params)
        for n, (name, adapt) in self.slots.items():
            params[n] = adapt(values[name])
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        if not self.records:
            return list(self.compiler.results_iter([rows], tuple_expected=True))
        # The records of the rows, with their `select_related` records, as the API's
        # pages build them (vendorgov/api/rows.py).
        build = record_builder(self.compiler.klass_info, self.compiler.select, self.using)
        return [build(row) for row in self.compiler.results_iter([rows])]


def _as_it_is(value):
    return value


def url_pattern(name: str, *args) -> Callable[..., str]:
    """`reverse(name, args=…)` for many rows: the pattern is reversed once with stand-in
    arguments and filled in by string replacement (a slug and integer ids need no
    quoting), about a hundred times cheaper than reversing each row."""
    stand_ins = [f"vgarg{n}x" if isinstance(a, str) else 900000001 + n
                 for n, a in enumerate(args)]
    rest = reverse(name, args=stand_ins)
    pieces = []  # the path split at each stand-in (positional arguments fill it in order)
    for stand_in in stand_ins:
        before, found, rest = rest.partition(str(stand_in))
        if not found:
            raise ValueError(f"{name}: an argument does not appear in its path")
        pieces.append(before)

    def fill(*values) -> str:
        return "".join(piece + str(value)
                       for piece, value in zip(pieces, values, strict=True)) + rest

    return fill


def rows_from_target(rows, *, kind_key: str | None = None) -> tuple[str, list]:
    """A `find_sql` answer from a query whose recipient is one JSON object (a subquery
    picking the person: {key, email, name, user_id, contact_id, side}): `rows` is a
    ``values_list`` of (occasion, target, vendor_id, due_at, url, context). The query is
    kept whole (``OFFSET 0``: PostgreSQL neither inlines it nor evaluates the target's
    subquery more than once per row, nor before the query's own conditions); rows without
    a target are nobody's; with `kind_key`, rows recorded for their target already are
    left out here."""
    sql, params = rows.query.sql_with_params()
    recorded = ""
    if kind_key is not None:
        table = Reminder._meta.db_table
        recorded = (f" AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.kind = %s AND "
                    f"r.occasion = t.occasion AND r.recipient_key = t.target ->> 'key')")
        params = (*params, kind_key)
    return (f"SELECT t.occasion, t.target ->> 'key', t.target ->> 'email', "
            f"t.target ->> 'name', CAST(t.target ->> 'user_id' AS integer), "
            f"CAST(t.target ->> 'contact_id' AS integer), "
            f"CAST(t.target ->> 'side' AS boolean), t.vendor_id, t.due_at, t.url, t.context "
            f"FROM ({sql} OFFSET 0) AS t (occasion, target, vendor_id, due_at, url, context) "
            f"WHERE t.target IS NOT NULL{recorded}", list(params))


def url_sql(name: str, *args):
    """`url_pattern(name, …)` as an SQL expression: `args` are (sample, expression) pairs,
    a sample as `url_pattern` takes it (a str for a slug, an int for an id) and the
    expression over the query's columns that fills it in; the same text the pattern makes."""
    stand_ins = [f"vgarg{n}x" if isinstance(sample, str) else 900000001 + n
                 for n, (sample, _) in enumerate(args)]
    rest = reverse(name, args=stand_ins)
    parts = []
    for stand_in, (_, expression) in zip(stand_ins, args, strict=True):
        before, found, rest = rest.partition(str(stand_in))
        if not found:
            raise ValueError(f"{name}: an argument does not appear in its path")
        parts += [Value(before), Cast(expression, CharField())]
    return Concat(*parts, Value(rest), output_field=CharField())


def register(kind: Kind) -> None:
    if kind.key in _kinds and _kinds[kind.key] != kind:
        raise ValueError(f"Reminder kind {kind.key!r} is registered twice.")
    _kinds[kind.key] = kind


def get(key: str) -> Kind:
    return _kinds[key]


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda kind: kind.key)
