"""Fuzzing the API from its own OpenAPI schema (schemathesis, in-process over WSGI).

The schema is read from /api/schema/ as a client would read it. Every operation of the
resources in RESOURCES is called with generated requests, valid and invalid, authenticated
with a real `Authorization: Bearer` token as

* a vendor manager, who sees every vendor: schemathesis' coverage phase (boundary values,
  every kind of invalid input, methods the path does not allow) and its fuzzing phase;
* a vendor user of vendor A while vendor B has records too: the fuzzing phase, with an
  extra check of the isolation rule (vendor B's records answer 404, never 403, and no
  answer shows vendor B).

Every check schemathesis has runs on every answer; above all: it is one the schema
documents (status code, content type, body), invalid input is refused with a 4xx, nothing
answers 5xx, authentication is enforced, and a request that is valid by the schema is only
refused by a rule of the data that a schema cannot state (DATA_RULES, writes only).

Generated ids rarely exist; hooks swap most of the valid ones for ids of real records (of
both vendors), so detail routes, actions and creates are reached too.

Deterministic: a fixed seed, Hypothesis derandomized, no example database (see SEED).
"""

import os
import re

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from accounts.models import ApiToken
from tests.factories import (
    ApiTokenFactory,
    AssignmentFactory,
    ContactFactory,
    ContractFactory,
    PrincipleFactory,
    ServiceFactory,
    StaffingChangeFactory,
    StaffMemberFactory,
)
from vendorgov.api.fields import MAX_ID
from vendors.models import (
    Contact,
    Contract,
    GuidingPrinciple,
    Service,
    StaffingChange,
    StaffMember,
    Vendor,
    VendorAssignment,
)

#: Fuzzing-phase examples per operation and caller (the coverage phase adds its own, a
#: fixed set per operation), and the seed. For a deeper search than CI's, e.g.
#: FUZZ_EXAMPLES=500 FUZZ_SEED=7 pytest tests/api/test_fuzz.py
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("FUZZ_SEED", "20260401"))

#: The resources fuzzed here, by the first segment of their path under /api/v1/, with their
#: model (for real ids): those of `accounts` and `vendors`, and /me/. Another app's API
#: joins once it is built on the strict building blocks (vendorgov.api.fields, .filters,
#: .pagination): add its resources here, its writes' rules to DATA_RULES and its id fields
#: to BODY_REFERENCES / QUERY_REFERENCES. Until then it is NOT fuzzed.
RESOURCES = {
    "me": None,
    "tokens": ApiToken,
    "vendors": Vendor,
    "services": Service,
    "contracts": Contract,
    "contacts": Contact,
    "assignments": VendorAssignment,
    "guiding-principles": GuidingPrinciple,
    "staff": StaffMember,
    "staffing-changes": StaffingChange,
}
#: Fields that name records by id, in bodies and in queries.
BODY_REFERENCES = {"vendor": Vendor, "staff_member": StaffMember}
QUERY_REFERENCES = {"vendor": Vendor, "user": get_user_model()}

WRITES = ["POST", "PUT", "PATCH"]

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {
        # Credentials are ours (a real token per caller), not generated.
        "with-security-parameters": False,
    },
    "checks": {
        # A write that is valid by the schema can still break a rule of the data that a
        # schema cannot state: an id of a record that does not exist or is not the
        # caller's, a unique name, an end before a start, a moment in the past. Those are
        # 400s, so this check lets a 400 pass, and `only_data_rules_reject` takes over:
        # a schema-valid write may only be refused on the fields in DATA_RULES, and a
        # schema-valid read never.
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]},
    },
})

#: Per resource, the fields whose rules the schema cannot state (see CONFIG).
DATA_RULES = {
    "vendors": {"name", "slug"},  # unique; names case-insensitively
    "services": {"vendor", "non_field_errors"},  # a visible vendor; unique name per vendor
    "contracts": {"vendor", "end_date", "non_field_errors"},  # end >= start; unique ref.
    "contacts": {"vendor"},
    "guiding-principles": {"vendor"},
    "staff": {"vendor", "ended_on"},  # leaves on or after starting
    # a visible vendor, and a person of that vendor as the kind needs; not needed before
    # the request; kind and person fixed once requested; resolved stays resolved
    "staffing-changes": {"vendor", "staff_member", "needed_by", "kind", "status",
                         "new_person_name"},
    "tokens": {"expires_at"},  # in the future
}

# The schema is read from the application itself, in-process.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/", get_wsgi_application(), config=CONFIG,
).include(path_regex=rf"^/api/v1/(?:{'|'.join(map(re.escape, RESOURCES))})/")

PATH = re.compile(r"^/api/v1/(?P<resource>[^/]+)/")

#: Tokens the callers authenticate with, never handed to the fuzzer (it would revoke them).
_caller_tokens: set[int] = set()


def _resource(operation) -> str:
    match = PATH.match(operation.path)
    return match["resource"] if match else ""


def _real_id(model, generated):
    """Most valid generated ids become the id of a real record; every fourth is kept, so
    ids that do not exist are tried too. Only ids that are valid by the schema are swapped,
    for valid ones: a request that was invalid stays invalid, and the other way round."""
    if (not isinstance(generated, int) or isinstance(generated, bool)
            or not 1 <= generated <= MAX_ID or generated % 4 == 0):
        return generated
    ids = list(model.objects.exclude(pk__in=_caller_tokens if model is ApiToken else ())
               .order_by("pk").values_list("pk", flat=True))
    return ids[generated % len(ids)] if ids else generated


