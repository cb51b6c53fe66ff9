"""The scorecard pages, as the people who use them see them."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scorecards import services
from scorecards.models import Actual, Dispute, Measure, ScorecardTemplate, TemplatePerspective
from tests.factories import AssignmentFactory, UserFactory, VendorFactory
from tests.scorecards.factories import label_of, make_scorecard, measure, period
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(vendor_a):
    return make_scorecard(vendor_a)


def tab(vendor, **query):
    url = reverse("scorecards:vendor", args=[vendor.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def report(vendor, by, name, quarters_ago=1, **fields):
    return services.actual_record(measure=measure(vendor, name),
                                  period=period(vendor, quarters_ago), by=by, **fields)


def formset_data(rows: list[dict], submit=True) -> dict:
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows)),
            "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    if submit:
        data["submit"] = "1"
    return data


def test_the_scorecard_tab_shows_each_perspective_with_status_words(client, line_manager,
                                                                    card, vendor_a, alice):
    report(vendor_a, alice, "Availability", vendor_value=D("99.2"), comment="Two outages",
           submit=True)
    report(vendor_a, line_manager, "Cost against budget", internal_value=D(100), submit=True)
    client.force_login(line_manager)
    response = client.get(tab(vendor_a))
    assert response.status_code == 200
    page = response.context["page"]
    assert page.period.label == label_of(1)
    html = response.text
    assert "Customer / service quality" in html and "Financial / value" in html
    assert "Amber" in html and "Green" in html and "No data" in html
    assert "How is this computed?" in html
    assert "2 of 3 measures with data" in html
    assert "awaiting approval" in html


def test_the_period_is_in_the_query_string(client, line_manager, card, vendor_a):
    client.force_login(line_manager)
    response = client.get(tab(vendor_a, period=label_of(3)))
    assert response.context["page"].period.label == label_of(3)
    assert f'value="{label_of(3)}" selected' in response.text
    fallback = client.get(tab(vendor_a, period="2031-Q9"))
    assert fallback.status_code == 200 and fallback.context["page"].period.label == label_of(1)


def test_without_a_scorecard_the_tab_teaches_and_offers_the_set_up(client, vendor_manager,
                                                                   line_manager, vendor_a):
    template = make_scorecard(VendorFactory()).template
    client.force_login(line_manager)
    assert "A vendor manager sets it up" in client.get(tab(vendor_a)).text
    assert client.get(reverse("scorecards:setup", args=[vendor_a.slug])).status_code == 403
    client.force_login(vendor_manager)
    response = client.get(tab(vendor_a))
    assert "No scorecard yet" in response.text
    assert reverse("scorecards:setup", args=[vendor_a.slug]) in response.text
    created = client.post(reverse("scorecards:setup", args=[vendor_a.slug]),
                          {"template": template.pk, "starts_on": "2026-01-15"})
    assert created.status_code == 302 and created["Location"] == tab(vendor_a)
    assert vendor_a.scorecards.get().periods.first().label == "2026-Q1"


def test_csv_export_of_a_scorecard_for_a_period(client, executive, card, vendor_a, alice):
    report(vendor_a, alice, "Availability", vendor_value=D("=99.95"[1:]),
           comment="=HYPERLINK(\"x\")", submit=True)
    client.force_login(executive)
    response = client.get(tab(vendor_a, period=label_of(1), format="csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert f"scorecard-{vendor_a.slug}-{label_of(1)}.csv" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Period,Level,Perspective,Objective,Measure")
    assert any(",Vendor," in line for line in lines)
    availability = next(line for line in lines if ",Availability," in line)
    assert "99.9500" in availability and "Green" in availability
    assert "'=HYPERLINK" in availability  # formulas neutralised
    assert any(",Resolution," in line and "No data" in line for line in lines)


def test_entering_a_periods_actuals_in_one_form(client, line_manager, card, vendor_a):
    client.force_login(line_manager)
    url = reverse("scorecards:actuals_edit", args=[vendor_a.slug]) + f"?period={label_of(1)}"
    form = client.get(url)
    assert form.status_code == 200
    rows = [f.measure.name for f in form.context["formset"]]
    assert rows == ["Availability", "Resolution", "Cost against budget"]
    response = client.post(url, formset_data([
        {"vendor_value": "99.95", "internal_value": "", "comment": ""},
        {"internal_value": "96"},
        {"internal_value": "101.5"},
    ]))
    assert response.status_code == 302 and response["Location"] == tab(vendor_a,
                                                                       period=label_of(1))
    actuals = Actual.objects.filter(period=period(vendor_a, 1))
    assert {(a.measure.name, a.status) for a in actuals} == {
        ("Availability", "submitted"), ("Resolution", "submitted"),
        ("Cost against budget", "submitted")}


def test_each_row_is_checked_and_nothing_is_saved_unless_all_are_right(client, line_manager,
                                                                      card, vendor_a):
    client.force_login(line_manager)
    url = reverse("scorecards:actuals_edit", args=[vendor_a.slug]) + f"?period={label_of(1)}"
    response = client.post(url, formset_data([
        {"vendor_value": "98"},  # red without a comment
        {"internal_value": "lots"},  # not a number
        {"internal_value": "99", "evidence_url": "not a link"},
    ]))
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert "98 is red" in forms[0].errors["comment"][0]
    assert forms[1].errors["internal_value"] == ["Enter a number."]
    assert "evidence_url" in forms[2].errors
    assert "nothing was saved" in response.text
    assert 'value="lots"' in response.text  # the input is kept
    assert not Actual.objects.exists()
    # The service's rule (a red value needs a comment) fails one row; the others roll back.
    response = client.post(url, formset_data([{"vendor_value": "98"}, {"internal_value": "96"},
                                              {"internal_value": "99"}]))
    assert response.status_code == 200 and not Actual.objects.exists()
    assert "comment" in response.context["formset"].forms[0].errors


def test_vendor_users_report_their_own_measures_as_drafts_then_submit(client, alice, card,
                                                                     vendor_a, settings,
                                                                     tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alice)
    url = reverse("scorecards:actuals_edit", args=[vendor_a.slug]) + f"?period={label_of(1)}"
    form = client.get(url)
    assert [f.measure.name for f in form.context["formset"]] == ["Availability"]
    assert "internal_value" not in form.context["formset"].forms[0].fields
    data = formset_data([{"vendor_value": "99.95", "comment": ""}], submit=False)
    data["form-0-evidence_file"] = SimpleUploadedFile("availability.pdf", b"%PDF-1.4 report")
    assert client.post(url, data).status_code == 302
    actual = Actual.objects.get()
    assert actual.status == "draft" and actual.reported_side == "vendor"
    assert client.post(url, formset_data([{"vendor_value": "99.95"}])).status_code == 302
    actual.refresh_from_db()
    assert actual.status == "submitted"
    evidence = client.get(reverse("scorecards:evidence", args=[vendor_a.slug, actual.pk]))
    assert evidence.status_code == 200 and evidence["Content-Disposition"].startswith(
        "attachment")
    assert b"".join(evidence.streaming_content) == b"%PDF-1.4 report"
    again = client.get(url)
    assert not again.context["editable"] and "nothing to report here" in again.text


def test_readers_cannot_enter_actuals(client, card, vendor_a):
    sam = UserFactory(role=Role.STAKEHOLDER)
    AssignmentFactory(user=sam, vendor=vendor_a)
    client.force_login(sam)
    assert client.get(tab(vendor_a)).status_code == 200
    assert client.get(reverse("scorecards:actuals_edit", args=[vendor_a.slug])).status_code == \
        403


def test_approving_in_place_and_by_period(client, line_manager, card, vendor_a, alice):
    first = report(vendor_a, alice, "Availability", vendor_value=D("99.95"), submit=True)
    second = report(vendor_a, line_manager, "Resolution", internal_value=D(96), submit=True)
    client.force_login(line_manager)
    url = reverse("scorecards:actual_approve", args=[vendor_a.slug, first.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Approved" in response.text
    assert "<html" not in response.text  # a fragment for the row
    first.refresh_from_db()
    assert first.status == "approved" and first.approved_by == line_manager
    q = period(vendor_a, 1)
    confirm = client.get(reverse("scorecards:period_approve", args=[vendor_a.slug, q.pk]))
    assert "The 1 submitted actual of" in confirm.text
    client.post(reverse("scorecards:period_approve", args=[vendor_a.slug, q.pk]))
    second.refresh_from_db()
    assert second.status == "approved"


def test_vendor_users_cannot_approve(client, alice, card, vendor_a):
    actual = report(vendor_a, alice, "Availability", vendor_value=D("99.95"), submit=True)
    client.force_login(alice)
    assert client.post(reverse("scorecards:actual_approve",
                               args=[vendor_a.slug, actual.pk])).status_code == 403
    assert "Approve" not in client.get(tab(vendor_a)).text.split("How is this computed")[1]


def test_sending_back_disputing_and_resolving(client, line_manager, alice, card, vendor_a):
    actual = report(vendor_a, alice, "Availability", vendor_value=D("99.95"), submit=True)
    client.force_login(line_manager)
    url = reverse("scorecards:actual_send_back", args=[vendor_a.slug, actual.pk])
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200 and "This field is required" in empty.text
    client.post(url, {"reason": "Attach the monitoring export."})
    actual.refresh_from_db()
    assert actual.status == "draft"

    ours = report(vendor_a, line_manager, "Resolution", internal_value=D(86), comment="Backlog",
                  submit=True)
    client.force_login(alice)
    page = client.get(reverse("scorecards:measure", args=[vendor_a.slug, ours.measure_id]))
    assert "Dispute this value" in page.text
    response = client.post(reverse("scorecards:dispute_create", args=[vendor_a.slug, ours.pk]),
                           {"reason": "Tickets were on hold waiting for you."})
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    client.force_login(line_manager)
    assert "Tickets were on hold" in client.get(tab(vendor_a)).text
    resolve = reverse("scorecards:dispute_resolve", args=[vendor_a.slug, dispute.pk])
    client.post(resolve, {"outcome": "upheld", "resolution": "Agreed.", "corrected_value": "91"})
    dispute.refresh_from_db()
    ours.refresh_from_db()
    assert dispute.status == "upheld" and ours.internal_value == D(91)


def test_the_measure_drill_down_shows_every_period_with_evidence_and_history(
        client, executive, card, vendor_a, alice):
    actual = report(vendor_a, alice, "Availability", vendor_value=D("99.95"),
                    evidence_url="https://acme.example/monitoring.pdf", submit=True)
    client.force_login(executive)
    response = client.get(reverse("scorecards:measure", args=[vendor_a.slug,
                                                              actual.measure_id]))
    assert response.status_code == 200
    html = response.text
    assert "https://acme.example/monitoring.pdf" in html
    assert "History of the " + label_of(1) + " actual" in html
    assert "definition of Availability" in html
    assert [p.label for p, _ in response.context["detail"].rows][:2] == [label_of(0),
                                                                          label_of(1)]


def test_locking_a_period_is_for_vendor_managers(client, vendor_manager, line_manager, card,
                                                 vendor_a):
    q = period(vendor_a, 1)
    url = reverse("scorecards:period_lock", args=[vendor_a.slug, q.pk])
    client.force_login(line_manager)
    assert client.get(url).status_code == 403
    client.force_login(vendor_manager)
    assert client.post(url, {"note": "Reviewed 14 July"}).status_code == 302
    q.refresh_from_db()
    assert q.is_locked and q.lock_note == "Reviewed 14 July"
    assert "Locked on" in client.get(tab(vendor_a, period=q.label)).text


def test_changing_the_vendors_scorecard(client, vendor_manager, card, vendor_a):
    client.force_login(vendor_manager)
    availability = measure(vendor_a, "Availability")
    url = reverse("scorecards:part_update", args=[vendor_a.slug, "measures", availability.pk])
    form = client.get(url)
    assert "sla" in [v for v, _ in form.context["form"].fields["data_source"].choices]
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    data.update(objective=availability.objective_id, red_threshold="99.6",
                active_from="2026-01-01", change_reason="")
    wrong = client.post(url, data)
    assert wrong.status_code == 200
    assert "below the amber threshold" in wrong.context["form"].errors["red_threshold"][0]
    data.update(red_threshold="98", weight="10", change_reason="Agreed in the review")
    assert client.post(url, data).status_code == 302
    availability.refresh_from_db()
    assert availability.weight == 10
    assert availability.history.first().history_change_reason == "Agreed in the review"
    retire = reverse("scorecards:part_retire", args=[vendor_a.slug, "measures", availability.pk])
    assert "Its past results and history are kept" in client.get(retire).text
    client.post(retire)
    availability.refresh_from_db()
    assert availability.is_archived
    assert "Retired measures" in client.get(tab(vendor_a)).text
    new = client.post(reverse("scorecards:part_create", args=[vendor_a.slug, "measures"]), {
        "objective": availability.objective_id, "name": "Restore tests passed",
        "definition": "Share of quarterly restore tests that passed", "unit": "%",
        "direction": "higher", "target": "100", "amber_threshold": "95", "red_threshold": "90",
        "weight": "1", "data_source": "vendor", "frequency": "quarterly", "position": "3",
        "active_from": "2026-01-01"})
    assert new.status_code == 302
    assert Measure.objects.filter(vendor=vendor_a, name="Restore tests passed").exists()


def test_templates_are_kept_by_vendor_managers_and_read_by_our_people(client, vendor_manager,
                                                                      line_manager, alice):
    client.force_login(vendor_manager)
    response = client.post(reverse("scorecards:template_create"),
                           {"name": "Cloud MSP scorecard", "period_type": "quarterly"})
    template = ScorecardTemplate.objects.get(name="Cloud MSP scorecard")
    assert response["Location"] == template.get_absolute_url()
    client.post(reverse("scorecards:template_part_create", args=[template.pk, "perspectives"]),
                {"name": "Financial / value", "weight": "20", "position": "1"})
    assert TemplatePerspective.objects.filter(template=template).count() == 1
    client.force_login(line_manager)
    assert client.get(template.get_absolute_url()).status_code == 200
    assert client.get(reverse("scorecards:template_create")).status_code == 403
    client.force_login(alice)
    assert client.get(reverse("scorecards:template_list")).status_code == 403


def test_portfolio_heat_map_sorts_and_links_to_the_drill_down(client, executive, vendor_a,
                                                              vendor_b, alice, charlie):
    make_scorecard(vendor_a)
    make_scorecard(vendor_b, tag="B")
    report(vendor_a, alice, "Availability", vendor_value=D("99.95"), submit=True)
    report(vendor_b, charlie, "B Availability", vendor_value=D("97"), comment="Outage",
           submit=True)
    client.force_login(executive)
    response = client.get(reverse("scorecards:portfolio"), {"sort": "-overall"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.vendor for r in rows] == [vendor_a, vendor_b]  # best first
    assert [r.vendor for r in client.get(reverse("scorecards:portfolio"),
                                         {"sort": "overall"}).context["rows"]] == [vendor_b,
                                                                                  vendor_a]
    cell = rows[0].cell("Customer / service quality")
    assert f"?period={label_of(1)}#perspective-{cell.key[1]}" in response.text
    assert response.context["data"].label == label_of(1)
    csv = client.get(reverse("scorecards:portfolio"), {"format": "csv"}).content.decode()
    assert csv.splitlines()[0].startswith("Vendor,Period,Overall score")
    assert "Acme Outsourcing" in csv and "Borealis IT" in csv


def test_portfolio_shows_only_the_vendors_a_line_manager_is_assigned(client, line_manager,
                                                                     vendor_a, vendor_b):
    make_scorecard(vendor_a)
    make_scorecard(vendor_b, tag="B")
    client.force_login(line_manager)
    response = client.get(reverse("scorecards:portfolio"))
    assert [r.vendor for r in response.context["rows"]] == [vendor_a]
    assert "Borealis" not in response.text
    assert 'href="/scorecards/"' in response.text  # in the top navigation


def test_portfolio_without_scorecards_teaches(client, vendor_manager, vendor_a):
    client.force_login(vendor_manager)
    response = client.get(reverse("scorecards:portfolio"))
    assert "No vendor has a scorecard yet" in response.text
