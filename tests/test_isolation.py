"""Alice works for vendor A. Nothing of vendor B may reach her, by any route.

Every URL pattern and every API route of the site is enumerated and must appear in ROUTES,
which says how to aim it at vendor B's records and what Alice must get: 404 for anything
that names B's records (never 403, which would confirm they exist), and no trace of B in
pages and lists she may open. A new route fails `test_every_route_is_in_the_isolation_table`
until it is added here.

Feature apps keep their part of the table beside their tests, in `tests/<app>/isolation.py`:

* `records(vendor, tag) -> dict` creates one of each of the app's vendor-scoped records for
  `vendor`, with `tag` in their texts (B's carry SECRET, so a leak shows as a substring);
* `ROUTES = {route name: (expectation, aim)}`, where `aim(world)` returns the URL kwargs
  that point at B's records (`world.b_records[kind]`), as in the table below.
"""

import importlib
import re
from dataclasses import dataclass
from importlib.util import find_spec

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import (
    ApiTokenFactory,
    AssignmentFactory,
    ContactFactory,
    ContractFactory,
    PrincipleFactory,
    ServiceFactory,
    StaffingChangeFactory,
    StaffMemberFactory,
    UserFactory,
    VendorFactory,
    VendorUserFactory,
)
from tests.shared_data import built_once
from vendorgov.roles import Role
from vendors.models import StaffingChange, Vendor
from vendors.views.records import RECORD_KINDS

pytestmark = pytest.mark.django_db

# Every text of vendor B carries it, so any leak is found by a substring test; long enough
# that a random token or id (e.g. a calendar feed's secret address) never contains it by chance.
SECRET = "ZZBQXZ"


@dataclass
class World:
    a: Vendor
    b: Vendor
    b_records: dict  # kind → a record of vendor B
    b_people: dict  # charlie (vendor user of B), olga (assigned to B only)
    b_token: object


def _app_tables():
    """The isolation modules of the installed apps that have one (tests/<app>/isolation.py)."""
    names = [f"tests.{config.label}.isolation" for config in apps.get_app_configs()]
    return [importlib.import_module(name) for name in names if find_spec(name.rsplit(".", 1)[0])
            and find_spec(name)]


def _records(vendor, tag, assignee):
    return {
        "services": ServiceFactory(vendor=vendor, name=f"{tag} service"),
        "contracts": ContractFactory(vendor=vendor, reference=f"{tag}-MSA", title=f"{tag} deal"),
        "contacts": ContactFactory(vendor=vendor, name=f"{tag} Contact", email=f"c@{tag}.example"),
        "staff": StaffMemberFactory(vendor=vendor, name=f"{tag} Engineer"),
        "principles": PrincipleFactory(vendor=vendor, title=f"{tag} principle",
                                       text=f"{tag} text"),
        "assignments": AssignmentFactory(vendor=vendor, user=assignee),
        "staffing_changes": StaffingChangeFactory(vendor=vendor, reason=f"{tag} reason",
                                                  new_person_name=f"{tag} Newcomer"),
    }


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """Both vendors' records, built once for this module's 230-odd tests (each test's own
    changes are rolled back after it; see tests/shared_data.py)."""
    yield from built_once(django_db_blocker, _build_world)


@pytest.fixture
def world(_world, db):
    return _world


def _build_world():
    a = VendorFactory(name="Acme Outsourcing", slug="acme")
    b = VendorFactory(name=f"{SECRET} Borealis", slug="zzb-borealis", description=SECRET)
    liam = UserFactory(username="liam", role=Role.LINE_MANAGER)
    olga = UserFactory(username="olga", first_name=SECRET, last_name="Ops",
                       role=Role.OPERATIONS)
    _records(a, "Acme", liam)
    charlie = VendorUserFactory(username="charlie", first_name=SECRET, vendor=b)
    token, _ = ApiTokenFactory.with_raw(charlie, name=f"{SECRET} token")
    VendorUserFactory(username="alice", vendor=a)
    b_records = _records(b, SECRET, olga)
    for table in _app_tables():
        table.records(a, "Acme")
        b_records.update(table.records(b, SECRET))
    return World(a=a, b=b, b_records=b_records,
                 b_people={"charlie": charlie, "olga": olga}, b_token=token)


# How each route is aimed at vendor B, and what Alice must get:
#   "b"      kwargs name B's records → 404 for GET and POST (and PUT/PATCH on the API)
#   "open"   a page or list she may open → no trace of B in it
#   "denied" refused to her whole role whatever the id (403/405, or sign-in) → no trace of B
def b_slug(w):
    return [{"slug": w.b.slug}]


def b_kind_records(w):
    return [{"slug": w.b.slug, "kind": kind, "pk": w.b_records[kind].pk} for kind in RECORD_KINDS]


