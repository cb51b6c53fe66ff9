"""The dashboards in a real browser: the line manager's overdue item, a heat-map cell turning
red after a breach, the quarterly pack's PDF download; and screenshots of every dashboard on
the demo portfolio, kept under var/screenshots/ (git-ignored; docs/screenshots/ holds small
copies for the README)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from dashboards import quarters, services
from dashboards.models import PackJob
from sla.rules import add_months, month_start
from tests.dashboards.data import breach, filled_vendor, owner_item
from tests.sla.factories import service_level
from vendors.demo import DEMO_PASSWORD
from vendors.models import Vendor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_the_line_managers_home_shows_an_overdue_action_item(page, live_server, sign_in,
                                                             line_manager, vendor_a,
                                                             console_errors):
    owner_item(vendor_a, line_manager, days_overdue=3, title="Send the exit plan")
    sign_in("liam")
    page.goto(f"{live_server.url}/")
    items = page.locator("#my-action-items")
    expect(items).to_contain_text("Send the exit plan")
    expect(items).to_contain_text("overdue by 3 days")
    items.get_by_role("link", name="Acme Outsourcing · Send the exit plan").click()
    expect(page).to_have_url(f"{live_server.url}/vendors/{vendor_a.slug}/items/#action-items")
    assert console_errors == []


def test_a_heat_map_cell_turns_red_after_a_breach_is_recorded(page, live_server, sign_in,
                                                              executive, vendor_a,
                                                              console_errors):
    sl = service_level(vendor_a, name="Uptime")
    last_month = add_months(month_start(timezone.localdate()), -1)
    breach(sl, last_month, value="99.9")  # met, for now
    sign_in("erin")
    page.goto(f"{live_server.url}/")
    cell = page.locator(f'#heat-map tr[data-vendor="{vendor_a.slug}"] td[data-cell="sla"]')
    expect(cell).to_contain_text("Met")
    expect(cell).not_to_have_class("heat bg-danger-subtle")

    breach(sl, last_month, value="97.5")  # a corrected figure, under the breach threshold
    page.reload()
    expect(cell).to_have_class("heat bg-danger-subtle")
    expect(cell).to_contain_text("1 breached")
    assert console_errors == []


def test_the_pack_downloads_as_a_pdf_whose_first_page_names_the_vendor_and_quarter(
        page, live_server, sign_in, executive, console_errors):
    vendor = filled_vendor(1)
    quarter = quarters.last_complete(timezone.localdate())
    sign_in("erin")
    page.goto(f"{live_server.url}/vendors/{vendor.slug}/pack/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(quarter.label)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    first = PdfReader(download.value.path()).pages[0].extract_text().replace("\n", " ")
    assert vendor.name in first and quarter.label in first
    assert console_errors == []


def test_the_portfolio_pack_shows_its_progress_and_a_link_when_ready(page, live_server, sign_in,
                                                                     executive, vendor_a,
                                                                     tmp_path, settings):
    """The worker's part runs here (`services.pack_job_run`); the page polls by itself."""
    settings.MEDIA_ROOT = tmp_path
    sign_in("erin")
    page.goto(f"{live_server.url}/reports/packs/")
    page.get_by_role("button", name="Produce the pack").click()
    expect(page.locator("#pack-progress")).to_contain_text("0 of 1 vendor done")
    services.pack_job_run(PackJob.objects.get().pk)
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=10_000)


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_screenshots_of_every_dashboard_on_the_demo_portfolio(page, live_server, demo,
                                                             console_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    vendor = Vendor.objects.filter(assignments__user__username="liam").order_by("name").first()

    def sign_in(username):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    for username, name, heading in (("erin", "home-executive", "The portfolio at a glance"),
                                    ("liam", "home-line-manager", "Good to see you"),
                                    ("olga", "home-operations", "Good to see you"),
                                    ("alice", "home-vendor-user", "what is open on your side")):
        sign_in(username)
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        _shot(page, name)
    sign_in("liam")
    page.goto(f"{live_server.url}/vendors/{vendor.slug}/")
    expect(page.get_by_role("heading", name="Status across the relationship")).to_be_visible()
    _shot(page, "vendor-360")
    page.goto(f"{live_server.url}/vendors/{vendor.slug}/pack/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(vendor.name)
    _shot(page, "quarterly-pack")
    assert console_errors == []
    assert all((SCREENSHOTS / f"{n}.png").stat().st_size > 10_000 for n in (
        "home-executive", "home-line-manager", "home-operations", "home-vendor-user",
        "vendor-360", "quarterly-pack"))

