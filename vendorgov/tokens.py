"""Secrets shown once, stored hashed, compared in constant time, revocable: the one scheme
behind personal API tokens (`accounts.ApiToken`) and calendar-feed addresses
(`governance.CalendarFeed`), and the one the health-check survey links and the email
unsubscribe links are to use next.

* A token reads ``<scheme>_<lookup>_<secret>``. The scheme names what it opens ("vg" for
  the API, "vgcal" for a calendar feed); the lookup, 8 hex digits, is kept in clear in a
  unique column, so a token is found with one indexed query and its owner can tell theirs
  apart; the secret is random (`secrets.token_urlsafe`).
* Only the SHA-256 of the whole token is stored (64 hex digits): `issue` returns the raw
  token once, for the page or answer that shows it, and nothing keeps it.
* `find` compares digests with `hmac.compare_digest`, so the time taken says nothing about
  how much of a guess was right.
* Revoking sets `revoked_at` (`HashedSecretQuerySet.revoke`); a revoked token never works
  again and its row stays, so its use remains traceable.

A model keeps such a secret by inheriting `HashedSecret` and naming its `SCHEME`; it
overrides `findable()` when more than revocation rules a token out (expiry, an inactive
owner). Tokens already issued keep working: this is the hashing they were stored with.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, Self

from django.db import DatabaseError, connections, models
from django.db.models.query import get_related_populators
from django.utils import timezone

LOOKUP_BYTES = 4  # 8 hex digits


@dataclass(frozen=True)
class Issued:
    raw: str  # the whole token: show it once, never store it
    lookup: str
    digest: str


def digest(raw: str) -> str:
    """What is stored of a token: the hex SHA-256 of all of it."""
    return hashlib.sha256(raw.encode()).hexdigest()


def generate(scheme: str, *, secret_bytes: int = 32) -> Issued:
    """A new token of `scheme`, with its lookup and digest."""
    lookup = secrets.token_hex(LOOKUP_BYTES)
    raw = f"{scheme}_{lookup}_{secrets.token_urlsafe(secret_bytes)}"
    return Issued(raw=raw, lookup=lookup, digest=digest(raw))


def matches(raw: str, stored_digest: str) -> bool:
    """Whether `raw` is the token `stored_digest` was made from, in constant time."""
    return hmac.compare_digest(stored_digest, digest(raw))


def lookup_of(raw: str, scheme: str) -> str | None:
    """The lookup part of `raw` if it has the shape of a token of `scheme`, else None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != scheme:
        return None
    lookup = parts[1]
    if len(lookup) != 2 * LOOKUP_BYTES or any(c not in "0123456789abcdef" for c in lookup):
        return None
    return lookup


class HashedSecretQuerySet(models.QuerySet):
    def revoke(self) -> int:
        """Revoke every token here not revoked yet (an earlier revocation keeps its
        moment); how many were revoked now."""
        return self.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


class HashedSecret(models.Model):
    """A secret of scheme `SCHEME`, of which only the lookup and the digest are stored."""

    SCHEME: ClassVar[str]
    SECRET_BYTES: ClassVar[int] = 32

    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = HashedSecretQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def issue(cls, **fields) -> tuple[Self, str]:
        """An unsaved record of a new secret, and the raw token to show once."""
        issued = generate(cls.SCHEME, secret_bytes=cls.SECRET_BYTES)
        return cls(prefix=issued.lookup, key_hash=issued.digest, **fields), issued.raw

    @classmethod
    def findable(cls, now: datetime | None = None) -> models.QuerySet:
        """The records a token may still open at `now` (default: this moment): those not
        revoked. An override takes `now` for every rule of time (expiry)."""
        return cls._default_manager.filter(revoked_at__isnull=True)

    @classmethod
    def find(cls, raw: str) -> Self | None:
        """The record `raw` opens, or None (malformed, unknown, revoked or wrong secret);
        one query, every time (a revoked token fails at once)."""
        lookup = lookup_of(raw, cls.SCHEME)
        if lookup is None:
            return None
        record = _Lookup.of(cls).find(lookup, timezone.now())
        if record is not None and matches(raw, record.key_hash):
            return record
        return None


# A sentinel prefix and moment, compiled into the lookup's SQL in their place.
_ANY_PREFIX = "<any prefix>"  # never a lookup: those are hex digits
_ANY_MOMENT = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


