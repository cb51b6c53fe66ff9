"""vendors.access: the one place that decides who may see and change which vendor."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import AssignmentFactory, ContactFactory, UserFactory, VendorFactory
from vendorgov.roles import Role
from vendors import access
from vendors.access import Action
from vendors.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_and_b(vendor_a, vendor_b):
    return vendor_a, vendor_b


@pytest.mark.parametrize(("role", "assigned", "expected"), [
    (Role.VENDOR_MANAGER, False, {"view": "all", "edit": "all", "manage": "all"}),
    (Role.EXECUTIVE, False, {"view": "all", "edit": "none", "manage": "none"}),
    (Role.LINE_MANAGER, True, {"view": "a", "edit": "a", "manage": "none"}),
    (Role.OPERATIONS, True, {"view": "a", "edit": "a", "manage": "none"}),
    (Role.STAKEHOLDER, True, {"view": "a", "edit": "none", "manage": "none"}),
    (Role.LINE_MANAGER, False, {"view": "none", "edit": "none", "manage": "none"}),
])
def test_each_role_gets_its_rights(a_and_b, role, assigned, expected):
    vendor_a, vendor_b = a_and_b
    user = UserFactory(role=role)
    if assigned:
        AssignmentFactory(user=user, vendor=vendor_a)
    answers = {"all": {vendor_a, vendor_b}, "a": {vendor_a}, "none": set()}
    for action, scope in expected.items():
        assert set(access.vendors(user, Action(action))) == answers[scope], action


def test_vendor_user_sees_and_requests_staffing_for_their_vendor_only(alice, vendor_a,
                                                                      vendor_b):
    assert list(access.vendors(alice)) == [vendor_a]
    assert access.may(alice, Action.REQUEST_STAFFING, vendor_a)
    assert not access.may(alice, Action.REQUEST_STAFFING, vendor_b)
    assert not access.may(alice, Action.EDIT, vendor_a)


def test_restrict_scopes_records_by_their_vendor(alice, vendor_a, vendor_b):
    mine = ContactFactory(vendor=vendor_a)
    ContactFactory(vendor=vendor_b)
    assert list(access.restrict(Contact.objects.all(), alice)) == [mine]
    assert access.may(alice, Action.VIEW, mine)


def test_nobody_signed_out_or_deactivated_sees_anything(vendor_a, vendor_manager):
    assert list(access.vendors(AnonymousUser())) == []
    vendor_manager.is_active = False
    assert list(access.vendors(vendor_manager)) == []


def test_superusers_see_and_manage_everything(vendor_a):
    admin = UserFactory(role=Role.STAKEHOLDER, is_superuser=True)
    assert access.may(admin, Action.MANAGE, vendor_a) and access.may_create_vendor(admin)


def test_only_portfolio_managers_create_vendors(vendor_manager, executive, line_manager):
    assert access.may_create_vendor(vendor_manager)
    assert not access.may_create_vendor(executive)
    assert not access.may_create_vendor(line_manager)


def test_a_model_without_a_vendor_path_cannot_be_scoped_by_accident(alice):
    from accounts.models import ApiToken
    with pytest.raises(TypeError):
        access.restrict(ApiToken.objects.all(), alice)


def test_scoping_costs_one_query_however_many_vendors(line_manager, django_assert_num_queries):
    for _ in range(20):
        AssignmentFactory(user=line_manager, vendor=VendorFactory())
    line_manager = type(line_manager).objects.get(pk=line_manager.pk)
    with django_assert_num_queries(3):  # the assignments once, then one per scoped list
        assert len(list(access.vendors(line_manager))) == 21
        assert len(list(access.restrict(Contact.objects.all(), line_manager))) == 0
