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
from typing import ClassVar, Self

from django.db import models
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
    def findable(cls) -> models.QuerySet:
        """The records a token may still open: those not revoked."""
        return cls._default_manager.filter(revoked_at__isnull=True)

    @classmethod
    def find(cls, raw: str) -> Self | None:
        """The record `raw` opens, or None (malformed, unknown, revoked or wrong secret);
        at most one query."""
        lookup = lookup_of(raw, cls.SCHEME)
        if lookup is None:
            return None
        record = cls.findable().filter(prefix=lookup).first()
        if record is not None and matches(raw, record.key_hash):
            return record
        return None
