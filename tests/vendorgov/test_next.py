"""Every page that takes a POST, given an off-site `next`, answers without a 500 and never
sends anyone off-site: the address it returns to is decided in one place
(`vendorgov.pages.ReturnMixin`).

The pages are generated from the URLconf and aimed at real records through the isolation
table (tests/test_isolation.py), so a new form page is covered the day it is added. Each is
opened and then submitted with the values its own form shows (so edit forms really save),
once as a vendor manager and once as a vendor user of the records' vendor.
"""

from urllib.parse import urlsplit

import pytest
from django.forms import CheckboxInput, FileInput, MultiWidget
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic.edit import ProcessFormView

from tests import test_isolation
from tests.factories import UserFactory
from tests.test_isolation import ROUTES
from vendorgov.pages import ConfirmPage, FormPage
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db

EVIL = "https://evil.example/phish"
# The isolation table's records, built once for this module too (tests/shared_data.py).
_world, world = test_isolation._world, test_isolation.world

# Small in-place interactions (htmx) and Django's own sign-in pages: they take a POST but
# are not form pages; they are still submitted below with an off-site `next`.
NOT_FORM_PAGES = {
    "governance:action_item_status", "governance:attendance", "governance:agenda_item_archive",
    "governance:calendar", "governance:calendar_revoke", "accounts:token_create",
    "accounts:token_revoke", "accounts:user_active", "accounts:user_invite",
    "scorecards:actuals_edit", "sla:import", "sla:import_preview",
    # A survey opened by its personal link, without signing in, or by its respondent signed
    # in: it returns to itself.
    "healthchecks:survey", "healthchecks:my_survey",
    "login", "logout", "password_change", "password_reset", "password_reset_confirm",
}


def _pages(patterns=None, prefix="", namespace=""):
    """(route name, view class) of every page of the site that takes a POST (not the API
    and not the admin, which have their own tests)."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern) not in ("admin/", "api/v1/"):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                yield from _pages(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            view = getattr(p.callback, "view_class", None)
            if view is not None and (hasattr(view, "post")
                                     or issubclass(view, ProcessFormView)):
                yield ":".join(filter(None, [namespace, p.name])), view


PAGES = dict(_pages())


def _form_data(form) -> dict:
    """What a person submits who changes nothing: the values the form shows."""
    data = {}
    for bf in form:
        widget, value = bf.field.widget, bf.value()
        if isinstance(widget, FileInput):
            continue
        if isinstance(widget, CheckboxInput):
            if value:
                data[bf.html_name] = "on"
        elif isinstance(widget, MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for i, part in enumerate(parts):
                data[f"{bf.html_name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[bf.html_name] = [str(v) for v in value]
        else:
            data[bf.html_name] = "" if value is None else str(value)
    return data


def _submission(response) -> dict:
    context = response.context or {}
    data = {}
    if (formset := context.get("formset")) is not None:
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    elif (form := context.get("form")) is not None and hasattr(form, "fields"):
        data.update(_form_data(form))
    return data


def _assert_stays_here(response, where):
    assert response.status_code < 500, f"{where} answered {response.status_code}"
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        assert urlsplit(location).netloc in ("", "testserver") \
            and not location.startswith("//"), f"{where} sent the user off-site: {location}"
    assert b'href="https://evil.example' not in response.content, f"{where} links off-site"


def test_every_page_that_takes_a_post_is_a_form_page_or_says_why(world):
    """One shape: a page that takes a POST is a FormPage or a ConfirmPage, or is listed
    above as a small interaction."""
    assert len(PAGES) > 60
    odd = sorted(name for name, view in PAGES.items()
                 if not issubclass(view, FormPage | ConfirmPage) and name not in NOT_FORM_PAGES)
    assert odd == [], "build these on vendorgov.pages.FormPage / ConfirmPage"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_an_off_site_next_never_gives_a_500_or_leaves_the_site(client, world, name):
    aim = ROUTES[name][1]
    vera = UserFactory(username="vera-next", role=Role.VENDOR_MANAGER)
    charlie = world.b_people["charlie"]
    for user in (vera, charlie):
        for kwargs in aim(world):
            client.force_login(user)
            url = f"{reverse(name, kwargs=kwargs)}?next={EVIL}"
            page = client.get(url)
            _assert_stays_here(page, f"GET {url} as {user}")
            data = {**_submission(page), "next": EVIL}
            if name == "logout":
                continue
            _assert_stays_here(client.post(url, data), f"POST {url} as {user}")


def test_a_saved_sla_form_with_an_off_site_next_goes_back_to_the_sla(client, world):
    """The bug that started this: the SLA form saved, then answered 500 for the redirect."""
    sla = world.b_records["sla"]
    vera = UserFactory(username="vera-sla", role=Role.VENDOR_MANAGER)
    client.force_login(vera)
    url = reverse("sla:sla_update", kwargs={"slug": world.b.slug, "pk": sla.pk})
    data = _submission(client.get(url))
    data["name"] = "Service desk, renamed"
    response = client.post(f"{url}?next={EVIL}", data)
    assert response.status_code == 302
    assert response["Location"] == sla.get_absolute_url()
    sla.refresh_from_db()
    assert sla.name == "Service desk, renamed"