def b_record(kind):
    return lambda w: [{"slug": w.b.slug, "pk": w.b_records[kind].pk}]


def b_pk(kind):
    return lambda w: [{"pk": w.b.pk if kind == "vendor" else w.b_records[kind].pk}]


def people(w):
    return [{"pk": person.pk} for person in w.b_people.values()]


def reset_link(w):
    charlie = w.b_people["charlie"]
    return [{"uidb64": urlsafe_base64_encode(force_bytes(charlie.pk)), "token": "set-password"},
            {"uidb64": urlsafe_base64_encode(force_bytes(charlie.pk)),
             "token": default_token_generator.make_token(charlie)}]


def none(w):
    return [{}]


API_RECORDS = {"vendor": "vendor", "service": "services", "contract": "contracts",
               "contact": "contacts", "guiding-principle": "principles", "staff": "staff",
               "assignment": "assignments", "staffing-change": "staffing_changes"}

ROUTES = {
    "home": ("open", none),
    "vendors:list": ("open", none),
    "vendors:search": ("open", none),
    "vendors:create": ("denied", none),
    "vendors:detail": ("b", b_slug),
    "vendors:people": ("b", b_slug),
    "vendors:contracts": ("b", b_slug),
    "vendors:history": ("b", b_slug),
    "vendors:update": ("b", b_slug),
    "vendors:archive": ("b", b_slug),
    "vendors:restore": ("b", b_slug),
    "vendors:staffing_change_create": ("b", b_slug),
    "vendors:principle": ("b", b_record("principles")),
    "vendors:staffing_change_resolve": ("b", b_record("staffing_changes")),
    "vendors:assignment_remove": ("b", b_record("assignments")),
    "vendors:record_create": ("b", lambda w: [{"slug": w.b.slug, "kind": k}
                                               for k in RECORD_KINDS]),
    "vendors:record_update": ("b", b_kind_records),
    "vendors:record_archive": ("b", lambda w: [k for k in b_kind_records(w)
                                               if RECORD_KINDS[k["kind"]].archivable]),
    "vendors:record_restore": ("b", lambda w: [k for k in b_kind_records(w)
                                               if RECORD_KINDS[k["kind"]].archivable]),
    "login": ("open", none),
    "logout": ("open", none),
    "password_change": ("open", none),
    "password_change_done": ("open", none),
    "password_reset": ("open", none),
    "password_reset_done": ("open", none),
    "password_reset_confirm": ("open", reset_link),
    "password_reset_complete": ("open", none),
    "accounts:profile": ("open", none),
    "accounts:token_create": ("open", none),
    "accounts:token_revoke": ("b", lambda w: [{"pk": w.b_token.pk}]),
    "accounts:user_list": ("denied", none),
    "accounts:user_create": ("denied", none),
    "accounts:user_detail": ("denied", people),
    "accounts:user_update": ("denied", people),
    "accounts:user_active": ("denied", people),
    "accounts:user_invite": ("denied", people),
    "status": ("denied", none),
    "healthz": ("open", none),
    "healthz_process": ("open", lambda w: [{"process": "worker"}, {"process": "beat"}]),
    "api-schema": ("open", none),
    "api-docs": ("open", none),
    "me": ("open", none),
    "token-list": ("open", none),
    "token-detail": ("b", lambda w: [{"pk": w.b_token.pk}]),
    "token-revoke": ("b", lambda w: [{"pk": w.b_token.pk}]),
    **{f"{name}-list": ("open", none) for name in API_RECORDS},
    **{f"{name}-detail": ("b", b_pk(kind)) for name, kind in API_RECORDS.items()},
    **{f"{name}-{action}": ("b", b_pk(kind)) for name, kind in API_RECORDS.items()
       for action in ("archive", "restore") if name not in ("assignment", "staffing-change")},
    "staffing-change-resolve": ("b", b_pk("staffing_changes")),
}
for _table in _app_tables():
    ROUTES.update(_table.ROUTES)


