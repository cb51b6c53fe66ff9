"""The warning-sign pages: the portfolio (worst first, filters, CSV), a vendor's tab and its
header count, dismissing with a reason, the thresholds; never for vendor users."""

import csv
import io

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from signs import selectors, services
from signs.models import Sign, Thresholds
from tests.factories import StaffMemberFactory, VendorUserFactory
from tests.signs import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def signs(vendor_a, vendor_b):
    f.troubled(vendor_a)  # five signs, all high
    for i in range(2):
        StaffMemberFactory(vendor=vendor_b, name=f"Leaver {i}", ended_on=f.ago(10 + i))
    services.signs_refresh()
    return Sign.objects.open()


def test_the_portfolio_lists_every_sign_worst_first_and_filters_and_exports(client, signs,
                                                                             executive):
    client.force_login(executive)
    page = client.get(reverse("signs:portfolio"))
    body = page.content.decode()
    assert page.status_code == 200 and "6 warning signs, worst first" in body
    assert body.index("Acme Outsourcing") < body.index("Borealis IT")  # high before medium
    only_b = client.get(reverse("signs:portfolio"), {"rule": "resources",
                                                     "severity": "medium"}).content.decode()
    assert "1 warning sign," in only_b and "Leaver 1" in only_b
    response = client.get(reverse("signs:portfolio"), {"format": "csv", "vendor": signs.filter(
        vendor__slug="borealis-it").first().vendor_id})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Vendor", "Sign", "Severity"]
    assert [r[:2] for r in rows[1:]] == [["Borealis IT", "Resources not replaced"]]


def test_a_line_manager_sees_only_their_vendors_signs(client, signs, line_manager):
    client.force_login(line_manager)
    body = client.get(reverse("signs:portfolio")).content.decode()
    assert "Acme Outsourcing" in body and "Borealis IT" not in body
    assert client.get(reverse("signs:vendor", args=["borealis-it"])).status_code == 404


def test_vendor_users_never_see_warning_signs_not_even_their_own(client, signs, vendor_a):
    client.force_login(VendorUserFactory(vendor=vendor_a))
    assert client.get(reverse("signs:portfolio")).status_code == 403
    assert client.get(reverse("signs:vendor", args=[vendor_a.slug])).status_code == 403
    sign = signs.filter(vendor=vendor_a).first()
    assert client.get(reverse("signs:dismiss", args=[vendor_a.slug, sign.pk])).status_code == 403
    overview = client.get(reverse("vendors:detail", args=[vendor_a.slug])).content.decode()
    assert "Warning signs" not in overview and "warning sign" not in overview


def test_the_vendor_tab_shows_the_signs_with_evidence_and_the_header_counts_them(
        client, signs, vendor_a, line_manager):
    client.force_login(line_manager)
    body = client.get(reverse("signs:vendor", args=[vendor_a.slug])).content.decode()
    assert body.count('id="sign-') == 5
    assert "breached in 3 of its last 4 windows" in body and "Dismiss…" in body
    overview = client.get(reverse("vendors:detail", args=[vendor_a.slug])).content.decode()
    assert "5 warning signs" in overview and ">Warning signs</a>" in overview


def test_dismissing_with_a_reason_hides_it_and_keeps_the_reason(client, signs, vendor_a,
                                                                line_manager):
    sign = signs.filter(vendor=vendor_a, rule="resources").get()
    url = reverse("signs:dismiss", args=[vendor_a.slug, sign.pk])
    client.force_login(line_manager)
    refused = client.post(url, {"reason": "", "days": 30})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    response = client.post(url, {"reason": "Replacement starts Monday", "days": 30},
                           follow=True)
    body = response.content.decode()
    assert "Dismissed until" in body and "Replacement starts Monday" in body
    sign.refresh_from_db()
    assert sign.is_dismissed() and sign.dismissed_by == line_manager
    overview = client.get(reverse("vendors:detail", args=[vendor_a.slug])).content.decode()
    assert "4 warning signs" in overview
    history = client.get(url).content.decode()
    assert "Replacement starts Monday" in history


def test_executives_look_but_do_not_dismiss(client, signs, vendor_a, executive):
    sign = signs.filter(vendor=vendor_a).first()
    client.force_login(executive)
    assert client.post(reverse("signs:dismiss", args=[vendor_a.slug, sign.pk]),
                       {"reason": "no", "days": 5}).status_code == 403
    assert "Dismiss…" not in client.get(reverse("signs:vendor",
                                                args=[vendor_a.slug])).content.decode()


def test_vendor_managers_tune_the_thresholds_with_history_and_others_may_not(
        client, signs, vendor_manager, line_manager):
    url = reverse("signs:thresholds")
    client.force_login(line_manager)
    assert client.get(url).status_code == 403
    client.force_login(vendor_manager)
    form = client.get(url).context["form"]
    data = {name: form.initial[name] for name in form.fields}
    data["staffing_open_days"] = 60
    response = client.post(url, data, follow=True)
    assert response.status_code == 200 and "Thresholds saved" in response.content.decode()
    assert Thresholds.objects.get().staffing_open_days == 60
    assert "Thresholds changed" in client.get(url).content.decode()
    data["breached_windows"] = 9
    refused = client.post(url, data)
    assert "more than the windows" in refused.content.decode()


def test_the_block_the_dashboards_include_names_vendors_and_links_where_asked(signs, vendor_a,
                                                                              executive):
    portfolio = render_to_string("signs/_signs_block.html", {
        "signs": selectors.signs_open(executive), "show_vendor": True})
    assert "Borealis IT</a> · Resources not replaced" in portfolio
    assert "Every warning sign, worst first" in portfolio and "Dismiss…" not in portfolio
    one = render_to_string("signs/_signs_block.html", {
        "signs": selectors.signs_open(executive, vendor=vendor_a), "tab_vendor": vendor_a})
    assert "Borealis" not in one and "All of Acme Outsourcing's warning signs" in one
    assert "Evidence (" in one


def test_a_line_manager_recomputes_one_vendors_signs_now(client, signs, vendor_a, vendor_b,
                                                        line_manager):
    request = vendor_a.staffing_changes.get()
    request.status, request.resolved_on = "done", f.ago(0)
    request.save()
    client.force_login(line_manager)
    url = reverse("signs:refresh", args=[vendor_a.slug])
    assert "Run them now for Acme Outsourcing" in client.get(url).content.decode()
    body = client.post(url, follow=True).content.decode()
    assert "recomputed: 0 raised, 0 cleared" in body  # the other staffing evidence remains
    sign = Sign.objects.open().get(vendor=vendor_a, rule="resources")
    assert "staffing request" not in sign.title and "2 key people" in sign.title
    assert client.post(reverse("signs:refresh", args=[vendor_b.slug])).status_code == 404


def test_the_vendor_page_reads_its_open_signs_once_for_the_header_count_and_the_overview(
        client, signs, vendor_a, vendor_manager):
    """The header's "N warning signs" and the Overview tab's signs block are separate
    template tags of one request: they share one read of the vendor's open signs."""
    shown = list(selectors.signs_open(vendor_manager, vendor_a))
    assert shown
    client.force_login(vendor_manager)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("vendors:detail", args=[vendor_a.slug])).content.decode()
    n = len(shown)
    assert f"{n} warning sign{'s' if n != 1 else ''}</a>" in page
    assert all(f'id="sign-{s.pk}"' in page for s in shown)  # the Overview's block
    assert len([q for q in queries.captured_queries if '"signs_sign"' in q["sql"]]) == 1
