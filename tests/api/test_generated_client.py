"""The API as its consumers use it: through a typed client generated from the OpenAPI
schema (openapi-python-client, as a vendor's integration team would generate one).

Every read operation of the generated client is called with a vendor user's token and with
an internal one. The generated models parse each response strictly: a field the schema
calls required but the response lacks, an enum value or a date form the schema does not
allow, raises. Beyond that, each parsed record must turn back into exactly the JSON that
was sent (nothing the schema does not describe, which the models would keep aside as
"additional properties", and nothing lost). So the schema and the responses cannot drift
apart without this failing, and a new resource is covered as soon as it is in the schema.
"""

import datetime as dt
import importlib
import inspect
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

from healthchecks.choices import Group
from tests.api.records import records_of
from tests.factories import ApiTokenFactory, AssignmentFactory, VendorFactory
from tests.healthchecks.factories import collecting, invite

PACKAGE = "vendorgov_generated_client"
MOMENT_IN_UTC = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package, generated from the schema the site serves."""
    folder = tmp_path_factory.mktemp("generated")
    schema = folder / "openapi.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(schema),
                 "--fail-on-warn")
    run = subprocess.run(
        [str(Path(sys.executable).parent / "openapi-python-client"), "generate",
         "--path", str(schema), "--meta", "none", "--output-path", str(folder / PACKAGE)],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    # Its only complaint may be that it cannot run ruff over what it wrote.
    assert "Warning" not in run.stdout.replace(
        "Warning(s) encountered while generating. Client was generated, but some pieces "
        "may be missing", "").replace("ruff is not in PATH", ""), run.stdout
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def records(keep_connection, vendor_a, vendor_b, vendor_manager):
    for vendor, tag in ((vendor_a, "Acme"), (vendor_b, "Borealis")):
        records_of(vendor, tag)
    AssignmentFactory(vendor=vendor_a)
    # A survey is listed only to the person asked to answer it.
    invite(collecting(VendorFactory()), Group.IT, email=vendor_manager.email)


def _client(generated, user):
    _, raw = ApiTokenFactory.with_raw(user)
    transport = httpx.WSGITransport(app=get_wsgi_application())
    return generated.AuthenticatedClient(
        base_url="http://testserver", token=raw, raise_on_unexpected_status=True,
        httpx_args={"transport": transport})


def _operations(generated, suffix):
    """{resource tag.operation: module} of the generated client's operations ending in
    `suffix` ("_list", "_retrieve")."""
    api = importlib.import_module(f"{PACKAGE}.api")
    found = {}
    for tag in pkgutil.iter_modules(api.__path__):
        package = importlib.import_module(f"{PACKAGE}.api.{tag.name}")
        for operation in pkgutil.iter_modules(package.__path__):
            if operation.name.endswith(suffix):
                found[f"{tag.name}.{operation.name}"] = importlib.import_module(
                    f"{package.__name__}.{operation.name}")
    return found


def _required(module) -> list[str]:
    return [name for name, p in inspect.signature(module.sync_detailed).parameters.items()
            if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD]


def _no_extras(parsed, where):
    """No part of a parsed response holds a field the schema does not describe."""
    extras = getattr(parsed, "additional_properties", None)
    assert not extras, f"{where}: fields the schema does not describe: {sorted(extras)}"
    for value in vars(parsed).values() if hasattr(parsed, "__dict__") else ():
        for item in value if isinstance(value, list) else [value]:
            if hasattr(item, "to_dict"):
                _no_extras(item, where)


def _read(module, client, where, *args):
    response = module.sync_detailed(*args, client=client)
    assert response.status_code == 200, (where, response.content[:300])
    parsed = response.parsed
    assert hasattr(parsed, "to_dict"), (where, type(parsed))
    _no_extras(parsed, where)
    # The client writes UTC as +00:00 where the API writes Z: the same moment.
    sent = json.loads(response.content, object_hook=lambda o: {
        k: v[:-1] + "+00:00" if isinstance(v, str) and MOMENT_IN_UTC.fullmatch(v) else v
        for k, v in o.items()})
    assert parsed.to_dict() == sent, (where, _difference(parsed.to_dict(), sent))
    return parsed


def _difference(mine, sent, path=""):
    """The first place where two JSON values differ, for the failure message."""
    if isinstance(mine, dict) and isinstance(sent, dict):
        for key in sorted(set(mine) | set(sent)):
            if mine.get(key, "<absent>") != sent.get(key, "<absent>"):
                return _difference(mine.get(key, "<absent>"), sent.get(key, "<absent>"),
                                   f"{path}.{key}")
    if isinstance(mine, list) and isinstance(sent, list) and len(mine) == len(sent):
        for n, (a, b) in enumerate(zip(mine, sent, strict=True)):
            if a != b:
                return _difference(a, b, f"{path}[{n}]")
    return f"{path}: parsed {mine!r}, sent {sent!r}"


@pytest.mark.parametrize("who", ["vendor_manager", "alice"])
def test_every_read_of_the_generated_client_parses_into_its_models(
        generated, records, request, who, vendor_a):
    user = request.getfixturevalue(who)
    client = _client(generated, user)
    lists = _operations(generated, "_list")
    retrieves = _operations(generated, "_retrieve")
    me = _read(retrieves.pop("accounts.me_retrieve"), client, "me")
    assert me.username == user.username
    first_ids = {}
    for where, module in sorted(lists.items()):
        assert _required(module) == [], where  # a list takes no required parameter
        page = _read(module, client, where)
        if who == "vendor_manager":
            assert page.results, f"{where}: nothing to read (records.py makes one of each)"
        for row in page.results:
            if isinstance(getattr(row, "vendor", None), int):
                assert who == "vendor_manager" or row.vendor == vendor_a.pk, where
        if page.results:
            first_ids[where.removesuffix("_list")] = page.results[0].id
    read = set()
    for where, module in sorted(retrieves.items()):
        # A record's read (`meetings_retrieve`) or one of its parts (`meetings_agenda_…`),
        # with the first id of the list it belongs to.
        assert _required(module) == ["id"], where
        of = max((name for name in first_ids if where.startswith(name + "_")),
                 key=len, default=None)
        if of is not None:
            one = _read(module, client, where, first_ids[of])
            assert getattr(one, "id", first_ids[of]) == first_ids[of], where
            read.add(where)
    if who == "vendor_manager":  # every read by id was reached through a list
        assert read == set(retrieves)


def test_a_vendor_user_writes_through_the_generated_models(generated, records, alice,
                                                           vendor_a, vendor_b):
    client = _client(generated, alice)
    models = importlib.import_module(f"{PACKAGE}.models")
    create = importlib.import_module(f"{PACKAGE}.api.suggestions.suggestions_create")
    update = importlib.import_module(f"{PACKAGE}.api.suggestions.suggestions_partial_update")
    read = importlib.import_module(f"{PACKAGE}.api.suggestions.suggestions_retrieve")
    category = list(models.CategoryEnum)[0]

    made = create.sync_detailed(client=client, body=models.SuggestionRequest(
        vendor=vendor_a.pk, title="Patch status from the CMDB",
        description="A weekly report generated instead of typed.", category=category))
    assert made.status_code == 201, made.content
    changed = update.sync_detailed(made.parsed.id, client=client,
                                   body=models.PatchedSuggestionRequest(title="Patch report"))
    assert changed.status_code == 200, changed.content
    again = read.sync(made.parsed.id, client=client)
    assert (again.title, again.vendor, again.category) == ("Patch report", vendor_a.pk,
                                                           category)

    # Another vendor's id is refused as unknown, in the error shape the schema describes.
    refused = create.sync_detailed(client=client, body=models.SuggestionRequest(
        vendor=vendor_b.pk, title="x", description="y", category=category))
    assert refused.status_code == 400 and list(json.loads(refused.content)) == ["vendor"]


def test_an_internal_user_creates_an_action_item_with_a_date(generated, records,
                                                             vendor_manager, vendor_a):
    client = _client(generated, vendor_manager)
    models = importlib.import_module(f"{PACKAGE}.models")
    create = importlib.import_module(f"{PACKAGE}.api.action_items.action_items_create")
    due = dt.date(2027, 1, 15)
    made = create.sync_detailed(client=client, body=models.ActionItemRequest(
        vendor=vendor_a.pk, title="Send the disaster-recovery test plan", due_on=due,
        owner_user=vendor_manager.pk))
    assert made.status_code == 201, made.content
    assert (made.parsed.due_on, made.parsed.vendor) == (due, vendor_a.pk)
