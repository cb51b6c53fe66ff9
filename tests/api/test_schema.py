"""The OpenAPI schema documents the API completely, without a single warning."""

import io

import yaml
from django.core.management import call_command
from django.urls import reverse


def test_schema_generates_and_validates_without_warnings(db, tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target),
                 stdout=io.StringIO(), stderr=io.StringIO())
    schema = yaml.safe_load(target.read_text())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("tags"), f"{method} {path} has no tag"
            assert "401" in operation["responses"], f"{method} {path} omits 401"
            if "{id}" in path:
                assert "404" in operation["responses"], f"{method} {path} omits 404"
            if method in ("post", "put", "patch"):
                assert "400" in operation["responses"], f"{method} {path} omits 400"
                assert "403" in operation["responses"], f"{method} {path} omits 403"


def test_schema_offers_no_delete(db, tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target), stdout=io.StringIO(),
                 stderr=io.StringIO())
    schema = yaml.safe_load(target.read_text())
    assert not [p for p, ops in schema["paths"].items() if "delete" in ops]


def test_schema_and_docs_are_served(client, line_manager):
    client.force_login(line_manager)
    assert client.get(reverse("api-schema")).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200
