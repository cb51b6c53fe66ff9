"""The health-check pages: the vendor's tab and header, a cycle from opening to closing,
the portfolio and its CSV, the printable report, the questionnaire editor, and what the
vendor's people may see."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from healthchecks import services
from healthchecks.choices import Group
from healthchecks.models import Cycle
from tests.factories import UserFactory
from tests.healthchecks.factories import collecting, respond, with_results
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db

OURS, THEIRS = {"trust": 2, "innovation": 3}, {"trust": 5, "innovation": 3}


def test_the_tab_shows_the_next_due_date_and_an_overdue_one_in_words(client, vendor_manager,
                                                                     vendor_a):
    client.force_login(vendor_manager)
    services.plan_update(vendor=vendor_a, interval_months=6,
                         next_due=timezone.localdate() - timedelta(days=4))
    page = client.get(reverse("healthchecks:vendor", args=[vendor_a.slug]))
    assert page.status_code == 200
    assert "Overdue by 4 days" in page.text
    assert "overdue by 4 days" in page.text  # the vendor header says it too
    assert 'href="/vendors/acme-outsourcing/health-checks/"' in page.text  # the tab


def test_the_interval_page_refuses_values_outside_six_to_twelve(client, vendor_manager,
                                                               vendor_a):
    client.force_login(vendor_manager)
    url = reverse("healthchecks:plan_update", args=[vendor_a.slug])
    refused = client.post(url, {"interval_months": "13"})
    assert refused.status_code == 200 and "interval_months" in refused.context["form"].errors
    saved = client.post(url, {"interval_months": "9", "next_due": ""})
    assert saved.status_code == 302
    assert vendor_a.health_check_plan.interval_months == 9


def test_a_manager_runs_a_cycle_from_the_pages(client, vendor_manager, vendor_a):
    client.force_login(vendor_manager)
    client.post(reverse("healthchecks:cycle_open", args=[vendor_a.slug]))
    cycle = Cycle.objects.get(vendor=vendor_a)
    base = {"slug": vendor_a.slug, "cycle": cycle.pk}
    invited = client.post(reverse("healthchecks:invite", kwargs=base),
                          {"group": "business", "emails": "a@example.org\nb@example.org"})
    assert invited.status_code == 302
    assert cycle.invitations.count() == 2
    moved = client.post(reverse("healthchecks:cycle_move", kwargs=base),
                        {"to": "collecting", "reason": ""})
    assert moved.status_code == 302
    skip = client.post(reverse("healthchecks:cycle_move", kwargs=base),
                       {"to": "review", "reason": ""})
    assert skip.status_code == 200 and "reason" in skip.context["form"].errors
    page = client.get(reverse("healthchecks:cycle", kwargs=base))
    assert "Response rate" in page.text and "Business" in page.text


def test_results_show_the_gap_largest_first_and_hide_small_groups(client, vendor_manager,
                                                                  vendor_a):
    cycle = with_results(vendor_a, ours=OURS, theirs=THEIRS)
    client.force_login(vendor_manager)
    page = client.get(cycle.get_absolute_url())
    gaps = page.context["results"].gaps
    assert [g.dimension for g in gaps][:1] == ["trust"]
    assert "largest gap" in page.text and "<svg" in page.text


def test_the_vendor_sees_results_only_once_shared_and_never_our_comments(client, vendor_a,
                                                                        alice, vendor_manager):
    cycle = collecting(vendor_a)
    for _ in range(3):
        respond(cycle, Group.IT, OURS, comment="OURSECRETCOMMENT")
        respond(cycle, Group.BUSINESS, OURS)
        respond(cycle, Group.VENDOR, THEIRS, comment="vendor view")
    services.cycle_move(cycle, to="assessment")
    client.force_login(alice)
    before = client.get(cycle.get_absolute_url())
    assert before.status_code == 200 and before.context["results"] is None
    assert client.get(reverse("healthchecks:report", args=[vendor_a.slug, cycle.pk])
                      ).status_code == 403
    services.cycle_share(cycle, shared=True)
    after = client.get(cycle.get_absolute_url())
    assert "vendor view" in after.text
    assert "OURSECRETCOMMENT" not in after.text
    report = client.get(reverse("healthchecks:report", args=[vendor_a.slug, cycle.pk]))
    assert report.status_code == 200 and "OURSECRETCOMMENT" not in report.text
    assert "a@" not in after.text  # nobody's address either


def test_the_portfolio_lists_overdue_first_and_exports_csv(client, vendor_manager, vendor_a,
                                                          vendor_b):
    services.plan_update(vendor=vendor_a, interval_months=12,
                         next_due=timezone.localdate() + timedelta(days=30))
    services.plan_update(vendor=vendor_b, interval_months=6,
                         next_due=timezone.localdate() - timedelta(days=9))
    client.force_login(vendor_manager)
    page = client.get(reverse("healthchecks:portfolio"))
    assert [r.vendor for r in page.context["rows"]][:2] == [vendor_b, vendor_a]
    assert "overdue by 9 days" in page.text
    csv = client.get(reverse("healthchecks:portfolio") + "?format=csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("Vendor,") and lines[1].startswith(str(vendor_b))


def test_the_vendors_people_do_not_get_the_portfolio(client, alice):
    client.force_login(alice)
    assert client.get(reverse("healthchecks:portfolio")).status_code == 403


def test_the_questionnaire_editor_makes_versions(client, vendor_manager):
    client.force_login(vendor_manager)
    created = client.post(reverse("healthchecks:template_create"),
                          {"name": "Short", "q_trust": "Do you trust them?", "note": ""})
    assert created.status_code == 302
    from healthchecks.models import QuestionnaireTemplate  # the record the page made

    template = QuestionnaireTemplate.objects.get(name="Short")
    client.post(reverse("healthchecks:template_update", args=[template.pk]),
                {"name": "Short", "q_trust": "Do you trust them?\nAnd they you?",
                 "note": "Both ways"})
    assert list(template.versions.values_list("number", flat=True)) == [2, 1]
    assert client.get(template.get_absolute_url()).status_code == 200
    line_manager = UserFactory(username="lm-templates", role=Role.LINE_MANAGER)
    client.force_login(line_manager)
    assert client.get(reverse("healthchecks:templates")).status_code == 403


def test_search_finds_a_vendors_health_checks(client, vendor_manager, vendor_a):
    collecting(vendor_a)
    client.force_login(vendor_manager)
    page = client.get(reverse("vendors:search") + "?q=Acme")
    assert "Health check of Acme Outsourcing" in page.text
