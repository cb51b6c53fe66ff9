import pytest

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
