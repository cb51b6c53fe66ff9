"""Signed links that change one person's reminder mail without signing in.

A link carries the recipient key and the kinds it unsubscribes from, signed with the
site's SECRET_KEY (`django.core.signing`, a salt of its own). Nothing is stored per email,
so every email can carry one; whoever holds the link can change that person's reminder
choices (and nothing else), which is what an unsubscribe link is for (RFC 8058). A
mandatory kind cannot be turned off by it either."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "reminders.unsubscribe"


def token(recipient_key: str, kinds: list[str]) -> str:
    return signing.dumps({"r": recipient_key, "k": sorted(set(kinds))}, salt=SALT,
                         compress=True)


def read(value: str) -> tuple[str, list[str]] | None:
    """(recipient key, kinds) of a genuine link, else None."""
    try:
        data = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), str):
        return None
    kinds = data.get("k")
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        return None
    return data["r"], kinds


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + (path if path.startswith("/") else "/" + path)


def unsubscribe_url(recipient_key: str, kinds: list[str]) -> str:
    return absolute(reverse("reminders:unsubscribe", args=[token(recipient_key, kinds)]))
