"""Governance records for tests, made through the services so they obey the same rules."""

import datetime

from django.utils import timezone

from governance import services
from governance.choices import (
    ImpedimentKind,
    ResponsibleSide,
    Severity,
    SuggestionCategory,
    Tier,
)
from tests.factories import ContactFactory


def weekly_cadence(vendor, *, by=None, title="Weekly review", weekday=None,
                   at=datetime.time(10, 0), time_zone="Europe/London", ours=(), theirs=(),
                   **fields):
    """A weekly cadence whose meetings start from today (or `starts_on`)."""
    return services.cadence_create(
        vendor=vendor, by=by, tier=Tier.WEEKLY, title=title,
        weekday=timezone.localdate().weekday() if weekday is None else weekday,
        start_time=at, time_zone=time_zone, our_participants=list(ours),
        vendor_participants=list(theirs), **fields)


def monthly_cadence(vendor, *, day_of_month=10, at=datetime.time(14, 0), **fields):
    return services.cadence_create(vendor=vendor, tier=Tier.MONTHLY, day_of_month=day_of_month,
                                   start_time=at, time_zone="Europe/London", **fields)


def quarterly_cadence(vendor, *, day_of_month=20, quarter_month=1, **fields):
    return services.cadence_create(vendor=vendor, tier=Tier.QUARTERLY,
                                   day_of_month=day_of_month, quarter_month=quarter_month,
                                   start_time=datetime.time(14, 0), time_zone="Europe/London",
                                   **fields)


def action_item(vendor, *, owner=None, meeting=None, title="Send the capacity plan",
                due_on=None, by=None, **fields):
    owner = owner or ContactFactory(vendor=vendor)
    key = "owner_contact" if owner.__class__.__name__ == "Contact" else "owner_user"
    return services.action_item_create(
        vendor=vendor, by=by, title=title, meeting=meeting,
        due_on=due_on or timezone.localdate() + datetime.timedelta(days=7),
        **{key: owner}, **fields)


def impediment(vendor, *, by=None, title="Change approvals take two weeks",
               kind=ImpedimentKind.PROCESS, severity=Severity.HIGH,
               responsible_side=ResponsibleSide.VENDOR, **fields):
    return services.impediment_raise(vendor=vendor, by=by, title=title, kind=kind,
                                     severity=severity, responsible_side=responsible_side,
                                     **fields)


def suggestion(vendor, *, by=None, title="Automate patch reporting",
               category=SuggestionCategory.PROCESS, side="vendor", **fields):
    return services.suggestion_submit(vendor=vendor, by=by, title=title,
                                      description="Replace the monthly spreadsheet.",
                                      category=category, side=side, **fields)