@schema.hook
def map_path_parameters(context, path_parameters):
    model = RESOURCES.get(_resource(context.operation))
    if model is not None and path_parameters and "id" in path_parameters:
        path_parameters["id"] = _real_id(model, path_parameters["id"])
    return path_parameters


@schema.hook
def map_body(context, body):
    if isinstance(body, dict):
        for name, model in BODY_REFERENCES.items():
            if name in body:
                body[name] = _real_id(model, body[name])
    return body


@schema.hook
def map_query(context, query):
    if isinstance(query, dict):
        for name, model in QUERY_REFERENCES.items():
            if name in query:
                query[name] = _real_id(model, query[name])
    return query


def only_data_rules_reject(ctx, response, case):
    """A request that is valid by the schema is only refused (400) by a rule in DATA_RULES,
    and only if it is a write."""
    meta = case.meta
    if (response.status_code != 400 or meta is None
            or meta.generation.mode is not GenerationMode.POSITIVE):
        return None
    allowed = set()
    if case.method.upper() in WRITES:
        allowed = DATA_RULES.get(_resource(case.operation), set())
    refused = set(response.json())
    assert refused <= allowed, (
        f"a request that is valid by the schema was refused on {sorted(refused - allowed)}, "
        f"which the schema does not explain: {response.text}")
    return None


class Caller:
    """Who calls: a user with a real token, the checks their answers get, and for a vendor
    user the vendor they must never see."""

    def __init__(self, user, *, hidden_vendor=None):
        self.user = user
        self.hidden_vendor = hidden_vendor
        self.token, raw = ApiTokenFactory.with_raw(user)
        self.headers = {"Authorization": f"Bearer {raw}"}
        _caller_tokens.add(self.token.pk)
        self.checks = [only_data_rules_reject]
        if hidden_vendor is not None:
            self.checks.append(self.isolation)
        #: Operations whose authentication `ignored_auth` has seen enforced. It probes every
        #: successful answer again without and with bad credentials; once per operation
        #: proves as much and saves a third of the requests.
        self.auth_enforced: set[str] = set()

    def call_and_validate(self, case):
        label = case.operation.label
        excluded = [schemathesis.checks.ignored_auth] if label in self.auth_enforced else []
        response = case.call_and_validate(headers=self.headers, additional_checks=self.checks,
                                          excluded_checks=excluded)
        if 200 <= response.status_code < 300:
            self.auth_enforced.add(label)
        if case.operation.path.endswith("/revoke/"):
            # A revoke aimed at a made-up id may have hit the caller's own token: undo it.
            ApiToken.objects.filter(pk=self.token.pk).update(revoked_at=None)

    def isolation(self, ctx, response, case):
        """Vendor B's records answer 404, like missing ones; no answer shows vendor B."""
        hidden = self.hidden_vendor
        model = RESOURCES.get(_resource(case.operation))
        record_id = case.path_parameters.get("id") if case.path_parameters else None
        if model is not None and isinstance(record_id, int):
            if model is Vendor:
                foreign = record_id == hidden.pk
            elif model is ApiToken:
                foreign = ApiToken.objects.filter(pk=record_id).exclude(user=self.user).exists()
            else:
                foreign = model.objects.filter(pk=record_id, vendor=hidden).exists()
            assert not foreign or response.status_code == 404, (
                f"{case.operation.label} on another vendor's record answered "
                f"{response.status_code}, not 404")
        assert hidden.name not in response.text, "the answer names another vendor"
        if response.status_code < 300 and response.text:
            shown = set(re.findall(r'"vendor":\s*(\d+)', response.text))
            assert shown <= {str(self.user.vendor_id)}, f"the answer shows vendors {shown}"
        return None


def _records_of(vendor):
    ServiceFactory(vendor=vendor)
    ContractFactory(vendor=vendor)
    ContactFactory(vendor=vendor)
    PrincipleFactory(vendor=vendor)
    member = StaffMemberFactory(vendor=vendor)
    StaffingChangeFactory(vendor=vendor)
    StaffingChangeFactory(vendor=vendor, kind="remove", staff_member=member)


@pytest.fixture
def keep_connection(db):
    """The app runs inside the test's transaction: Django must not close its connection
    at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["vendor_manager", "vendor_user"])
def caller(request, keep_connection, vendor_a, vendor_b, vendor_manager, alice, charlie,
           line_manager):
    for vendor in (vendor_a, vendor_b):
        _records_of(vendor)
    AssignmentFactory(vendor=vendor_b)
    for user in (vendor_manager, alice, charlie):  # tokens that are nobody else's business
        ApiTokenFactory.with_raw(user)
    if request.param == "vendor_manager":
        yield Caller(vendor_manager)
    else:
        yield Caller(alice, hidden_vendor=vendor_b)
    _caller_tokens.clear()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_api(case, caller):
    if case.meta.phase.name.value == "coverage" and (
            caller.hidden_vendor is not None or case.method.upper() == "PUT"):
        # The coverage phase's cases are a fixed, systematic set about input handling, which
        # is the same whoever calls (run as the manager), and the same for PUT as for POST
        # (required fields) and PATCH (every field's values) together. PUT is still fuzzed.
        return
    caller.call_and_validate(case)


def test_the_fuzz_covers_every_listed_resource_with_the_checks_that_matter():
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {_resource(operation) for operation in operations} == set(RESOURCES)
    for phase in ("coverage", "fuzzing"):
        checks = schema.config.checks_config_for(operation=operations[0], phase=phase)
        for name in ("not_a_server_error", "status_code_conformance",
                     "content_type_conformance", "response_schema_conformance",
                     "negative_data_rejection", "positive_data_acceptance", "ignored_auth"):
            assert getattr(checks, name).enabled, (phase, name)
