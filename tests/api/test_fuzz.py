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
both vendors), and most valid time zone names for real ones, so detail routes, actions and
creates are reached too.

Deterministic: a fixed seed, Hypothesis derandomized, no example database (see SEED).
"""

import os
import re

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from accounts.models import ApiToken
from governance.models import ActionItem, Attendance, Cadence, Impediment, Meeting, Suggestion
from healthchecks.models import Cycle, Invitation
from scorecards.models import Actual, Measure, Objective, Period, Perspective, Scorecard
from scorecards.models import Dispute as ScorecardDispute
from signs.models import Sign
from sla.models import (
    SLA,
    BusinessCalendar,
    CorrectiveAction,
    Evaluation,
    Measurement,
    ServiceLevel,
)
from sla.models import Dispute as SlaDispute
from tests.api.records import records_of
from tests.factories import ApiTokenFactory, AssignmentFactory
from vendorgov.api.fields import MAX_ID, NOT_BLANK
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
#: model (for real ids): those of `accounts`, `vendors`, `governance`, `sla` and
#: `scorecards`, and /me/. Another app's API joins once it is built on the strict building
#: blocks (vendorgov.api.fields, .filters, .pagination): add its resources here, its writes'
#: rules to DATA_RULES and its id fields to BODY_REFERENCES / QUERY_REFERENCES, and make
#: records of it for both vendors in `tests/api/records.py`. Until then it is listed in NOT_FUZZED.
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
    # governance
    "cadences": Cadence,
    "meetings": Meeting,
    "attendances": Attendance,
    "action-items": ActionItem,
    "impediments": Impediment,
    "suggestions": Suggestion,
    # sla
    "slas": SLA,
    "sla-service-levels": ServiceLevel,
    "sla-measurements": Measurement,
    "sla-evaluations": Evaluation,
    "sla-corrective-actions": CorrectiveAction,
    "sla-disputes": SlaDispute,
    "sla-calendars": BusinessCalendar,
    # scorecards
    "scorecards": Scorecard,
    "scorecard-measures": Measure,
    "scorecard-periods": Period,
    "scorecard-actuals": Actual,
    "scorecard-disputes": ScorecardDispute,
    # healthchecks
    "health-checks": Cycle,
    "health-check-surveys": Invitation,
    # signs (read-only; vendor users get none)
    "signs": Sign,
}
#: Resources of the API that are not fuzzed yet, each with the reason. None are.
NOT_FUZZED: set[str] = set()
#: Fields that name records by id, in bodies (an id or a list of ids; rows of a bulk
#: submission too) and in queries.
BODY_REFERENCES = {
    "vendor": Vendor, "staff_member": StaffMember,
    "meeting": Meeting, "owner_user": get_user_model(), "owner_contact": Contact,
    "to_user": get_user_model(), "to_contact": Contact, "our_participants": get_user_model(),
    "vendor_participants": Contact,
    "service_level": ServiceLevel, "owner": get_user_model(),
    "objective": Objective, "measure": Measure, "period": Period, "actual": Actual,
}
QUERY_REFERENCES = {
    "vendor": Vendor, "user": get_user_model(),
    "cadence": Cadence, "meeting": Meeting, "owner_user": get_user_model(),
    "owner_contact": Contact,
    "contract": Contract, "sla": SLA, "service_level": ServiceLevel, "evaluation": Evaluation,
    "scorecard": Scorecard, "perspective": Perspective, "objective": Objective,
    "measure": Measure, "period": Period, "actual": Actual,
}

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
    # governance ---------------------------------------------------------------------------
    # a visible vendor; people of the relationship; a time zone the time database knows, and
    # a start time that names one instant on every day it meets (daylight saving); the day
    # fields the frequency needs; a start within five years, an end not before it; the
    # frequency is fixed once created
    "cadences": {"vendor", "frequency", "weekday", "day_of_month", "quarter_month",
                 "start_time", "time_zone", "starts_on", "ends_on", "our_participants",
                 "vendor_participants", "non_field_errors"},
    # moved to a day and time to come (within five years) that exists in the time zone;
    # held from its day on
    "meetings": {"date", "start_time", "time_zone", "status"},
    # a visible vendor, a meeting of that vendor, one owner in the relationship, a due date
    # to come; the meeting is fixed once raised
    "action-items": {"vendor", "meeting", "owner_user", "owner_contact", "due_on"},
    # a visible vendor, owners in the relationship, a new one is open, resolving says how;
    # updates and escalations only while open, to someone on the step
    "impediments": {"vendor", "owner_user", "owner_contact", "status", "resolution", "text",
                    "to_user", "to_contact"},
    # a visible vendor; a new one is submitted; only our side moves it on, one step at a
    # time, with its rationale and (for the outcome review) its value and lessons; its text
    # is fixed once decided
    "suggestions": {"vendor", "status", "rationale", "realised_value", "lessons", "title"},
    # sla ------------------------------------------------------------------------------------
    # a service level the caller may submit to, a window that has ended and that its version
    # governs, a value its unit allows, the unit it is measured in, an external id not used
    # for another value, one value per window in a batch
    "sla-measurements": {"service_level", "window_start", "value", "unit", "external_id"},
    # healthchecks ---------------------------------------------------------------------------
    # answers to questions of this survey, while it collects input and until submitted
    "health-check-surveys": {"answers"},
    # only a breach is disputed, once, within the dispute window
    "sla-evaluations": {"non_field_errors"},
    # decided once; only an accepted dispute corrects the value, and the value must fit
    "sla-disputes": {"non_field_errors", "corrected_value"},
    # closed ones stay closed; closing needs the root cause, the side and the verification;
    # an owner of ours or of this vendor
    "sla-corrective-actions": {"non_field_errors", "root_cause", "side_responsible",
                               "verification_note", "owner"},
    # scorecards -----------------------------------------------------------------------------
    # a visible vendor, an objective (and service level) of that vendor's scorecard;
    # thresholds in the order the direction needs, within the possible range
    "scorecard-measures": {"vendor", "objective", "service_level", "data_source", "target",
                           "amber_threshold", "red_threshold", "max_value"},
    # locked once ended
    "scorecard-periods": {"period"},
    # a visible measure that takes actuals and a period of its scorecard that has started
    # and is not locked, values within its range, the side's own value, drafts only, a
    # comment for amber and red, a reason for a change after approval
    "scorecard-actuals": {"measure", "period", "status", "vendor_value", "internal_value",
                          "comment", "reason"},
    # a visible actual that we measured or approved, one open dispute each, resolved once,
    # only an upheld one corrects the value (within the measure's range)
    "scorecard-disputes": {"actual", "status", "corrected_value"},
}

# The schema is read from the application itself, in-process.
whole_schema = schemathesis.openapi.from_wsgi(
    "/api/schema/", get_wsgi_application(), config=CONFIG)
schema = whole_schema.include(
    path_regex=rf"^/api/v1/(?:{'|'.join(map(re.escape, RESOURCES))})/")

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


#: Time zones, with and without daylight saving, north and south, at odd offsets.
TIME_ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
              "Australia/Lord_Howe", "UTC"]


def _real_time_zone(generated):
    """Generated names are rarely time zones; most valid ones (a string of up to 64
    characters, not blank, no NUL) become real ones, every fourth is kept."""
    if (not isinstance(generated, str) or not re.fullmatch(NOT_BLANK, generated)
            or len(generated) > 64):
        return generated
    code = sum(map(ord, generated))
    return generated if code % 4 == 3 else TIME_ZONES[code % len(TIME_ZONES)]


def _real_ids(body: dict) -> dict:
    for name, model in BODY_REFERENCES.items():
        if isinstance(body.get(name), list):
            body[name] = [_real_id(model, value) for value in body[name]]
        elif name in body:
            body[name] = _real_id(model, body[name])
    if "time_zone" in body:
        body["time_zone"] = _real_time_zone(body["time_zone"])
    return body


@schema.hook
def map_body(context, body):
    if isinstance(body, dict):
        _real_ids(body)
        if isinstance(body.get("measurements"), list):  # a bulk submission's rows
            for row in body["measurements"]:
                if isinstance(row, dict):
                    _real_ids(row)
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
    body = response.json()
    if isinstance(body.get("errors"), list):  # a bulk submission's errors, row by row
        refused = {error["field"] for error in body["errors"]}
    else:
        refused = set(body)
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
                foreign = model.objects.filter(pk=record_id,
                                               **{model.vendor_path: hidden}).exists()
            assert not foreign or response.status_code == 404, (
                f"{case.operation.label} on another vendor's record answered "
                f"{response.status_code}, not 404")
        assert hidden.name not in response.text, "the answer names another vendor"
        assert SECRET not in response.text, "the answer shows another vendor's records"
        if response.status_code < 300 and response.text:
            shown = set(re.findall(r'"vendor":\s*(\d+)', response.text))
            assert shown <= {str(self.user.vendor_id)}, f"the answer shows vendors {shown}"
        return None


#: In the texts of vendor B's governance, SLA and scorecard records, so a leak is found by a
#: substring test; long enough that no random token or id contains it by chance.
SECRET = "ZZBQXZ"


@pytest.fixture(params=["vendor_manager", "vendor_user"])
def caller(request, keep_connection, vendor_a, vendor_b, vendor_manager, alice, charlie,
           line_manager):
    for vendor, tag in ((vendor_a, "Acme"), (vendor_b, SECRET)):
        records_of(vendor, tag)
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


def test_the_fuzz_covers_every_resource_of_the_api_with_the_checks_that_matter():
    """Every resource under /api/v1/ is fuzzed: a new one fails here until it is listed in
    RESOURCES (or, while its app is not on the strict building blocks, in NOT_FUZZED)."""
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {_resource(operation) for operation in operations} == set(RESOURCES)
    every = {_resource(result.ok()) for result in whole_schema.get_all_operations()}
    assert every - {""} == set(RESOURCES) | NOT_FUZZED
    for phase in ("coverage", "fuzzing"):
        checks = schema.config.checks_config_for(operation=operations[0], phase=phase)
        for name in ("not_a_server_error", "status_code_conformance",
                     "content_type_conformance", "response_schema_conformance",
                     "negative_data_rejection", "positive_data_acceptance", "ignored_auth"):
            assert getattr(checks, name).enabled, (phase, name)
