"""Writes to people and their API tokens. Keyword-only, validated, atomic."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User


@transaction.atomic
def api_token_create(*, user: User, name: str,
                     expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new personal token for `user` and its raw secret, which is never stored: show it
    once, now."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "Choose a moment in the future."})
    raw, prefix, key_hash = ApiToken.generate()
    token = ApiToken(user=user, name=name, prefix=prefix, key_hash=key_hash,
                     expires_at=expires_at)
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token for good. Revoking it again keeps the first moment."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token
