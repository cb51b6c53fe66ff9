"""Computed results kept in the cache until a table they were read from is written.

A home page reads 20 queries over a dozen apps' tables on every view, though most views
come between two writes. `cached(kind, key, compute)` keeps what `compute()` returned in the
cache, together with the tables its SELECTs read (recorded as they run, so the list cannot
fall behind the selectors) and each table's token at the time. A later call returns it only
while every one of those tokens is unchanged.

Tokens change by themselves: every connection carries an execute wrapper (installed by
`install`, from the app's `ready()`) that notices each statement that writes (INSERT,
UPDATE, DELETE, TRUNCATE, DDL...; anything that is not a plain read) and, once its
transaction commits, gives the tables it writes a new random token (`tables_written`: the
target of an INSERT, UPDATE or DELETE, not the tables it reads from; any other write, or
one whose targets are not plain to see, every table it names). An INSERT, UPDATE or
DELETE that changed no row changes no token: the reminder sweep, every minute, runs
statements that usually find nothing to change, and would otherwise drop every kept page
each time. Any writer through Django's connections is covered that way, services, bulk
writes and raw SQL alike, without a list of writers to keep. The few writes that bypass
Django's cursor (COPY through the driver, a restore) call `written()` or `forget_all()`
themselves, and so does a caller that knows better than the statement's text what it
wrote (`declared()`).

Why it is correct:
* a reader reads the tokens *before* it computes, and the tokens change only *after* the
  write commits; so an entry never carries a token newer than the data it holds, and the
  first read after a committed write misses;
* inside a transaction that has written (its writes not committed yet, as in a test run in
  one transaction, or a request that writes and then reads) nothing is read from or stored
  in the cache: the result is computed, as if there were no cache;
* a missing token (never written since the cache was emptied, or evicted) is set to a new
  random value before it is used, never assumed unchanged;
* the namespace is the database's identity (on PostgreSQL its oid, which a dropped and
  re-created database does not keep), so two databases on one cache never share entries;
* if the cache cannot be reached the result is computed; if a token could not be renewed
  after a commit (the cache down at that moment, or the process killed between the commit
  and the renewal) an entry can outlive its data, for at most `ENTRY_TTL`.

Off with COMPUTED_CACHE=False (settings), e.g. to measure the pages without it.
"""

import hashlib
import logging
import os
import re
import secrets
import string
import threading
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)

#: How long an entry may be kept at most (a backstop for a token renewal that was lost).
ENTRY_TTL = 600
PREFIX = "fresh"

_READS = ("SELECT",)
# Statements that change no table's rows (transaction control, settings, plans).
_NEUTRAL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN", "SET", "SHOW", "EXPLAIN",
            "PRAGMA", "RESET", "DISCARD", "DEALLOCATE", "LISTEN", "NOTIFY")
_WRITE_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_tables: frozenset | None = None
_learned: dict[str, frozenset] = {}
_lock = threading.Lock()


def _table_names() -> frozenset:
    """Every table of every installed model (many-to-many tables and history tables
    included), as bytes."""
    global _tables
    if _tables is None:
        _tables = frozenset(m._meta.db_table.encode()
                            for m in apps.get_models(include_auto_created=True))
    return _tables


# Every byte but letters, digits and "_" to a space: what is left are the statement's
# words, table names among them, quoted (as Django writes them) or not (raw SQL). In C:
# a 5,000-row INSERT's 230 KB of text costs about 1 ms, where a regular expression over the
# table names took 400 ms.
_WORD = (string.ascii_letters + string.digits + "_").encode()
_TO_WORDS = bytes(c if c in _WORD else 32 for c in range(256))


def tables_in(sql: str) -> set[str]:
    words = set(sql.encode("utf-8", "replace").translate(_TO_WORDS).split())
    return {name.decode() for name in words & _table_names()}


# The table an INSERT, UPDATE, DELETE or MERGE writes (quoted or not, a schema before it or
# not). Inside a WITH, "UPDATE" also ends a locking clause or an ON CONFLICT (FOR UPDATE
# OF / SKIP LOCKED / NOWAIT, DO UPDATE SET): the words that can follow it there.
_TARGET = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+(?:ONLY\s+)?'
                     r'(?:"?\w+"?\s*\.\s*)?"?(\w+)"?', re.IGNORECASE)
_NOT_TARGETS = frozenset({"SET", "OF", "SKIP", "NOWAIT"})
# Statements whose text says what they write and whose row count says whether they did.
_DML = ("INSERT", "UPDATE", "DELETE")


