"""The Django admin shows SLA evaluations read-only: they are computed, not typed."""

from datetime import date

import pytest
from django.urls import reverse

from sla.models import Evaluation
from tests.factories import UserFactory
from tests.sla.factories import service_level
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db


def test_evaluations_are_read_only_in_the_admin(client, vendor_a):
    sl = service_level(vendor_a)
    evaluation = Evaluation.objects.create(
        vendor=vendor_a, sla=sl.version.sla, service_level=sl, window_start=date(2025, 3, 1),
        window_end=date(2025, 3, 31), status="breached", value="98")
    admin = UserFactory(username="root", role=Role.VENDOR_MANAGER, is_staff=True,
                        is_superuser=True)
    client.force_login(admin)
    change = reverse("admin:sla_evaluation_change", args=[evaluation.pk])
    page = client.get(change)
    assert page.status_code == 200  # it can be read …
    assert 'name="_save"' not in page.content.decode()  # … but not saved
    assert client.post(change, {"status": "met", "value": "99.9"}).status_code == 403
    assert client.get(reverse("admin:sla_evaluation_add")).status_code == 403
    evaluation.refresh_from_db()
    assert (evaluation.status, str(evaluation.value)) == ("breached", "98.0000")
    assert client.get(reverse("admin:sla_evaluation_changelist")).status_code == 200
