import pytest
from django.core import signals
from django.db import close_old_connections

from tests.factories import AssignmentFactory, UserFactory
from vendorgov.roles import Role
from vendors.choices import AssignmentRole


@pytest.fixture
def stakeholder(db, vendor_a):
    """Sam answers surveys about vendor A: may look, not change."""
    user = UserFactory(username="sam", role=Role.STAKEHOLDER)
    AssignmentFactory(user=user, vendor=vendor_a, role=AssignmentRole.IT_STAKEHOLDER)
    return user


@pytest.fixture
def operations(db, vendor_b):
    """Olga runs operations for vendor B only."""
    user = UserFactory(username="olga", role=Role.OPERATIONS)
    AssignmentFactory(user=user, vendor=vendor_b, role=AssignmentRole.OPERATIONS)
    return user


@pytest.fixture
def keep_connection(db):
    """The app runs inside the test's transaction: Django must not close its connection
    at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