class _Lookup:
    """`findable(now).filter(prefix=…)[:1]` of one model, compiled once per process and
    database: only its prefix and moment change from one request to the next, and
    building and compiling that query again took more time than running it (about a
    third of a short API list's own time). The SQL, its rows and the records made of
    them are Django's own (the compiler's converters, `from_db`, the related records of
    `select_related`), worked out once with the SQL."""

    _compiled: ClassVar[dict] = {}

    @classmethod
    def of(cls, model) -> "_Lookup":
        key = (model, model._default_manager.db)
        lookup = cls._compiled.get(key)
        if lookup is None:
            lookup = cls._compiled[key] = cls(model, key[1])
        return lookup

    def __init__(self, model, db: str):
        self.model, self.db = model, db
        queryset = model.findable(now=_ANY_MOMENT).filter(prefix=_ANY_PREFIX).order_by()[:1]
        self.compiler = queryset.query.get_compiler(using=db)
        self.sql, params = self.compiler.as_sql()
        ops = connections[db].ops
        moment = ops.adapt_datetimefield_value(_ANY_MOMENT)
        # Where the prefix and the moment go among the parameters.
        self.params = [(_ANY_PREFIX if p == _ANY_PREFIX else _ANY_MOMENT if p == moment else p)
                       for p in params]
        if self.params.count(_ANY_PREFIX) != 1:  # not a query this class can reuse
            self.compiler = None
            return
        # What the compiler would work out again for every row (results_iter): the
        # columns' converters, and how a row becomes the record and its related records.
        compiler = self.compiler
        fields = [column[0] for column in compiler.select[:compiler.col_count]]
        self.converters = (None if compiler.has_composite_fields(fields)
                           else list(compiler.get_converters(fields).items()))
        select, klass_info = compiler.select, compiler.klass_info
        positions = klass_info["select_fields"]
        self.start, self.end = positions[0], positions[-1] + 1
        self.names = [column[0].target.attname for column in select[self.start:self.end]]
        self.populators = get_related_populators(klass_info, select, db)

    def find(self, prefix: str, now: datetime):
        if self.compiler is None:
            return self.model.findable(now=now).filter(prefix=prefix).order_by().first()
        connection = connections[self.db]
        moment = connection.ops.adapt_datetimefield_value(now)
        params = [prefix if p is _ANY_PREFIX else moment if p is _ANY_MOMENT else p
                  for p in self.params]
        rows = run_as_health_check(connection, self.sql, params)
        if not rows:
            return None
        if self.converters is None:
            row = next(iter(self.compiler.results_iter([rows])))
        else:  # as SQLCompiler.apply_converters, with this thread's connection
            row = list(rows[0])
            for position, (functions, expression) in self.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
        return self._record(row)

    def _record(self, row):
        """The record of one row, with its `select_related` records: as ModelIterable."""
        record = self.model.from_db(self.db, self.names, row[self.start:self.end])
        for populator in self.populators:
            populator.populate(row, record)
        return record


def _fetch(connection, sql: str, params) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def run_as_health_check(connection, sql: str, params) -> list:
    """The rows of a read-only `sql`, run as this request's connection health check when
    that is still to come (CONN_HEALTH_CHECKS).

    Django checks a reused connection with a `SELECT 1` round trip before the first query of
    each request, so that a connection the server dropped between requests (a restart, an
    idle timeout) is replaced instead of failing the request. An API request's first query
    is its token's lookup, a plain read: run it as that check instead, and when it fails
    because the connection is dead (the check would have said so), do what the check does
    (close the connection) and run it again on a new one. One round trip a request fewer,
    and a dropped connection is still never an error. In a transaction, or when the check
    is done, off or needless (a new connection), this is a plain query."""
    pending = (connection.health_check_enabled and not connection.health_check_done
               and connection.connection is not None and not connection.in_atomic_block)
    if not pending:
        return _fetch(connection, sql, params)
    connection.health_check_done = True  # this query is the check
    try:
        return _fetch(connection, sql, params)
    except DatabaseError:
        if connection.in_atomic_block or connection.is_usable():
            raise  # the connection is fine: the error is the query's own
        connection.close()
    return _fetch(connection, sql, params)
