"""Every page and every API list runs the same SQL at any portfolio size: the same number of
queries with 2 vendors as with 6 (each with records in every app), never more than
MAX_QUERIES (or the route's asserted ceiling in CEILINGS), and never the same query twice in
one request.

The routes come from the URLconf and are aimed at real records through the isolation table
(tests/test_isolation.py), so a page or list added tomorrow is measured the day it exists.
Pages are opened (GET) as a vendor manager, who may see every one of them, and the home
page, a different dashboard per role, as every other role too (the people who see only their
vendors are assigned to every vendor at both sizes); API lists are read with a vendor user's
token and with an internal (vendor manager's) token, a page of 100. A route that
legitimately cannot comply is in ALLOWED with the reason.

Everything is measured in one pass per size (building the bigger portfolio once), each
request in a transaction rolled back after it, so no request sees another's writes.
"""

import tempfile
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from dashboards.models import PackJob, PackJobStatus
from tests import test_isolation
from tests.factories import ApiTokenFactory, AssignmentFactory, UserFactory, VendorFactory
from tests.shared_data import built_once
from tests.test_isolation import ROUTES
from vendorgov.roles import Role
from vendors.choices import AssignmentRole
from vendors.models import Vendor

pytestmark = pytest.mark.django_db

MAX_QUERIES = 25
SMALL, LARGE = 2, 6

#: Routes exempt from the rules, each with why. Keep it short: everything else complies.
#: (Not measured at all: the admin, the API schema and docs, which read no portfolio data,
#: and routes that take no GET, such as sign-out.)
ALLOWED: dict[str, str] = {}

_PACK = ("one vendor's quarterly review pack: 8 sections read from 5 apps through their own "
         "selectors, no table read twice (session, user, vendor 3; scorecard page with its "
         "SLA-fed measures 9; the quarter's 3 monthly SLA reports 9 together; impediments 2; "
         "decisions needed 4; corrective actions for review 2; innovations 2; health 4; "
         "decisions, action items, signs, SLA trend 1 each)")
#: Routes that need more than MAX_QUERIES, each with its measured count as a ceiling (asserted:
#: one query more fails) and why. Every other rule still holds: no query twice, the same count
#: at both portfolio sizes.
CEILINGS: dict[str, tuple[int, str]] = {
    "dashboards:pack": (39, _PACK),
    "dashboards:pack_csv": (39, _PACK + "; the CSV of one table builds the same pack"),
    "dashboards:pack_pdf": (39, _PACK + "; the PDF renders the same pack"),
}

#: Routes whose aim in the isolation table answers something else than 200 on purpose; their
#: queries are still measured.
STATUS = {
    "governance:calendar_feed": (404, "aimed at a revoked feed"),
    "scorecards:evidence": (404, "the actual has no evidence file"),
    "healthz_process": (503, "no worker or beat runs during the test"),
    "healthchecks:survey": (404, "aimed at a made-up survey link"),
    "healthchecks:my_survey": (404, "aimed at a survey someone else was asked to answer"),
}

#: Pages that do not comply yet, each with why: measured, and expected to comply once their
#: work is done (then delete the entry); until then they must still answer, and their
#: figures are printed, not asserted. (The home page complies since the role dashboards.)
PENDING: dict[str, str] = {}


