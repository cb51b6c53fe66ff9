"""The SLA pages, as the people who use them see them."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sla import services
from sla.choices import MeasurementSource
from sla.models import SLA, CorrectiveAction, Evaluation, Measurement, MeasurementImport
from tests.factories import ContractFactory
from tests.sla.factories import CalendarFactory, clock, service_level

pytestmark = pytest.mark.django_db
TODAY = date(2025, 8, 15)


@pytest.fixture
def sl(vendor_a):
    return service_level(vendor_a, name="Availability", key="avail")


@pytest.fixture
def history(sl, line_manager):
    """Six months of data with a breach in March, evaluated."""
    values = {1: 99.8, 2: 99.6, 3: 98.2, 4: 99.7, 5: 99.9, 6: 99.2}
    with clock(TODAY):
        services.measurements_submit(
            [{"service_level": sl.pk, "window_start": f"2025-{m:02d}-01", "value": v}
             for m, v in values.items()], by=line_manager, source=MeasurementSource.API,
            vendor_ids=None, evaluate=False)
        services.evaluations_refresh()
    return sl


def get(client, name, *args, today=TODAY, **params):
    with clock(today):
        return client.get(reverse(name, args=args), params)


def test_the_sla_tab_answers_first_and_shows_each_service_level(client, line_manager, vendor_a,
                                                                history):
    client.force_login(line_manager)
    page = get(client, "sla:vendor", vendor_a.slug)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Open corrective actions" in text and "Availability breached in Mar 2025" in text
    assert "Met at ≥ 99.5%" in text and "Jul 2025" in text  # the last closed window: no data
    assert "No data" in text


def test_the_portfolio_page_shows_breaches_overdue_actions_and_compliance(
        client, line_manager, vendor_a, history):
    client.force_login(line_manager)
    page = get(client, "sla:portfolio", today=date(2025, 4, 3))
    text = page.content.decode()
    assert "Breaches this month" in text and vendor_a.name in text
    # The breach closed in March; by mid-April its action is not overdue yet.
    late = get(client, "sla:portfolio", today=date(2025, 10, 1)).content.decode()
    assert "overdue by" in late
    csv = get(client, "sla:portfolio", format="csv").content.decode().splitlines()
    assert csv[0].startswith("Vendor,") and csv[1].startswith(vendor_a.name)


def test_the_monthly_report_shows_credits_trend_and_actions_with_csv_and_print(
        client, line_manager, vendor_a, history):
    client.force_login(line_manager)
    report = get(client, "sla:report", vendor_a.slug, month="2025-03")
    text = report.content.decode()
    assert report.status_code == 200 and "Monthly SLA report: March 2025" in text
    assert text.index("Incentives earned") < text.index("Service credits")
    assert "EUR 5,000.00" in text  # 5% of the 100,000 monthly charge
    assert "Required (by this month" in text and "Availability breached in Mar 2025" in text
    csv = get(client, "sla:report", vendor_a.slug, month="2025-03", format="csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("SLA,Service level,Window")
    assert "Breached" in lines[1] and "5000.00" in lines[1]
    printable = get(client, "sla:report_print", vendor_a.slug, month="2025-03")
    assert printable.status_code == 200 and b'class="navbar' not in printable.content


def test_an_excused_window_shows_its_badge_in_the_report_and_in_the_window_table(
        client, line_manager, alice, vendor_a, history):
    """The excused badge beside a window's status is markup, not escaped text: in the
    month's windows and in the table of the last windows."""
    with clock(TODAY):
        march = Evaluation.objects.get(service_level=history, window_start=date(2025, 3, 1))
        dispute = services.dispute_raise(march, by=alice, reason="Our monitoring was down")
        services.dispute_decide(dispute, by=line_manager, decision="accepted", note="Agreed")
    client.force_login(line_manager)
    text = get(client, "sla:report", vendor_a.slug, month="2025-03").content.decode()
    assert "&lt;span" not in text
    assert text.count("bi-shield-check") == 2  # the month's windows and the window table
    page = get(client, "sla:service_level", vendor_a.slug, history.pk).content.decode()
    assert "&lt;span" not in page and "bi-shield-check" in page


