from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from vendorgov.roles import PORTFOLIO_ROLES, Role
from vendorgov.tokens import HashedSecret, HashedSecretQuerySet


def validate_time_zone(value: str) -> None:
    if value and value not in available_timezones():
        raise ValidationError(f"Unknown time zone {value!r}: choose one such as Europe/London.")


class User(AbstractUser):
    """A person who signs in. Internal people have a role and are assigned vendors
    (vendors.VendorAssignment); a vendor user belongs to exactly one vendor."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LINE_MANAGER)
    vendor = models.ForeignKey(
        "vendors.Vendor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vendor_users",
        help_text="Only for vendor users: the one vendor they belong to.",
    )
    job_title = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone],
                                 help_text="Times in emails and pages; empty: the "
                                           "organisation's.")
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            models.CheckConstraint(
                name="vendor_user_has_exactly_one_vendor",
                condition=(Q(role=Role.VENDOR_USER, vendor__isnull=False)
                           | (~Q(role=Role.VENDOR_USER) & Q(vendor__isnull=True))),
            ),
        ]

    def __str__(self):
        return self.name_of(self.first_name, self.last_name, self.username)

    @staticmethod
    def name_of(first_name: str, last_name: str, username: str) -> str:
        """How a person is named (`str(user)`), from the three columns alone: lists that
        read them joined into their own query name people without building a user each."""
        return f"{first_name} {last_name}".strip() or username

    def get_absolute_url(self):
        return reverse("accounts:user_detail", args=[self.pk])

    @property
    def zone(self) -> ZoneInfo:
        """Where this person's times are shown: their choice, else the organisation's."""
        return ZoneInfo(self.time_zone or settings.TIME_ZONE)

    @property
    def is_vendor_user(self) -> bool:
        return self.role == Role.VENDOR_USER

    @property
    def sees_whole_portfolio(self) -> bool:
        return self.is_superuser or self.role in PORTFOLIO_ROLES

    @property
    def is_vendor_manager(self) -> bool:
        return self.is_superuser or self.role == Role.VENDOR_MANAGER

    @property
    def roles(self) -> list[str]:
        return [self.role]


class ApiTokenQuerySet(HashedSecretQuerySet):
    def active(self, now=None):
        """Not revoked, not expired at `now` (default: this moment)."""
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now())
        )


class ApiToken(HashedSecret):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once.

    The raw token looks like ``vg_<prefix>_<secret>``; the prefix is kept in clear so a
    person can tell their tokens apart, and so lookups use an index (`vendorgov.tokens`).
    """

    SCHEME = "vg"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'SLA feed'.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The token this one was created with, through the API; None when made on the profile
    # page. A token is bound by its parent: revoked with it, and never outliving it.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def findable(cls, now=None):
        """Tokens that still open the API: not revoked, not expired (the owner's being
        active is checked by the authentication)."""
        return cls.objects.active(now).select_related("user")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None
                                            or self.expires_at > timezone.now())
