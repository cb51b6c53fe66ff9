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


ALL_NONE = {"submit_actuals": "none", "approve_actuals": "none", "dispute_actuals": "none"}


@pytest.mark.parametrize(("role", "assigned", "expected"), [
    (Role.VENDOR_MANAGER, False, {"view": "all", "edit": "all", "manage": "all",
                                  "submit_actuals": "all", "approve_actuals": "all",
                                  "dispute_actuals": "all"}),
    (Role.EXECUTIVE, False, {"view": "all", "edit": "none", "manage": "none", **ALL_NONE}),
    (Role.LINE_MANAGER, True, {"view": "a", "edit": "a", "manage": "none",
                               "submit_actuals": "a", "approve_actuals": "a",
                               "dispute_actuals": "none"}),
    (Role.OPERATIONS, True, {"view": "a", "edit": "a", "manage": "none",
                             "submit_actuals": "a", "approve_actuals": "a",
                             "dispute_actuals": "none"}),
    (Role.STAKEHOLDER, True, {"view": "a", "edit": "none", "manage": "none", **ALL_NONE}),
    (Role.LINE_MANAGER, False, {"view": "none", "edit": "none", "manage": "none",
                                **ALL_NONE}),
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


def test_vendor_user_reports_and_disputes_scorecard_actuals_of_their_vendor_only(
        alice, vendor_a, vendor_b):
    for action in (Action.SUBMIT_ACTUALS, Action.DISPUTE_ACTUALS):
        assert access.may(alice, action, vendor_a)
        assert not access.may(alice, action, vendor_b)
    assert not access.may(alice, Action.APPROVE_ACTUALS, vendor_a)


def test_scorecard_templates_are_kept_by_vendor_managers_and_read_internally(
        vendor_manager, executive, line_manager, alice):
    assert access.may_keep_templates(vendor_manager)
    assert not access.may_keep_templates(executive)
    assert not access.may_keep_templates(line_manager)
    assert access.may_read_templates(executive) and access.may_read_templates(line_manager)
    assert not access.may_read_templates(alice)
    assert not access.may_read_templates(AnonymousUser())


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


@pytest.mark.parametrize(("role", "assigned", "review", "contribute"), [
    (Role.VENDOR_MANAGER, False, "all", "all"),
    (Role.EXECUTIVE, False, "all", "all"),  # executives run the quarterly reviews
    (Role.LINE_MANAGER, True, "a", "a"),
    (Role.OPERATIONS, True, "a", "a"),
    (Role.STAKEHOLDER, True, "none", "none"),
    (Role.VENDOR_USER, None, "none", "a"),
])
def test_who_runs_reviews_and_contributes_to_governance(a_and_b, role, assigned, review,
                                                        contribute):
    vendor_a, vendor_b = a_and_b
    if role == Role.VENDOR_USER:
        user = UserFactory(role=role, vendor=vendor_a)
    else:
        user = UserFactory(role=role)
    if assigned:
        AssignmentFactory(user=user, vendor=vendor_a)
    answers = {"all": {vendor_a, vendor_b}, "a": {vendor_a}, "none": set()}
    assert set(access.vendors(user, Action.REVIEW)) == answers[review]
    assert set(access.vendors(user, Action.CONTRIBUTE)) == answers[contribute]


class SideRecord:
    """A record one side owns (like an action item), for the side rule."""

    vendor_path = "vendor"

    def __init__(self, vendor, side):
        self.vendor_id, self.owner_side = vendor.pk, side


def test_vendor_users_contribute_only_to_what_their_side_owns(alice, line_manager, vendor_a,
                                                              vendor_b):
    theirs, ours = SideRecord(vendor_a, "vendor"), SideRecord(vendor_a, "ours")
    assert access.may(alice, Action.CONTRIBUTE, theirs)
    assert not access.may(alice, Action.CONTRIBUTE, ours)
    assert not access.may(alice, Action.CONTRIBUTE, SideRecord(vendor_b, "vendor"))
    assert access.may(alice, Action.CONTRIBUTE, vendor_a)  # e.g. raising an impediment
    # Our people act for both sides; the rule only narrows vendor users.
    assert access.may(line_manager, Action.CONTRIBUTE, ours)
    assert access.may(line_manager, Action.CONTRIBUTE, theirs)
    assert not access.may(alice, Action.REVIEW, theirs)


@pytest.mark.parametrize(("role", "assigned", "submit", "dispute"), [
    (Role.VENDOR_MANAGER, False, "all", "all"),
    (Role.EXECUTIVE, False, "none", "none"),
    (Role.LINE_MANAGER, True, "a", "none"),
    (Role.OPERATIONS, True, "a", "none"),
    (Role.STAKEHOLDER, True, "none", "none"),
    (Role.VENDOR_USER, None, "a", "a"),
])
def test_who_submits_sla_measurements_and_disputes_evaluations(a_and_b, role, assigned, submit,
                                                               dispute):
    vendor_a, vendor_b = a_and_b
    if role == Role.VENDOR_USER:
        user = UserFactory(role=role, vendor=vendor_a)
    else:
        user = UserFactory(role=role)
    if assigned:
        AssignmentFactory(user=user, vendor=vendor_a)
    answers = {"all": {vendor_a, vendor_b}, "a": {vendor_a}, "none": set()}
    assert set(access.vendors(user, Action.SUBMIT_MEASUREMENTS)) == answers[submit]
    assert set(access.vendors(user, Action.DISPUTE_EVALUATIONS)) == answers[dispute]


def test_a_vendor_user_reports_progress_only_on_corrective_actions_their_side_owns(
        alice, line_manager, vendor_a):
    from sla.models import CorrectiveAction
    theirs = CorrectiveAction(vendor=vendor_a, owner=alice)
    ours = CorrectiveAction(vendor=vendor_a, owner=line_manager)
    progress = Action.PROGRESS_CORRECTIVE_ACTIONS
    assert access.may(alice, progress, theirs)
    assert not access.may(alice, progress, ours)
    assert not access.may(alice, progress, CorrectiveAction(vendor=vendor_a))
    assert access.may(line_manager, progress, theirs)
    assert not access.may(alice, Action.EDIT, theirs)  # verifying stays ours


@pytest.mark.parametrize(("role", "assigned", "progress"), [
    (Role.VENDOR_MANAGER, False, "all"),
    (Role.EXECUTIVE, False, "none"),  # the whole portfolio, read-only
    (Role.LINE_MANAGER, True, "a"),
    (Role.OPERATIONS, True, "a"),
    (Role.STAKEHOLDER, True, "none"),
    (Role.VENDOR_USER, None, "a"),
])
def test_who_reports_progress_on_corrective_actions(a_and_b, role, assigned, progress):
    vendor_a, vendor_b = a_and_b
    user = UserFactory(role=role, **({"vendor": vendor_a} if role == Role.VENDOR_USER else {}))
    if assigned:
        AssignmentFactory(user=user, vendor=vendor_a)
    answers = {"all": {vendor_a, vendor_b}, "a": {vendor_a}, "none": set()}
    assert set(access.vendors(user, Action.PROGRESS_CORRECTIVE_ACTIONS)) == answers[progress]