def tables_written(sql: str) -> set[str]:
    """The tables a writing statement changes: an INSERT's, UPDATE's or DELETE's target
    (and in a WITH, each data-modifying part's), not the tables it reads from. Anything
    else, or a target that is not one of the models' tables (a temporary table, a name
    the pattern misread), falls back to every table the statement names: a mistake costs
    entries, never a stale page."""
    head = sql.lstrip(" \t\r\n(")[:10].upper()
    if _several(sql):
        targets = []
    elif head.startswith(_DML):
        # One statement, one target, at its start (a 5,000-row INSERT is 230 KB of text).
        targets = _TARGET.findall(sql, 0, 400)[:1]
    elif head.startswith("WITH"):
        targets = [t for t in _TARGET.findall(sql) if t.upper() not in _NOT_TARGETS]
    else:
        targets = []
    names = {t.encode() for t in targets}
    if names and names <= _table_names():
        return {t.decode() for t in names}
    return tables_in(sql)


def _several(sql: str) -> bool:
    """Several statements in one text (psycopg2 runs them; its row count is the last's)?"""
    return ";" in sql.rstrip(" \t\r\n;")


def _changed_nothing(sql: str, many: bool, cursor, connection) -> bool:
    """Did this INSERT, UPDATE or DELETE change no row? (Only when its row count can be
    trusted: not for executemany, and on SQLite not with RETURNING, whose count is known
    only once the rows are fetched.)"""
    if many or not sql.lstrip(" \t\r\n(")[:10].upper().startswith(_DML) or _several(sql):
        return False
    if connection.vendor != "postgresql" and "RETURNING" in sql.upper():
        return False
    return cursor.rowcount == 0


def statement_kind(sql: str) -> str:
    """'read', 'write' or 'neutral'. Anything not known to be a read or neutral is a write:
    a mistake costs an entry, never a stale page."""
    head = sql.lstrip(" \t\r\n(")[:10].upper()
    if head.startswith(_READS):
        return "read"
    if head.startswith("WITH"):
        return "write" if _WRITE_IN_WITH.search(sql) else "read"
    if head.startswith(_NEUTRAL):
        return "neutral"
    return "write"


# -- the write side -------------------------------------------------------------------------


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    connection = context["connection"]
    kind = statement_kind(sql)
    if kind == "write":
        if connection.__dict__.get("_fresh_declared") or _changed_nothing(
                sql, many, context["cursor"], connection):
            return result
        tables = tables_written(sql)
        if tables:
            written(tables, using=connection.alias)
    elif kind == "read":
        for reading in getattr(connection, "_fresh_reading", ()):
            reading.update(tables_in(sql))
    return result


def written(tables, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """`tables` (names, or models) were written on connection `using`: their tokens are
    renewed once its transaction commits (now, outside a transaction)."""
    connection = connections[using]
    names = {t if isinstance(t, str) else t._meta.db_table for t in tables}
    pending = connection.__dict__.setdefault("_fresh_pending", set())
    pending.update(names)
    if not connection.in_atomic_block:
        if connection.get_autocommit():
            _renew(connection)
        else:  # manual transaction management: no commit hook to wait for
            _renew(connection, keep=True)
        return
    # One commit hook per transaction: Django replaces its list of hooks on every commit
    # and (savepoint) rollback, so a hook list we have not hooked yet needs ours.
    if getattr(connection, "_fresh_hooked", None) is not connection.run_on_commit:
        connection.on_commit(lambda: _renew(connection), robust=True)
        connection._fresh_hooked = connection.run_on_commit


@contextmanager
def declared(using: str = DEFAULT_DB_ALIAS):
    """The writes run inside are not judged by their text: the caller says what they
    changed with `written()` (a statement whose data-modifying parts usually change
    nothing, which its text cannot tell)."""
    connection = connections[using]
    connection.__dict__["_fresh_declared"] = connection.__dict__.get("_fresh_declared", 0) + 1
    try:
        yield
    finally:
        connection.__dict__["_fresh_declared"] -= 1


def _renew(connection, keep: bool = False) -> None:
    pending = connection.__dict__.get("_fresh_pending")
    if not pending:
        return
    names = set(pending)
    if not keep:
        pending.clear()
    try:
        cache.set_many({_token_key(connection, n): secrets.token_hex(8) for n in names},
                       timeout=None)
    except Exception:  # the cache is down: its entries expire within ENTRY_TTL
        log.warning("Could not renew the computed-results tokens of %s", sorted(names),
                    exc_info=True)


def forget_all(using: str = DEFAULT_DB_ALIAS) -> None:
    """Every table changed (a restored backup): renew every token."""
    written(sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)}),
            using=using)


