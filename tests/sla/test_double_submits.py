"""Two tabs, or a double click: "raise a dispute" posted twice at once, for real (two
threads, two connections to PostgreSQL). One dispute; the other request hears why."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from sla import services
from sla.choices import EvaluationStatus, MeasurementSource
from sla.models import Dispute, Evaluation
from tests.concurrency import page_text, post_at_once
from tests.sla.factories import clock, service_level

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TODAY = date(2025, 8, 15)


def test_raising_a_dispute_twice_at_once_raises_one(vendor_a, alice, line_manager):
    sl = service_level(vendor_a, key="avail")
    with clock(TODAY):
        services.measurements_submit(
            [{"service_level": sl.pk, "window_start": f"2025-0{m}-01", "value": 90}
             for m in (3, 4, 5)], by=line_manager, source=MeasurementSource.API,
            vendor_ids=None, evaluate=False)
        services.evaluations_refresh()
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(alice)
        clients.append(client)
    breaches = Evaluation.objects.filter(status=EvaluationStatus.BREACHED)
    assert breaches.count() == 3
    with clock(TODAY):
        for breach in breaches:  # a few rounds, so a lucky interleaving cannot hide a race
            outcomes = post_at_once(
                clients, reverse("sla:dispute_create", args=[vendor_a.slug, breach.pk]),
                {"reason": "The probe was misconfigured"})
            assert [o.error for o in outcomes] == [None, None]
            assert [o.value.status_code for o in outcomes] == [200, 200]
            said = [page_text(o.value) for o in outcomes]
            assert sum("Dispute raised" in s for s in said) == 1
            assert sum("has been disputed already" in s for s in said) == 1
            assert Dispute.objects.filter(evaluation=breach).count() == 1
