"""Writes to people and their API tokens. Keyword-only, validated, atomic."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import ApiToken, User
from vendorgov.roles import Role
from vendors.models import VendorAssignment


@transaction.atomic
def api_token_create(*, user: User, name: str,
                     expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new personal token for `user` and its raw secret, which is never stored: show it
    once, now."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "Choose a moment in the future."})
    token, raw = ApiToken.issue(user=user, name=name, expires_at=expires_at)
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token for good. Revoking it again keeps the first moment."""
    ApiToken.objects.filter(pk=token.pk).revoke()
    token.refresh_from_db(fields=["revoked_at"])
    return token



def _check_role(user) -> None:
    if user.role == Role.VENDOR_USER and not user.vendor_id:
        raise ValidationError({"vendor": "A vendor user must belong to a vendor."})
    if user.role != Role.VENDOR_USER and user.vendor_id:
        raise ValidationError({"vendor": "Only vendor users belong to a vendor."})


@transaction.atomic
def user_create(*, by, username: str, email: str, role: str, first_name: str = "",
                last_name: str = "", job_title: str = "", vendor=None, vendors=(),
                assignment_role: str = "", send_invite: bool = True):
    """A new person with no password yet; they get an email with a link to choose one."""
    user = User(username=username, email=email, role=role, first_name=first_name,
                last_name=last_name, job_title=job_title, vendor=vendor)
    user.set_unusable_password()
    _check_role(user)
    user.full_clean(exclude=["password"])
    user._history_user = by
    user.save()
    for v in vendors:
        assignment = VendorAssignment(vendor=v, user=user, role=assignment_role)
        assignment.full_clean()
        assignment._history_user = by
        assignment.save()
    if send_invite:
        transaction.on_commit(lambda: user_send_password_link(user, welcome=True))
    return user


@transaction.atomic
def user_update(user, *, by, **fields):
    for name in ("assign_vendors", "assignment_role"):
        fields.pop(name, None)
    for name, value in fields.items():
        setattr(user, name, value)
    _check_role(user)
    user.full_clean(exclude=["password"])
    if user.role == Role.VENDOR_USER:
        # A vendor user sees only their vendor; stale internal assignments would widen that.
        VendorAssignment.objects.filter(user=user).delete()
    user._history_user = by
    user.save()
    return user


@transaction.atomic
def user_set_active(user, *, active: bool, by):
    user.is_active = active
    user._history_user = by
    user.save(update_fields=["is_active"])
    return user


def user_send_password_link(user, *, welcome: bool = False) -> None:
    """Email a one-time link to choose a password (Django's reset token, so it expires after
    PASSWORD_RESET_TIMEOUT and once used)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {"user": user, "url": settings.SITE_URL.rstrip("/") + path, "welcome": welcome,
               "site_url": settings.SITE_URL}
    subject = render_to_string("emails/account-invite-subject.txt", context).strip()
    message = EmailMultiAlternatives(subject,
                                     render_to_string("emails/account-invite-body.txt", context),
                                     to=[user.email])
    message.attach_alternative(render_to_string("emails/account-invite-body.html", context),
                               "text/html")
    message.send()
