import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.utils import timezone

from tests.factories import AssignmentFactory, ContactFactory, UserFactory
from vendorgov.roles import Role
from vendors.choices import AssignmentRole, ContactRole, EscalationLevel


@pytest.fixture
def clock():
    """clock(moment) -> a context in which `timezone.now()` is `moment` (aware) and
    `timezone.localdate()` its date in the site's zone."""

    @contextmanager
    def at(moment: datetime.datetime):
        local = timezone.localtime(moment)
        with (mock.patch("django.utils.timezone.now", lambda: moment),
              mock.patch("django.utils.timezone.localdate",
                         lambda value=None, timezone=None: (
                             local.date() if value is None
                             else value.astimezone(timezone or local.tzinfo).date()))):
            yield

    return at


@pytest.fixture
def outsourced_lead(vendor_a):
    return ContactFactory(vendor=vendor_a, name="Olive Lead", role=ContactRole.OUTSOURCED_LEAD,
                          escalation_level=None)


@pytest.fixture
def ladder(vendor_a):
    """Vendor A's escalation ladder: account executive, management, executive sponsor."""
    return {level: ContactFactory(vendor=vendor_a, name=f"Ladder {level}", role=role,
                                  escalation_level=level)
            for level, role in ((EscalationLevel.ACCOUNT_EXECUTIVE,
                                 ContactRole.ACCOUNT_EXECUTIVE),
                                (EscalationLevel.MANAGEMENT, ContactRole.DELIVERY_MANAGER),
                                (EscalationLevel.EXECUTIVE_SPONSOR,
                                 ContactRole.EXECUTIVE_SPONSOR))}


@pytest.fixture
def operations_a(vendor_a):
    user = UserFactory(username="omar", role=Role.OPERATIONS)
    AssignmentFactory(user=user, vendor=vendor_a, role=AssignmentRole.OPERATIONS)
    return user


@pytest.fixture
def stakeholder_a(vendor_a):
    user = UserFactory(username="sam", role=Role.STAKEHOLDER)
    AssignmentFactory(user=user, vendor=vendor_a, role=AssignmentRole.IT_STAKEHOLDER)
    return user