# -- the read side --------------------------------------------------------------------------


def cached(kind: str, key, compute, *, valid=None, using: str = DEFAULT_DB_ALIAS):
    """compute(), or what it returned last time for `kind` and `key` if none of the tables
    it read has been written since. `kind` names the computation (the tables it reads are
    remembered by kind); `key` is everything else its result depends on (the person, the
    day, the page's parameters), any repr-able value. `valid(value)`, if given, says whether
    a kept value still holds (for a result that also changes with the clock)."""
    connection = connections[using]
    if not getattr(settings, "COMPUTED_CACHE", True) or (
            connection.in_atomic_block and connection.__dict__.get("_fresh_pending")):
        return compute()
    connection.ensure_connection()
    entry_key = _entry_key(connection, kind, key)
    known = _learned.get(kind, frozenset())
    try:
        entry = cache.get(entry_key)
        if entry is not None:
            deps, tokens, value = entry
            known = known | set(deps)
            current = _tokens(connection, known)
            if tokens == tuple(current[t] for t in deps) and (valid is None or valid(value)):
                for reading in connection.__dict__.get("_fresh_reading", ()):
                    reading.update(deps)  # an enclosing computation read these too
                return value
        else:
            current = _tokens(connection, known)
    except Exception:
        log.warning("The computed-results cache cannot be read", exc_info=True)
        return compute()
    reading: set = set()
    stack = connection.__dict__.setdefault("_fresh_reading", [])
    stack.append(reading)
    try:
        value = compute()
    finally:
        stack.remove(reading)
    with _lock:
        _learned[kind] = frozenset(reading) | _learned.get(kind, frozenset())
    # Stored only if every table it read had its token read before: a table read for the
    # first time (the selector changed) is known next time.
    if reading <= set(current):
        deps = tuple(sorted(reading))
        try:
            cache.set(entry_key, (deps, tuple(current[t] for t in deps), value), ENTRY_TTL)
        except Exception:
            log.warning("The computed-results cache cannot be written", exc_info=True)
    return value


def _tokens(connection, tables) -> dict:
    keys = {_token_key(connection, t): t for t in tables}
    found = cache.get_many(list(keys))
    missing = [k for k in keys if k not in found]
    for k in missing:  # never seen, or evicted: a new token, so no old entry matches it
        cache.add(k, secrets.token_hex(8), timeout=None)
    if missing:
        found.update(cache.get_many(missing))
    return {t: found.get(k) for k, t in keys.items()}


# -- namespace and installation -------------------------------------------------------------


def _namespace(connection) -> str:
    ns = connection.__dict__.get("_fresh_ns")
    if ns is None:
        ns = connection._fresh_ns = f"{_identity(connection)}:{_code_version()}"
    return ns


_code: str | None = None


def _code_version() -> str:
    """A digest of the project's Python and template sources: what an entry holds (pickled
    objects, rendered HTML) is only good for the code that made it, and a deploy changes
    it while the cache lives on."""
    global _code
    if _code is None:
        digest = hashlib.sha1()  # noqa: S324 - a fingerprint, not a secret
        root = settings.BASE_DIR
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in
                             ("node_modules", "var", "static", "__pycache__", "tests"))
            for name in sorted(files):
                if name.endswith((".py", ".html")):
                    path = os.path.join(folder, name)
                    digest.update(path.encode())
                    with open(path, "rb") as source:
                        digest.update(source.read())
        _code = digest.hexdigest()[:16]
    return _code


def _identity(connection) -> str:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
            oid = cursor.fetchone()[0]
        return f"{name}:{oid}"
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():  # one process's own database
            return f"{name}:{os.getpid()}:{id(connection)}"
        try:
            return f"{name}:{os.stat(name).st_ino}"
        except OSError:
            return name
    return name


def _digest(value) -> str:
    return hashlib.sha1(repr(value).encode()).hexdigest()[:20]  # noqa: S324 - a key, not a secret


def _token_key(connection, table: str) -> str:
    return f"{PREFIX}:{_digest(_namespace(connection))}:t:{table}"


def _entry_key(connection, kind: str, key) -> str:
    return f"{PREFIX}:{_digest(_namespace(connection))}:e:{kind}:{_digest(key)}"


def _on_connect(sender, connection, **kwargs):
    # First in the list: Django's execute_wrapper() context manager pops the last one on
    # exit, which must stay the caller's own even when the connection opened inside it.
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)
    connection.__dict__.pop("_fresh_ns", None)
    _namespace(connection)  # now, so that no page's query count includes it


def install() -> None:
    connection_created.connect(_on_connect, dispatch_uid="vendorgov-freshness")
