"""How a scorecard period gets locked, as the README tells it: a vendor manager locks it once
its quarterly review is held; holding the review does not lock it by itself."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from governance import services as governance_services
from tests.governance.conftest import clock  # noqa: F401 - the fixture
from tests.governance.factories import quarterly_cadence
from tests.scorecards.factories import make_scorecard, period

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def test_the_readme_says_how_a_period_is_locked_and_that_is_how_it_locks(
        client, vendor_a, vendor_manager, clock):  # noqa: F811 - the imported fixture
    readme = " ".join(Path(settings.BASE_DIR, "README.md").read_text().split())
    assert "locked when their quarterly review is held" not in readme
    assert re.search(r"which a vendor manager locks once their quarterly review is held "
                     r"\(\"Lock\" on the period", readme)
    assert "holding the review does not lock it by itself" in readme

    with clock(dt.datetime(2027, 1, 19, 9, tzinfo=LONDON)):
        cadence = quarterly_cadence(vendor_a)  # day 20 of the quarter's first month
    with clock(dt.datetime(2027, 1, 20, 16, tzinfo=LONDON)):
        make_scorecard(vendor_a, by=vendor_manager)
        review = cadence.meetings.get(period="2027-Q1")
        governance_services.meeting_hold(review, by=vendor_manager)
        last_quarter = period(vendor_a, 1)
        assert last_quarter.label == "2026-Q4" and not last_quarter.is_locked
        client.force_login(vendor_manager)
        tab = client.get(reverse("scorecards:vendor", args=[vendor_a.slug]),
                         {"period": "2026-Q4"}).content.decode()
        assert "Lock 2026-Q4" in tab
        client.post(reverse("scorecards:period_lock", args=[vendor_a.slug, last_quarter.pk]),
                    {"note": "Reviewed on 20 Jan"})
    last_quarter.refresh_from_db()
    assert last_quarter.is_locked and last_quarter.lock_note == "Reviewed on 20 Jan"
