"""Two tabs, or a double click: "dispute this actual" posted twice at once, for real (two
threads, two connections to PostgreSQL). One open dispute; the other request hears why."""

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from scorecards import services
from scorecards.models import Dispute
from tests.concurrency import page_text, post_at_once
from tests.scorecards.factories import make_scorecard, measure, period

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_disputing_an_actual_twice_at_once_opens_one_dispute(vendor_a, alice, line_manager,
                                                             vendor_manager):
    make_scorecard(vendor_a, by=vendor_manager)
    actuals = [services.actual_approve(services.actual_record(
        measure=measure(vendor_a, "Resolution"), period=period(vendor_a, n), by=line_manager,
        internal_value=D(86), comment="Backlog", submit=True), by=line_manager)
        for n in (1, 2, 3)]
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(alice)
        clients.append(client)
    for actual in actuals:  # a few rounds, so a lucky interleaving cannot hide a race
        outcomes = post_at_once(
            clients, reverse("scorecards:dispute_create", args=[vendor_a.slug, actual.pk]),
            {"reason": "Tickets on hold waiting for you; should be 91."})
        assert [o.error for o in outcomes] == [None, None]
        assert [o.value.status_code for o in outcomes] == [200, 200]
        said = [page_text(o.value) for o in outcomes]
        assert sum("Dispute raised on" in s for s in said) == 1
        assert sum("already has an open dispute" in s for s in said) == 1
        assert Dispute.objects.filter(actual=actual).count() == 1
