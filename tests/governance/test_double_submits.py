"""Two tabs, or a double click: the same governance form posted twice at once, for real
(two threads, two connections to PostgreSQL). One wins; the other hears why; nothing is
written twice."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import Escalation, Impediment, Meeting
from tests.concurrency import at_once, page_text, post_at_once
from tests.governance.factories import impediment, weekly_cadence

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def url(name, *args):
    return reverse(f"governance:{name}", args=args)


def clients_of(user, n=2):
    clients = []
    for _ in range(n):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_marking_a_meeting_held_twice_at_once_holds_it_once(vendor_a, line_manager, clock):
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with clock(midnight):
        meeting = weekly_cadence(vendor_a, ours=[line_manager],
                                 at=dt.time(0, 5)).meetings.first()
    outcomes = post_at_once(clients_of(line_manager),
                            url("meeting_hold", vendor_a.slug, meeting.pk))
    assert [o.error for o in outcomes] == [None, None]
    assert [o.value.status_code for o in outcomes] == [200, 200]
    said = [page_text(o.value) for o in outcomes]
    assert sum("Meeting marked held" in s for s in said) == 1
    assert sum("cannot be marked held again" in s for s in said) == 1
    held = Meeting.objects.get(pk=meeting.pk)
    assert held.is_held
    # Held once: one "Held" step in its history, so the frozen agenda was not overwritten.
    assert [h.history_change_reason for h in held.history.all()].count("Held") == 1


def test_escalating_an_impediment_twice_at_once_escalates_it_once(vendor_a, line_manager):
    form = {"level": 1, "to": f"u{line_manager.pk}", "note": "Please chase IT."}
    clients = clients_of(line_manager)
    for round_ in range(4):  # a few rounds, so a lucky interleaving cannot hide a race
        blocker = impediment(vendor_a, by=line_manager, title=f"Blocked {round_}")
        outcomes = post_at_once(clients, url("impediment_escalate", vendor_a.slug, blocker.pk),
                                form)
        assert [o.error for o in outcomes] == [None, None]
        assert [o.value.status_code for o in outcomes] == [200, 200]
        said = [page_text(o.value) for o in outcomes]
        assert sum("Escalated." in s for s in said) == 1
        assert sum("already at step 1" in s for s in said) == 1
        assert Escalation.objects.filter(impediment=blocker).count() == 1
        assert Impediment.objects.get(pk=blocker.pk).escalation_level == 1


def test_the_same_escalation_sent_twice_at_once_through_the_api_is_taken_once(
        vendor_a, line_manager, token_client):
    clients = [token_client(line_manager) for _ in range(2)]
    for round_ in range(6):  # a few rounds, so a lucky interleaving cannot hide a race
        blocker = impediment(vendor_a, by=line_manager, title=f"Blocked {round_}")
        path = reverse("impediment-escalate", args=[blocker.pk])
        outcomes = at_once(*[(lambda c=c, p=path: c.post(p, {"level": 1, "note": "Chase IT"},
                                                         format="json")) for c in clients])
        assert [o.error for o in outcomes] == [None, None]
        assert sorted(o.value.status_code for o in outcomes) == [201, 409]
        assert Escalation.objects.filter(impediment=blocker).count() == 1
