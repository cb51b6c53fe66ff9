"""Nothing is deleted through the Django admin: every registered model, and every inline,
refuses deletion, and the "delete selected" action is gone. Only Django's permission groups
and django-axes' sign-in records (deleting one unlocks a person) may be deleted."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from tests.factories import UserFactory
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db

DELETABLE = {"auth.group", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


@pytest.fixture
def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="root", role=Role.VENDOR_MANAGER, is_staff=True,
                               is_superuser=True)
    return request


def test_no_registered_model_can_be_deleted_in_the_admin(superuser_request):
    deletable = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower in DELETABLE:
            continue
        inlines = model_admin.get_inline_instances(superuser_request)
        if (model_admin.has_delete_permission(superuser_request)
                or "delete_selected" in model_admin.get_actions(superuser_request)
                or any(i.has_delete_permission(superuser_request) for i in inlines)):
            deletable.append(model._meta.label)
    assert deletable == [], "archive or deactivate instead of deleting"


def test_deleting_a_person_through_the_admin_is_refused(client, superuser_request):
    person = UserFactory(username="leaver")
    client.force_login(superuser_request.user)
    response = client.post(f"/admin/accounts/user/{person.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.pk is not None