def _named(patterns=None, prefix="", namespace=""):
    """(route name, route text, view) of every named URL pattern but the admin's."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern) != "admin/":
                ns = ":".join(filter(None, [namespace, p.namespace]))
                yield from _named(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield ":".join(filter(None, [namespace, p.name])), prefix + str(p.pattern), p.callback


def _takes_get(callback) -> bool:
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is None:
        return True
    names = getattr(callback, "actions", None)
    if names is not None:  # a DRF viewset route: its own method map
        return "get" in names
    return hasattr(view, "get") and "get" in getattr(view, "http_method_names", ["get"])


PAGES = sorted(name for name, route, view in _named()
               if not route.startswith("api/") and _takes_get(view))
API_LISTS = sorted(name for name, route, view in _named()
                   if route.startswith("api/v1/") and name.endswith("-list"))
#: The home page as each role but the vendor manager's (the "page" case); a vendor user is
#: the isolation table's charlie.
HOME_ROLES = {"home as line manager": (Role.LINE_MANAGER, AssignmentRole.LINE_MANAGER),
              "home as executive": (Role.EXECUTIVE, None),
              "home as operations": (Role.OPERATIONS, AssignmentRole.OPERATIONS),
              "home as stakeholder": (Role.STAKEHOLDER, AssignmentRole.IT_STAKEHOLDER)}
HOMES = [*HOME_ROLES, "home as vendor user"]
CASES = [("page", name) for name in PAGES if name not in ALLOWED] + [
    (who, "home") for who in HOMES] + [
    (who, name) for name in API_LISTS if name not in ALLOWED
    for who in ("vendor token", "internal token")]


def _more_vendors(count: int, start: int):
    """Vendors with one of each record of every app (the isolation table's records)."""
    for i in range(start, start + count):
        vendor = VendorFactory(name=f"Portfolio {i}", slug=f"portfolio-{i}")
        assignee = UserFactory(username=f"ops-{i}", role=Role.OPERATIONS)
        test_isolation._records(vendor, f"Pf{i}", assignee)
        for table in test_isolation._app_tables():
            table.records(vendor, f"Pf{i}")


def _own_pack_job(user, media: Path) -> dict:
    """Routes that show only the person's own records, aimed at one of the measuring
    user's: the isolation table aims them at someone else's, a 404 by design. A finished
    portfolio pack job with its PDF on disk, so its page and its download answer 200."""
    (media / "packs").mkdir()
    (media / "packs" / "queries.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    job = PackJob.objects.create(requested_by=user, quarter="2026-Q3", total=2, done=2,
                                 status=PackJobStatus.DONE, file="packs/queries.pdf",
                                 finished_at=timezone.now())
    return {"dashboards:pack_job": {"pk": job.pk},
            "dashboards:pack_job_download": {"pk": job.pk}}


def _measure(world, clients, aims) -> dict:
    """(kind, route) → (status, [SQL of each query]) for every case, at the current size."""
    results = {}
    for who, name in CASES:
        client = clients[who]
        kwargs = aims.get(name) or (ROUTES[name][1](world)[0] if name in ROUTES else {})
        url = reverse(name, kwargs=kwargs)
        data = {"page_size": 100} if who.endswith("token") else {}
        for _warm_then_measure in range(2):
            with transaction.atomic():
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url, data)
                transaction.set_rollback(True)
        sql = [q["sql"] for q in queries.captured_queries
               if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT",
                                           "ROLLBACK TO SAVEPOINT"))]
        results[(who, name)] = (response.status_code, sql)
    return results


def _build_and_measure():
    world = test_isolation._build_world()
    vera = UserFactory(username="vera-queries", role=Role.VENDOR_MANAGER)
    page_client = Client()
    page_client.force_login(vera)
    clients = {"page": page_client}
    for who, user in (("vendor token", world.b_people["charlie"]), ("internal token", vera)):
        _, raw = ApiTokenFactory.with_raw(user)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        clients[who] = api
    assigned = {}
    for who, (role, assignment_role) in HOME_ROLES.items():
        user = UserFactory(username=f"{role}-queries", role=role)
        clients[who] = Client()
        clients[who].force_login(user)
        if assignment_role:
            assigned[user] = assignment_role
    clients["home as vendor user"] = Client()
    clients["home as vendor user"].force_login(world.b_people["charlie"])

    def assign_everywhere():
        for user, assignment_role in assigned.items():
            for vendor in Vendor.objects.exclude(assignments__user=user):
                AssignmentFactory(vendor=vendor, user=user, role=assignment_role)

    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        aims = _own_pack_job(vera, Path(media))
        assign_everywhere()
        small = _measure(world, clients, aims)
        _more_vendors(LARGE - SMALL, start=SMALL)
        assign_everywhere()
        large = _measure(world, clients, aims)
    return small, large


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, _build_and_measure)


def test_every_page_and_api_list_is_measured():
    """The lists come from the URLconf: a new page or list is measured without a change here."""
    assert len(PAGES) > 100 and len(API_LISTS) > 25
    assert (set(ALLOWED) | set(PENDING) | set(STATUS) | set(CEILINGS)
            <= set(PAGES) | set(API_LISTS)), "stale"


def _problems(name, small, large) -> list[str]:
    (_, sql_small), (status, sql) = small, large
    problems = []
    if status >= 400 and status != STATUS.get(name, (None,))[0]:
        problems.append(f"answered {status}")
    if len(sql) != len(sql_small):
        problems.append(f"{len(sql_small)} queries with {SMALL} vendors, {len(sql)} with {LARGE}")
    limit = CEILINGS.get(name, (MAX_QUERIES,))[0]
    if len(sql) > limit:
        problems.append(f"{len(sql)} queries (at most {limit})")
    twice = [q for q, n in Counter(sql).items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} queries run more than once, e.g. {twice[0][:300]}")
    return problems


@pytest.mark.parametrize(("who", "name"), CASES, ids=[f"{w}:{n}" for w, n in CASES])
def test_queries_do_not_grow_with_the_portfolio(measured, who, name):
    small, large = measured
    problems = _problems(name, small[(who, name)], large[(who, name)])
    if name in PENDING:
        print(f"pending ({PENDING[name]}): {'; '.join(problems) or 'complies'}")
        problems = [p for p in problems if p.startswith("answered")]
    assert problems == [], f"{who} GET {name}: " + "; ".join(problems)