def test_the_report_ignores_a_month_it_cannot_read(client, line_manager, vendor_a, history):
    client.force_login(line_manager)
    for month in ("garbage", "2025-13", "2999-01"):
        assert get(client, "sla:report", vendor_a.slug, month=month).status_code == 200


def test_operations_enter_a_measurement_and_see_its_evaluation(client, line_manager, vendor_a,
                                                               sl):
    client.force_login(line_manager)
    url = reverse("sla:measurement_create", args=[vendor_a.slug])
    with clock(TODAY):
        bad = client.post(url, {"service_level": sl.pk, "window_start": "2025-08-01",
                                "value": "99"})
        assert "has not ended yet" in bad.content.decode()
        done = client.post(url, {"service_level": sl.pk, "window_start": "2025-07-01",
                                 "value": "98.5", "note": "From the monitoring export"})
    assert done.status_code == 302
    evaluation = Evaluation.objects.get(window_start=date(2025, 7, 1))
    assert evaluation.status == "breached" and evaluation.measurement.source == "form"


def test_the_csv_import_previews_then_commits(client, line_manager, vendor_a, sl):
    client.force_login(line_manager)
    content = ("sla,service_level,window_start,value\n"
               f"{sl.version.sla.reference},avail,2025-06-01,99.9\n").encode()
    with clock(TODAY):
        response = client.post(reverse("sla:import", args=[vendor_a.slug]),
                               {"file": SimpleUploadedFile("june.csv", content)})
        csv_import = MeasurementImport.objects.get()
        assert response["Location"] == reverse("sla:import_preview",
                                               args=[vendor_a.slug, csv_import.pk])
        assert not Measurement.objects.exists()
        assert "Save 1 measurement" in client.get(response["Location"]).content.decode()
        client.post(response["Location"])
    assert Measurement.objects.get().source == "csv"


def test_the_csv_import_lists_bad_rows_on_the_page(client, line_manager, vendor_a, sl):
    client.force_login(line_manager)
    content = ("sla,service_level,window_start,value\n"
               f"{sl.version.sla.reference},avail,2025-06-01,lots\n").encode()
    with clock(TODAY):
        page = client.post(reverse("sla:import", args=[vendor_a.slug]),
                           {"file": SimpleUploadedFile("bad.csv", content)})
    text = page.content.decode()
    assert page.status_code == 200 and "Nothing was saved: 1 of 1 row has errors." in text
    assert "&#x27;lots&#x27; is not a number." in text
    assert not MeasurementImport.objects.exists()


def test_a_vendor_user_reads_the_tab_but_may_not_use_operations_tools(client, alice,
                                                                      vendor_a, history):
    client.force_login(alice)
    assert get(client, "sla:vendor", vendor_a.slug).status_code == 200
    for name in ("sla:measurement_create", "sla:import", "sla:sla_create"):
        assert get(client, name, vendor_a.slug).status_code == 403


def test_a_vendor_user_disputes_and_reports_progress_on_their_action(client, alice, vendor_a,
                                                                     history):
    breach = Evaluation.objects.get(status="breached")
    action = CorrectiveAction.objects.get()
    action.owner = alice
    action.save()
    client.force_login(alice)
    with clock(TODAY):
        client.post(reverse("sla:dispute_create", args=[vendor_a.slug, breach.pk]),
                    {"reason": "The probe was misconfigured"})
        page = client.get(reverse("sla:corrective_action", args=[vendor_a.slug, action.pk]))
        assert "Report progress" in page.content.decode()
        client.post(reverse("sla:corrective_action", args=[vendor_a.slug, action.pk]),
                    {"status": "in_progress", "progress_note": "Probe fixed"})
    action.refresh_from_db()
    assert action.status == "in_progress" and breach.dispute.reason


def test_operations_decide_a_dispute_on_the_page(client, alice, line_manager, vendor_a,
                                                 history):
    breach = Evaluation.objects.get(status="breached")
    with clock(TODAY):
        dispute = services.dispute_raise(breach, by=alice, reason="Probe")
    client.force_login(line_manager)
    with clock(TODAY):
        response = client.post(reverse("sla:dispute_decide", args=[vendor_a.slug, dispute.pk]),
                               {"decision": "accepted", "note": "Our probe",
                                "corrected_value": ""})
    assert response.status_code == 302
    breach.refresh_from_db()
    assert breach.excused


