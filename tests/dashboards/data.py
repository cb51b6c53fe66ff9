"""A vendor with something in every app the dashboards read: a scorecard with actuals, an
SLA with a breached and a missing window, governance items, a closed health check. Made
through each app's services, as a user would."""

import datetime
from decimal import Decimal

from django.utils import timezone

from healthchecks import services as hc_services
from scorecards import services as sc_services
from scorecards.models import Period
from sla import services as sla_services
from sla.rules import add_months, month_start
from tests.factories import AssignmentFactory, ContactFactory, ContractFactory, VendorFactory
from tests.governance.factories import action_item, impediment, suggestion
from tests.healthchecks.factories import with_results
from tests.scorecards.factories import make_scorecard, measure
from tests.sla.factories import clock, measurement, service_level

D = Decimal


def breach(sl, month: datetime.date, value="98") -> None:
    """A measurement for `month`'s window (by default under the breach threshold),
    evaluated."""
    measurement(sl, month, value)
    sla_services.evaluate_pending(service_level_ids=[sl.pk])


def filled_vendor(n: int, *, people=(), template=None, tag="V"):
    """Vendor number `n` with data in every app; `people` are assigned to it."""
    today = timezone.localdate()
    vendor = VendorFactory(name=f"{tag} vendor {n:03d}", slug=f"{tag.lower()}-vendor-{n:03d}")
    for person in people:
        AssignmentFactory(vendor=vendor, user=person)
    ContractFactory(vendor=vendor, reference=f"{tag}-{n}-MSA",
                    end_date=today + datetime.timedelta(days=400))
    contact = ContactFactory(vendor=vendor, name=f"{tag} contact {n}")
    # scorecard: two ended quarters with actuals
    card = make_scorecard(vendor, template=template, quarters=2)
    for p in Period.objects.filter(scorecard=card, ends_on__lt=today):
        for name, value in (("Availability", "99.95"), ("Resolution", "85")):
            sc_services.actual_record(measure=measure(vendor, name), period=p, by=None,
                                      internal_value=D(value), comment="As measured.",
                                      submit=True)
    # SLA: last month breached, the month before without data
    sl = service_level(vendor, name=f"Uptime {n}")
    last_month = add_months(month_start(today), -1)
    breach(sl, last_month)
    # governance
    action_item(vendor, owner=contact, title=f"Vendor side item {n}")
    impediment(vendor, title=f"Impediment {n}")
    suggestion(vendor, title=f"Idea {n}", estimated_value=D("1000"))
    # health check closed with results
    cycle = with_results(vendor, ours={"trust": 4}, theirs={"trust": 3})
    hc_services.cycle_move(cycle, to="closed", reason="Results are enough for the test.")
    return vendor


def owner_item(vendor, owner, *, days_overdue: int, title: str):
    """An action item of `owner`, agreed earlier and now `days_overdue` days late."""
    due = timezone.localdate() - datetime.timedelta(days=days_overdue)
    with clock(due - datetime.timedelta(days=7)):
        return action_item(vendor, owner=owner, title=title, by=owner, due_on=due)

