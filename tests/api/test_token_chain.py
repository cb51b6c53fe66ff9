"""A token created with another token is bound by it: it never outlives its parent, and
revoking the parent revokes it (and whatever was made with it)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


def bearer(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_child_token_expires_with_its_parent_at_the_latest(line_manager):
    parent, raw = ApiTokenFactory.with_raw(line_manager,
                                           expires_at=timezone.now() + timedelta(days=10))
    made = bearer(raw).post("/api/v1/tokens/", {"name": "child"}, format="json")
    assert made.status_code == 201
    child = ApiToken.objects.get(pk=made.json()["id"])
    assert child.parent == parent
    assert child.expires_at == parent.expires_at

    later = (parent.expires_at + timedelta(days=1)).isoformat()
    refused = bearer(raw).post("/api/v1/tokens/", {"name": "longer", "expires_at": later},
                               format="json")
    assert refused.status_code == 400
    assert "cannot outlive it" in refused.json()["expires_at"][0]


def test_revoking_a_parent_revokes_its_children_and_theirs(line_manager):
    _, raw = ApiTokenFactory.with_raw(line_manager)
    child_raw = bearer(raw).post("/api/v1/tokens/", {"name": "child"},
                                 format="json").json()["token"]
    grandchild_raw = bearer(child_raw).post("/api/v1/tokens/", {"name": "grandchild"},
                                            format="json").json()["token"]
    assert bearer(grandchild_raw).get(ME).status_code == 200

    parent = ApiToken.find(raw)
    assert bearer(raw).post(f"/api/v1/tokens/{parent.pk}/revoke/").status_code == 200

    assert bearer(child_raw).get(ME).status_code == 401
    assert bearer(grandchild_raw).get(ME).status_code == 401


def test_a_token_made_on_the_profile_page_has_no_parent(client, line_manager):
    client.force_login(line_manager)
    client.post("/accounts/tokens/new/", {"name": "from the page", "expires_in_days": 30})
    assert ApiToken.objects.get(name="from the page").parent is None
