"""Each role's home answers "where do I act?" with its own blocks, scoped to what the person
sees; the vendor 360 is on the vendor's Overview tab."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sla.rules import add_months, month_start
from tests.dashboards.data import breach, filled_vendor, owner_item
from tests.factories import AssignmentFactory, UserFactory
from tests.governance.factories import action_item
from tests.sla.factories import service_level
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_line_managers_home_lists_my_overdue_action_items_first_and_not_others(
        client, line_manager, vendor_a, vendor_b):
    owner_item(vendor_a, line_manager, days_overdue=1, title="Late by a day")
    owner_item(vendor_a, line_manager, days_overdue=9, title="Late by nine days")
    AssignmentFactory(vendor=vendor_a, user=(other := UserFactory(role=Role.LINE_MANAGER)))
    action_item(vendor_a, owner=other, title="Someone else's")
    page = _home(client, line_manager)
    assert "overdue by 9 days" in page and "overdue by 1 day<" in page
    assert page.index("Late by nine days") < page.index("Late by a day")
    assert "Someone else&#x27;s" not in page and "Someone else's" not in page
    assert "My vendors" in page and vendor_a.name in page and vendor_b.name not in page


def test_line_managers_home_shows_this_months_breaches_of_my_vendors_only(
        client, line_manager, vendor_a, vendor_b):
    today = timezone.localdate()
    mine, other = service_level(vendor_a, name="Mine uptime"), service_level(
        vendor_b, name="Other uptime")
    last = add_months(month_start(today), -1)
    breach(mine, last)
    breach(other, last)
    page = _home(client, line_manager)
    # Last month's window closed last month: it is vendor A's SLA status (and its corrective
    # action), not a breach of this month.
    assert "1 breached" in page and "Mine uptime breached in" in page
    assert "Other uptime" not in page
    assert "No breach in a window closed this month." in page


def test_executives_home_is_the_portfolio_heat_map_with_trends_and_pipeline(
        client, executive, vendor_a, vendor_b):
    filled_vendor(1)
    page = _home(client, executive)
    assert "Heat map" in page and 'id="heat-map"' in page
    assert "V vendor 001" in page and vendor_a.name in page and vendor_b.name in page
    assert "1 breached" in page  # its SLA cell: last month's breach
    assert "Customer / service quality" in page  # a perspective column
    assert "Innovation pipeline" in page and "EUR 1,000" in page
    assert "<svg" in page and "SLA compliance" in page
    assert "Periodic job problems" not in page


def test_heat_map_filters_by_name_and_pages_through_many_vendors(client, executive):
    from dashboards.selectors import HEAT_MAP_PAGE
    from tests.factories import VendorFactory
    for n in range(3 * HEAT_MAP_PAGE):
        VendorFactory(name=f"Many {n:02d}", slug=f"many-{n:02d}")
    last = f"Many {3 * HEAT_MAP_PAGE - 1:02d}"
    client.force_login(executive)
    first = client.get(reverse("home")).content.decode()
    assert "Many 00" in first and last not in first and "Page 1 of 3" in first
    third = client.get(reverse("home"), {"page": 3}).content.decode()
    assert last in third
    found = client.get(reverse("home"), {"q": "many 17"}).content.decode()
    assert "Many 17" in found and "Many 16" not in found


def test_only_red_keeps_the_vendors_with_a_red_cell(client, executive, vendor_a, vendor_b):
    breach(service_level(vendor_a, name="Red one"), add_months(
        month_start(timezone.localdate()), -1))
    client.force_login(executive)
    page = client.get(reverse("home"), {"red": "1"}).content.decode()
    assert vendor_a.name in page and vendor_b.name not in page


def test_operations_home_shows_windows_closing_disputes_and_actions_to_verify(client, vendor_a):
    olga = UserFactory(username="olga", role=Role.OPERATIONS)
    AssignmentFactory(user=olga, vendor=vendor_a)
    service_level(vendor_a, name="Weekly uptime", window="weekly")
    page = _home(client, olga)
    assert "Windows closing this week" in page and "Weekly uptime" in page
    assert "no measurement yet" in page
    assert "Disputes awaiting a decision" in page
    assert "Corrective actions awaiting verification" in page


def test_vendor_managers_keep_the_job_problems_and_renewals(client, vendor_manager, vendor_a):
    from tests.factories import ContractFactory
    from vendorgov.models import JobFailure
    JobFailure.objects.create(job="Plan review meetings ahead", record_type="x.y", record_id=1,
                              error="boom")
    ContractFactory(vendor=vendor_a, reference="RENEW-1",
                    end_date=timezone.localdate() + datetime.timedelta(days=60),
                    renewal_notice_days=30)
    page = _home(client, vendor_manager)
    assert "Periodic job problems" in page and "Heat map" in page and "RENEW-1" in page


def test_vendor_users_home_shows_their_sides_open_items_only(client, alice, vendor_a, vendor_b):
    action_item(vendor_a, title="Ours to send")
    action_item(vendor_b, title="Borealis secret item")
    AssignmentFactory(vendor=vendor_a, user=(ours := UserFactory(role=Role.LINE_MANAGER)))
    action_item(vendor_a, owner=ours, title="Our side's item")
    page = _home(client, alice)
    assert "Ours to send" in page
    assert "Borealis" not in page and "Our side&#x27;s item" not in page


def test_stakeholders_get_the_line_view_of_their_vendors(client, vendor_a, vendor_b):
    sam = UserFactory(username="sam", role=Role.STAKEHOLDER)
    AssignmentFactory(user=sam, vendor=vendor_a)
    page = _home(client, sam)
    assert "My vendors" in page and vendor_a.name in page and vendor_b.name not in page


def test_the_overview_tab_is_the_vendor_360(client, line_manager, vendor_a):
    filled_vendor(1, people=[line_manager])
    client.force_login(line_manager)
    page = client.get(reverse("vendors:detail", args=["v-vendor-001"])).content.decode()
    assert "Status across the relationship" in page
    assert "Open on the vendor's side" in page and "Vendor side item 1" in page
    assert "Impediment: Impediment 1" in page
    assert "1 breached" in page  # SLA status
    assert "Weekly review" not in page or "last" in page  # reviews per tier
    assert "V contact 1" in page and str(line_manager) in page  # people on both sides
    assert "V-1-MSA" in page  # contract and renewal
    assert "Quarterly review pack" in page


def test_vendor_users_360_has_no_pack_link(client, alice, vendor_a):
    client.force_login(alice)
    page = client.get(reverse("vendors:detail", args=[vendor_a.slug])).content.decode()
    assert "Status across the relationship" in page
    assert reverse("dashboards:pack", args=[vendor_a.slug]) not in page


def test_an_archived_vendors_overview_still_opens_without_figures(client, vendor_manager,
                                                                   vendor_a):
    from vendors import services
    services.record_archive(vendor_a, by=vendor_manager)
    client.force_login(vendor_manager)
    response = client.get(reverse("vendors:detail", args=[vendor_a.slug]))
    assert response.status_code == 200
    assert "No closed health check with results yet." in response.content.decode()


def test_executives_home_lists_the_first_quarterly_reviews_in_date_order_and_counts_the_rest(
        client, executive, vendor_a):
    """Read with LIMIT in SQL, the count riding along (a thousand vendors have a thousand
    reviews in three months); the rest are one link away."""
    from dashboards import selectors
    from governance import selectors as governance
    from governance.choices import MeetingStatus, Tier
    from tests.signs.factories import cadence, meeting
    quarterly = cadence(vendor_a, Tier.QUARTERLY)
    today = timezone.localdate()
    for n in range(22, 0, -1):  # created latest first: the order is by date, not by insertion
        meeting(vendor_a, quarterly, today + datetime.timedelta(days=n),
                status=MeetingStatus.SCHEDULED, title=f"Review {n:02d}")
    now = timezone.now()
    first = governance.meetings_between(executive, now, now + datetime.timedelta(days=92),
                                        tier="quarterly", limit=selectors.HOME_ROWS)
    assert [m.title for m in first] == [f"Review {n:02d}" for n in range(1, 11)]
    reviews = selectors.exec_home(executive).reviews
    assert [m.title for m in reviews] == [m.title for m in first]
    assert (reviews.total, reviews.more) == (22, 12)
    page = _home(client, executive)
    assert "and 12 more" in page and "all 22 on the reviews portfolio" in page
    assert "Review 10" in page and "Review 11" not in page


def test_renewals_block_lists_contracts_whose_notice_falls_due_within_the_horizon(
        vendor_manager, vendor_a):
    """The notice date (end date less the notice days) is compared in SQL on PostgreSQL and
    in Python elsewhere: same contracts, soonest notice first."""
    from dashboards import selectors
    from tests.factories import ContractFactory
    from vendors.selectors import RENEWAL_HORIZON
    today = timezone.localdate()
    days = datetime.timedelta

    def contract(reference, ends_in, notice):
        ContractFactory(vendor=vendor_a, reference=reference, end_date=today + days(ends_in),
                        renewal_notice_days=notice)
    horizon = RENEWAL_HORIZON.days
    contract("EDGE", horizon + 30, 30)  # notice exactly on the horizon's last day
    contract("PAST-EDGE", horizon + 31, 30)  # a day later: not yet
    contract("OVERDUE", 10, 60)  # notice date passed, contract still running
    contract("ENDED", -1, 30)  # already ended: nothing to decide
    contract("LONG-NOTICE", 400, 400 - 5)  # a long notice period, due in five days
    shown = [c.reference for c in selectors.foundation_blocks(vendor_manager).renewals]
    assert shown == ["OVERDUE", "LONG-NOTICE", "EDGE"]


# -- at 1,000 vendors: each block its first rows, the rest counted and one link away --------


def _scored(vendor, *, earlier: str, later: str):
    """The vendor's stored overall status of its last two ended periods (what the scoring
    job keeps; the homes read it, never score)."""
    from scorecards.models import ScoredPeriod
    from tests.scorecards.factories import label_of
    ScoredPeriod.objects.filter(vendor=vendor, label=label_of(2)).update(status=earlier)
    ScoredPeriod.objects.filter(vendor=vendor, label=label_of(1)).update(status=later)


def test_executives_status_changes_show_the_first_ten_turned_red_first_and_count_the_rest(
        client, executive):
    from dashboards.selectors import HOME_ROWS
    from scorecards.services import period_scores_refresh
    from tests.factories import VendorFactory
    from tests.scorecards.factories import make_scorecard
    template = None
    turned = {"red": 4, "amber": 4, "no_data": 4}
    vendors = {}
    for status, count in turned.items():
        for n in range(count):
            vendor = VendorFactory(name=f"{status} {n}", slug=f"{status.replace('_', '-')}-{n}")
            card = make_scorecard(vendor, template=template)
            template = card.template
            vendors[vendor] = status
    still = VendorFactory(name="Still green", slug="still-green")
    make_scorecard(still, template=template)
    period_scores_refresh()
    for vendor, status in vendors.items():
        _scored(vendor, earlier="green", later=status)
    _scored(still, earlier="green", later="green")
    from dashboards import selectors
    home = selectors.exec_home(executive)
    assert (home.changed.total, home.changed.more) == (12, 12 - HOME_ROWS)
    assert [c.name for c in home.changed] == (
        [f"red {n}" for n in range(4)] + [f"amber {n}" for n in range(4)]
        + ["no_data 0", "no_data 1"])
    assert {(c.before, c.after) for c in home.changed} == {
        ("green", "red"), ("green", "amber"), ("green", "no_data")}
    page = _home(client, executive)
    assert "12 vendors changed, those turned red first" in page
    assert "and 2 more" in page and "all 12 on the scorecard heat map" in page
    assert "no_data 3" not in page.split('id="changed-h"')[1].split("</section>")[0]


def test_heat_map_shows_vendors_with_a_red_scorecard_first(client, executive):
    from scorecards.services import period_scores_refresh
    from tests.factories import VendorFactory
    from tests.scorecards.factories import make_scorecard
    template = None
    for n in range(12):
        vendor = VendorFactory(name=f"Alpha {n:02d}", slug=f"alpha-{n:02d}")
        template = make_scorecard(vendor, template=template).template
    zed = VendorFactory(name="Zed red", slug="zed-red")
    make_scorecard(zed, template=template)
    period_scores_refresh()
    _scored(zed, earlier="green", later="red")
    page = _home(client, executive)
    heat_map = page.split('id="heat-map"')[1].split("</table>")[0]
    assert heat_map.index("Zed red") < heat_map.index("Alpha 00")
    assert "Alpha 09" not in heat_map  # ten a page: the red one, then nine by name
    assert "Page 1 of 2" in page


def test_line_managers_lists_show_ten_most_overdue_and_say_how_many_more(
        client, line_manager, vendor_a):
    for n in range(12):
        owner_item(vendor_a, line_manager, days_overdue=n + 1, title=f"Late item {n + 1:02d}")
    page = _home(client, line_manager)
    assert "12 overdue action items" in page  # the count at the top is over all of them
    items = page.split('id="my-action-items"')[1].split("</ul>")[0]
    assert "Late item 12" in items and "Late item 03" in items
    assert "Late item 02" not in items and "Late item 01" not in items
    assert "and 2 more" in items and reverse("governance:my_work") in items
    assert "all 12 on My work" in items


def test_operations_windows_closing_show_the_first_ten_and_count_the_rest(client, vendor_a):
    olga = UserFactory(username="olga", role=Role.OPERATIONS)
    AssignmentFactory(user=olga, vendor=vendor_a)
    for n in range(12):
        service_level(vendor_a, name=f"Weekly level {n:02d}", window="weekly")
    page = _home(client, olga)
    closing = page.split('id="closing-h"')[1].split("</section>")[0]
    assert closing.count("Weekly level") == 10
    assert "and 2 more" in closing and "all 12 on" in closing
