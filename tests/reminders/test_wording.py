"""Reminder emails say whether a thing is coming due or already late, and count in the
singular when there is one (`templates/emails/reminders/`)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from reminders.emails import render
from reminders.models import Reminder

ZONE = ZoneInfo("Europe/Amsterdam")


def _render(kind: str, context: dict) -> tuple[str, str, str]:
    row = Reminder(kind=kind, occasion="x", recipient_key="user:1", name="Vera",
                   email="vera@example.com", url="/",
                   due_at=datetime.datetime(2026, 11, 15, 8, tzinfo=datetime.UTC),
                   context=context)
    subject, text, html, _ = render(row, zone=ZONE)
    return subject, text, html


def _check(**context) -> dict:
    return {"vendor": "Acme", "due_on": "Mon 16 Nov 2026", "interval_months": 6, **context}


def _review(**context) -> dict:
    return {"sla": "Service desk", "vendor": "Acme", "review_due_on": "Mon 16 Nov 2026",
            "interval_months": 12, **context}


@pytest.mark.parametrize(("kind", "context", "subject", "sentence"), [
    ("healthchecks.health_check_due", _check(overdue_days=0),
     "Health check due Mon 16 Nov 2026: Acme", "is due on Mon 16 Nov 2026 (every"),
    ("healthchecks.health_check_due", _check(overdue_days=1),
     "Health check overdue since Mon 16 Nov 2026: Acme",
     "was due on Mon 16 Nov 2026 (1 day ago)"),
    ("healthchecks.health_check_due", _check(overdue_days=20),
     "Health check overdue since Mon 16 Nov 2026: Acme",
     "was due on Mon 16 Nov 2026 (20 days ago)"),
    ("sla.review_due", _review(days_overdue=0),
     "SLA review due Mon 16 Nov 2026: Service desk",
     "is due for its review on Mon 16 Nov 2026. It"),
    ("sla.review_due", _review(days_overdue=3),
     "SLA review overdue since Mon 16 Nov 2026: Service desk",
     "was due for its review on Mon 16 Nov 2026 (3 days ago)"),
])
def test_a_late_check_or_review_is_called_overdue_not_due(kind, context, subject, sentence):
    got_subject, text, html, = _render(kind, context)
    assert got_subject == subject
    assert sentence in text
    assert sentence.replace("Mon 16 Nov 2026", "<strong>Mon 16 Nov 2026</strong>") in html


@pytest.mark.parametrize("kind", ["governance.action_item_escalation",
                                  "sla.corrective_action_escalation"])
def test_one_day_overdue_is_singular(kind):
    subject, _, _ = _render(kind, {"title": "Fix backups", "days_overdue": 1})
    assert subject == "Escalated: Fix backups (1 day overdue)"