def test_an_sla_is_set_up_reviewed_and_made_effective_on_the_pages(client, vendor_manager,
                                                                   vendor_a):
    contract = ContractFactory(vendor=vendor_a)
    client.force_login(vendor_manager)
    slug = vendor_a.slug
    with clock(TODAY):
        client.post(reverse("sla:sla_create", args=[slug]), {
            "contract": contract.pk, "reference": "ACME-SLA", "name": "Desk",
            "review_interval_months": 6, "monthly_charge": "1000", "credit_cap_percent": "10",
            "earn_back_windows": 3, "dispute_window_days": 10})
        sla = SLA.objects.get()
        client.post(reverse("sla:service_level_create", args=[slug, sla.pk, 1]), {
            "key": "fcr", "name": "First-contact resolution", "measured": "Desk tool",
            "unit": "percent", "comparator": "gte", "target": "70", "breach_threshold": "75",
            "window": "monthly", "weight": 10, "criticality": "medium", "bonus_points": 0,
            "credit_percent": "1"})
        assert not sla.versions.get().service_levels.exists()  # breach above target: refused
        client.post(reverse("sla:service_level_create", args=[slug, sla.pk, 1]), {
            "key": "fcr", "name": "First-contact resolution", "measured": "Desk tool",
            "unit": "percent", "comparator": "gte", "target": "70", "breach_threshold": "65",
            "window": "monthly", "weight": 10, "criticality": "medium", "bonus_points": 0,
            "credit_percent": "1"})
        client.post(reverse("sla:version_review", args=[slug, sla.pk, 1]))
        client.post(reverse("sla:version_effective", args=[slug, sla.pk, 1]),
                    {"effective_from": "2025-09-01"})
    version = sla.versions.get()
    assert (version.status, version.effective_from) == ("effective", date(2025, 9, 1))
    detail = get(client, "sla:sla_detail", slug, sla.pk).content.decode()
    assert "First-contact resolution" in detail and "Incentives" in detail


def test_a_line_manager_may_draft_but_not_make_effective(client, line_manager, vendor_a, sl):
    client.force_login(line_manager)
    sla = sl.version.sla
    with clock(TODAY):
        assert client.post(reverse("sla:version_draft", args=[vendor_a.slug, sla.pk])
                           ).status_code == 302
        assert client.get(reverse("sla:version_effective",
                                  args=[vendor_a.slug, sla.pk, 2])).status_code == 403


def test_the_calendar_page_counts_business_hours(client, line_manager, vendor_a):
    calendar = CalendarFactory(vendor=vendor_a, holidays="2025-12-25 Christmas Day")
    client.force_login(line_manager)
    page = get(client, "sla:calendar", vendor_a.slug, calendar.pk,
               start="2025-03-07T17:00", end="2025-03-10T10:00")
    assert "<strong>3.00</strong> business hours" in page.content.decode()
    assert "Christmas Day" in page.content.decode()


def test_a_calendar_is_kept_with_its_rules_checked(client, line_manager, vendor_a):
    client.force_login(line_manager)
    url = reverse("sla:calendar_create", args=[vendor_a.slug])
    page = client.post(url, {"name": "Desk", "time_zone": "Mars/Olympus", "working_days": ["1"],
                             "day_starts": "09:00", "day_ends": "08:00", "holidays": "soon"})
    text = page.content.decode()
    assert "is not a time zone" in text and "must end after it starts" in text
    assert "does not start with a date" in text
    assert client.post(url, {"name": "Desk", "time_zone": "Europe/Lisbon",
                             "working_days": ["1", "2"], "day_starts": "09:00",
                             "day_ends": "17:00", "holidays": ""}).status_code == 302


def test_corrective_actions_list_filters_and_exports(client, line_manager, vendor_a, history):
    client.force_login(line_manager)
    assert "Availability breached" in get(client, "sla:corrective_actions",
                                          vendor_a.slug).content.decode()
    assert "Nothing is overdue" in get(client, "sla:corrective_actions", vendor_a.slug,
                                       state="overdue", today=date(2025, 4, 3)).content.decode()
    csv = get(client, "sla:corrective_actions", vendor_a.slug, format="csv").content.decode()
    assert csv.splitlines()[0].startswith("Title,SLA,Status")


