"""SLAs in a real browser: the CSV import (preview, commit, and row errors) and the monthly
report."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sla import rules, services
from sla.choices import MeasurementSource, Window
from sla.models import Measurement
from tests.factories import AssignmentFactory, UserFactory
from tests.sla.factories import service_level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def olga(vendor_a):
    user = UserFactory(username="olga", role="operations", first_name="Olga")
    AssignmentFactory(user=user, vendor=vendor_a)
    return user


@pytest.fixture
def sl(vendor_a):
    return service_level(vendor_a, key="avail", name="Availability")


def last_closed_months(n):
    return rules.last_windows(Window.MONTHLY, timezone.localdate() - timedelta(days=1), n)


def csv_file(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("sla,service_level,window_start,value,unit,note\n" + "\n".join(lines) + "\n")
    return path


def test_operations_import_a_csv_preview_it_and_commit_it(page, live_server, sign_in, olga,
                                                          vendor_a, sl, tmp_path,
                                                          console_errors):
    ref = sl.version.sla.reference
    first, second = last_closed_months(2)
    upload = csv_file(tmp_path, "desk.csv", [f"{ref},avail,{first},99.8,%,Monthly report",
                                             f"{ref},avail,{second},98.4,%,Monthly report"])
    sign_in("olga")
    page.goto(f"{live_server.url}/vendors/{vendor_a.slug}/slas/")
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(upload)
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", name="Check before saving: desk.csv")).to_be_visible()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(3)  # header and two rows
    expect(page.get_by_role("table")).to_contain_text("98.4%")
    assert not Measurement.objects.exists()

    page.get_by_role("button", name="Save 2 measurements").click()
    expect(page.get_by_role("status").filter(has_text="Imported")).to_contain_text(
        "Imported 2 measurements from desk.csv")
    expect(page.get_by_role("table").first).to_contain_text("Breached")
    assert Measurement.objects.filter(source="csv").count() == 2
    assert console_errors == []


def test_a_csv_with_bad_rows_shows_each_row_and_saves_nothing(page, live_server, sign_in, olga,
                                                              vendor_a, sl, tmp_path,
                                                              console_errors):
    ref = sl.version.sla.reference
    (closed,) = last_closed_months(1)
    upload = csv_file(tmp_path, "bad.csv", [
        f"{ref},avail,{closed},99.8,%,",
        f"{ref},avail,{closed + timedelta(days=3)},99.1,%,",
        f"{ref},uptime,{closed},99,%,",
        f"{ref},avail,{rules.month_start(timezone.localdate())},99,%,",
        f"{ref},avail,{closed},9 9,%,"])
    sign_in("olga")
    page.goto(f"{live_server.url}/vendors/{vendor_a.slug}/slas/import/")
    page.get_by_label("CSV file").set_input_files(upload)
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved: 4 of 5 rows have "
                                                      "errors.")
    errors = page.get_by_role("table", name="Rows with errors")
    expect(errors.get_by_role("row")).to_have_count(5)
    expect(errors.get_by_role("row", name=re.compile(r"^3 "))).to_contain_text(
        "not the first day of a monthly window")
    expect(errors.get_by_role("row", name=re.compile(r"^4 "))).to_contain_text(
        "No service level 'uptime'")
    expect(errors.get_by_role("row", name=re.compile(r"^5 "))).to_contain_text("has not ended")
    expect(errors.get_by_role("row", name=re.compile(r"^6 "))).to_contain_text(
        "is not a number")
    assert not Measurement.objects.exists()
    assert console_errors == []


def test_the_monthly_report_shows_the_months_status_money_trend_and_prints(
        page, live_server, sign_in, olga, vendor_a, sl, console_errors):
    months = last_closed_months(3)
    services.measurements_submit(
        [{"service_level": sl.pk, "window_start": m.isoformat(), "value": v}
         for m, v in zip(months, (99.9, 99.7, 98.0), strict=True)],
        by=olga, source=MeasurementSource.API, vendor_ids=None, evaluate=False)
    services.evaluations_refresh()
    month = months[-1]

    sign_in("olga")
    page.goto(f"{live_server.url}/vendors/{vendor_a.slug}/slas/")
    page.get_by_role("link", name="Monthly report").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("Monthly SLA report"))
           ).to_have_text(f"Monthly SLA report: {month:%B %Y}")
    glance = page.get_by_role("region", name=re.compile("at a glance"))
    expect(glance).to_contain_text("Breached")
    money = page.get_by_role("region", name="Incentives and service credits")
    expect(money).to_contain_text("EUR 5,000.00")  # 5% of the monthly charge
    level = page.get_by_role("article", name=re.compile("Availability"))
    expect(level.get_by_role("img", name=re.compile("last"))).to_be_visible()
    level.get_by_text("as a table").click()
    expect(level.get_by_role("table")).to_contain_text("98%")
    expect(page.get_by_role("region", name=re.compile("open at"))).to_contain_text(
        "Availability breached")

    page.get_by_role("link", name="Print version").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monthly SLA report")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    page.emulate_media(media="print")
    expect(page.get_by_text("Back to the report")).to_be_hidden()
    assert console_errors == []