def _routes(patterns=None, prefix="", namespace=""):
    """(name, route text) for every URL pattern, admin included."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace]))
            yield from _routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = ":".join(filter(None, [namespace, p.name])) if p.name else ""
            yield name, prefix + str(p.pattern)


def _site_routes():
    return [(name, route) for name, route in _routes() if not route.startswith("admin/")]


def test_every_route_is_in_the_isolation_table():
    missing = sorted({name or route for name, route in _site_routes() if name not in ROUTES})
    assert missing == [], f"add these routes to ROUTES in {__name__}"
    stale = sorted(set(ROUTES) - {name for name, _ in _site_routes()})
    assert stale == [], "these ROUTES entries name no route any more"


def _assert_no_trace_of_b(response, where):
    body = response.content.decode(errors="replace")
    assert SECRET not in body, f"{where} shows something of vendor B"


def _api_client(user):
    from rest_framework.test import APIClient
    _, raw = ApiTokenFactory.with_raw(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_vendor_user_of_a_reaches_nothing_of_vendor_b(client, world, name):
    alice = world.a.vendor_users.get()
    expectation, aim = ROUTES[name]
    is_api = reverse(name, kwargs=aim(world)[0]).startswith("/api/")
    client.force_login(alice)
    caller = _api_client(alice) if is_api else client
    before = _snapshot(world)
    for kwargs in aim(world):
        url = reverse(name, kwargs=kwargs)
        statuses = set()
        methods = ("get", "post", "put", "patch") if is_api else ("get", "post")
        for method in methods:
            if name == "logout" and method == "post":
                continue  # signing out is fine, and would end this test's session
            response = getattr(caller, method)(url, {"vendor": world.b.pk},
                                               **({"format": "json"} if is_api else {}))
            where = f"{method.upper()} {url}"
            _assert_no_trace_of_b(response, where)
            statuses.add(response.status_code)
            if expectation == "b":
                # 405 only for a method the route never serves, whatever the id.
                assert response.status_code in (404, 405), where
            elif expectation == "denied":
                assert response.status_code in (302, 403, 405), where
        if expectation == "b":
            assert 404 in statuses, f"{url} answered {statuses}, never 404"
        if expectation == "open" and is_api:
            filtered = caller.get(url, {"vendor": world.b.pk, "archived": "all"})
            _assert_no_trace_of_b(filtered, f"{url}?vendor=B")
    assert _snapshot(world) == before, f"{name} changed vendor B's data"


def _snapshot(w):
    b = Vendor.objects.get(pk=w.b.pk)
    return (b.name, b.archived_at, b.history.count(),
            sorted(StaffingChange.objects.filter(vendor=b).values_list("status", flat=True)),
            w.b_people["olga"].assignments.count(),
            type(w.b_token).objects.get(pk=w.b_token.pk).revoked_at,
            w.b_people["charlie"].__class__.objects.get(pk=w.b_people["charlie"].pk).is_active)


def test_line_manager_of_a_cannot_reach_b_through_a_slug(client, world):
    """Mixing A's address with B's record ids finds nothing either."""
    liam = world.a.assignments.get().user
    client.force_login(liam)
    for kind in RECORD_KINDS:
        pk = world.b_records[kind].pk
        for name in ("vendors:record_update", "vendors:record_archive"):
            if name.endswith("archive") and not RECORD_KINDS[kind].archivable:
                continue
            url = reverse(name, kwargs={"slug": world.a.slug, "kind": kind, "pk": pk})
            missing = reverse(name, kwargs={"slug": world.a.slug, "kind": kind, "pk": 999_999})
            # Where Liam may act the answer is 404; where his role may not, 403 for B's id
            # and for an id that exists nowhere alike: either way nothing tells B's ids apart.
            assert client.get(url).status_code == client.get(missing).status_code, url
            assert client.get(url).status_code in (403, 404), url
    for name, kind in [("vendors:principle", "principles"),
                       ("vendors:staffing_change_resolve", "staffing_changes"),
                       ("vendors:assignment_remove", "assignments")]:
        url = reverse(name, kwargs={"slug": world.a.slug, "pk": world.b_records[kind].pk})
        missing = reverse(name, kwargs={"slug": world.a.slug, "pk": 999_999})
        assert client.get(url).status_code == client.get(missing).status_code, url
        assert client.get(url).status_code in (403, 404), url


def test_vendor_user_cannot_file_a_staffing_change_for_another_vendor(world):
    alice = world.a.vendor_users.get()
    response = _api_client(alice).post("/api/v1/staffing-changes/", {
        "vendor": world.b.pk, "kind": "add", "reason": "let me in"}, format="json")
    assert response.status_code == 400
    assert "vendor" in response.json()
    nowhere = _api_client(alice).post("/api/v1/staffing-changes/", {
        "vendor": 999_999, "kind": "add", "reason": "let me in"}, format="json")
    digits = re.compile(r"\d+")
    assert digits.sub("N", response.text) == digits.sub("N", nowhere.text)
    assert not StaffingChange.objects.filter(vendor=world.b, reason="let me in").exists()


def test_admin_site_is_closed_to_vendor_users(client, world):
    client.force_login(world.a.vendor_users.get())
    admin_routes = [route for _, route in _routes() if route.startswith("admin/")]
    assert admin_routes
    for route in admin_routes:
        url = "/" + re.sub(r"<[^>]+>|\(\?P<[^>]+>[^)]+\)", str(world.b.pk), route)
        url = url.replace("^", "").replace("$", "").replace("\\", "")
        response = client.get(url)
        if route in ("admin/login/", "admin/logout/"):
            continue  # the admin's own sign-in and sign-out
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/"), url
        _assert_no_trace_of_b(response, url)