def test_the_downloaded_import_template_filled_in_imports_cleanly(client, line_manager,
                                                                  vendor_a, sl):
    """As a user does it: download the template, type a value for each service level (in a
    spreadsheet that leaves every other cell as it was), upload it, commit."""
    import csv
    import io

    service_level(vendor_a, version=sl.version, name="Resolution", key="resolve",
                  target=D("95"), breach_threshold=D("90"))
    client.force_login(line_manager)
    with clock(TODAY):
        download = client.get(reverse("sla:import_template", args=[vendor_a.slug]))
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    header, lines = rows[0], rows[1:]
    assert [line[1] for line in lines] == ["avail", "resolve"]
    value = header.index("value")
    assert all(cell == "" for line in lines for i, cell in enumerate(line)
               if header[i] in ("value", "note", "external_id"))
    for line, typed in zip(lines, ("99.7", "97.5"), strict=True):
        line[value] = typed
    filled = io.StringIO()
    csv.writer(filled).writerows([header, *lines])
    with clock(TODAY):
        response = client.post(reverse("sla:import", args=[vendor_a.slug]), {
            "file": SimpleUploadedFile("measurements.csv", filled.getvalue().encode())})
        assert response.status_code == 302, response.content.decode()
        assert "Save 2 measurements" in client.get(response["Location"]).content.decode()
        done = client.post(response["Location"], follow=True)
    assert "Imported 2 measurements" in done.content.decode()
    saved = {m.service_level.key: m for m in Measurement.objects.select_related(
        "service_level")}
    assert {k: m.value for k, m in saved.items()} == {"avail": D("99.7"), "resolve": D("97.5")}
    # Blank cells came back blank: no note "'" and no external id "'" to collide next month.
    assert all(not m.note and not m.external_id for m in saved.values())


def test_executives_see_a_corrective_action_but_cannot_report_progress_on_it(
        client, executive, vendor_a, history):
    action = CorrectiveAction.objects.get()
    page_url = reverse("sla:corrective_action", args=[vendor_a.slug, action.pk])
    client.force_login(executive)
    with clock(TODAY):
        page = client.get(page_url)
        assert page.status_code == 200 and "Report progress" not in page.content.decode()
        refused = client.post(page_url, {"status": "in_progress", "progress_note": "On it"})
    assert refused.status_code == 403
    action.refresh_from_db()
    assert action.status == "open" and not action.progress_note


def _upload(client, vendor, content: bytes):
    with clock(TODAY):
        return client.post(reverse("sla:import", args=[vendor.slug]), {
            "file": SimpleUploadedFile("measurements.csv", content)})


def test_a_csv_with_mac_line_endings_imports_like_any_other(client, line_manager, vendor_a, sl):
    """Excel's "CSV (Macintosh)" ends its rows with a lone carriage return."""
    client.force_login(line_manager)
    content = (f"sla,service_level,window_start,value\r{sl.version.sla.reference},{sl.key},"
               "2025-06-01,99.8\r").encode()
    response = _upload(client, vendor_a, content)
    assert response.status_code == 302, response.content.decode()
    with clock(TODAY):
        assert "Save 1 measurement" in client.get(response["Location"]).content.decode()


def test_a_cell_over_the_csv_field_limit_is_a_row_error_not_a_500(client, line_manager,
                                                                 vendor_a, sl):
    client.force_login(line_manager)
    huge = "x" * 200_000
    content = (f"sla,service_level,window_start,value,note\n{sl.version.sla.reference},"
               f"{sl.key},2025-06-01,99.8,\"{huge}\"\n").encode()
    response = _upload(client, vendor_a, content)
    assert response.status_code == 200
    assert "cannot be read" in response.content.decode()
    assert "characters a CSV cell may hold" in response.content.decode()


def test_a_file_that_is_not_text_says_which_encoding_was_expected(client, line_manager,
                                                                  vendor_a, sl):
    client.force_login(line_manager)
    binary = _upload(client, vendor_a, b"PK\x03\x04\x00\x00binary")
    assert binary.status_code == 200
    assert "save it as CSV (UTF-8)" in binary.content.decode()
    undecodable = _upload(client, vendor_a, b"sla,service_level\n\x81\x8d\x8f\x90\x9d\n")
    assert "expected encoding, UTF-8" in undecodable.content.decode()
