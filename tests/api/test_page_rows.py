"""What a page's reader reads as plain rows (vendorgov.api.lists.RowsOfPage, the lists'
name columns) is what Django and DRF give, with the SQL built once."""

import json
from datetime import timedelta

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.urls import reverse
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from governance import services
from governance.api.serializers import DecisionSerializer
from governance.models import (
    Decision,
    Escalation,
    Impediment,
    ImpedimentUpdate,
    Meeting,
    Suggestion,
)
from tests import test_isolation
from tests.factories import ApiTokenFactory, UserFactory
from tests.shared_data import built_once
from vendorgov.api.lists import RowsOfPage
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db


def _build():
    world = test_isolation._build_world()
    vera = UserFactory(username="vera-page-rows", role=Role.VENDOR_MANAGER,
                       first_name="Vera", last_name="Pages")
    for vendor in (world.a, world.b):
        meeting = (Meeting.objects.filter(vendor=vendor, decisions__isnull=False)
                   .order_by("pk").first())
        if meeting.starts_at > timezone.now():  # held only from its day: move it back
            length = meeting.ends_at - meeting.starts_at
            meeting.starts_at = timezone.now() - timedelta(days=1)
            meeting.ends_at = meeting.starts_at + length
            meeting.save(update_fields=["starts_at", "ends_at"])
        services.meeting_hold(meeting, by=vera)
        impediment = Impediment.objects.filter(vendor=vendor).order_by("pk").first()
        services.impediment_add_update(impediment, by=vera, text="Chased again.")
        services.impediment_add_update(impediment, by=vera, text="And again.")
        services.impediment_escalate(impediment, by=vera, note="Please help.")
    # Suggestions and impediments of someone with a full name and of someone known by a
    # username only.
    nameless = UserFactory(username="nameless-page-rows", first_name="", last_name="")
    for vendor, person in ((world.a, vera), (world.b, nameless)):
        first = Suggestion.objects.filter(vendor=vendor).order_by("pk").first()
        Suggestion.objects.filter(pk=first.pk).update(submitted_by=person)
        first = Impediment.objects.filter(vendor=vendor).order_by("pk").first()
        Impediment.objects.filter(pk=first.pk).update(raised_by=person)
    return ApiTokenFactory.client_for(vera)


@pytest.fixture(scope="module")
def client(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, _build)


def _updates(ids):
    return ImpedimentUpdate.objects.filter(impediment_id__in=ids).values_list(
        "impediment_id", "id", "text", "created_at", "author__username")


def test_rows_of_a_page_are_what_values_list_gives_for_any_ids(client):
    rows = RowsOfPage(ImpedimentUpdate, _updates)
    ids = sorted(set(ImpedimentUpdate.objects.values_list("impediment_id", flat=True)))
    # Ids of impediments without updates, and one of no impediment at all.
    others = [*Impediment.objects.exclude(pk__in=ids).values_list("pk", flat=True),
              max(ids) + 1000]
    assert len(ids) >= 2
    # The same number of ids as a compiled query, other ids, one more, one fewer, none.
    for page in (ids, [others[0], *ids[1:]], [*ids, others[0]], ids[:1], [others[0]], []):
        assert rows(page) == list(_updates(page)), page
    assert any(isinstance(row[3], type(timezone.now())) for row in rows(ids))


def test_rows_of_a_page_compile_their_sql_once_per_number_of_ids(client, monkeypatch):
    rows = RowsOfPage(Escalation, lambda ids: Escalation.objects.filter(
        impediment_id__in=ids).values_list("impediment_id", "id", "level", "escalated_on"))
    ids = list(Impediment.objects.order_by("pk").values_list("pk", flat=True)[:4])
    rows(ids)
    compiled = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql",
                        lambda self, *a, **k: compiled.append(1) or as_sql(self, *a, **k))
    assert rows(list(reversed(ids))) == list(Escalation.objects.filter(
        impediment_id__in=ids).values_list("impediment_id", "id", "level", "escalated_on"))
    assert len(compiled) == 1  # the comparison's own query only


def test_a_query_that_is_not_plain_rows_is_run_as_django_runs_it(client):
    rows = RowsOfPage(Impediment, lambda ids: Impediment.objects.filter(pk__in=ids))
    ids = list(Impediment.objects.order_by("pk").values_list("pk", flat=True)[:3])
    assert rows(ids) == list(Impediment.objects.filter(pk__in=ids))
    assert rows(ids) == list(Impediment.objects.filter(pk__in=ids))


@pytest.mark.parametrize("name", ["meeting-list", "impediment-list"])
def test_a_lists_nested_rows_are_not_compiled_again_on_the_next_request(client, name,
                                                                        monkeypatch):
    assert client.get(reverse(name), {"page_size": 100}).status_code == 200
    compiled = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql",
                        lambda self, *a, **k: compiled.append(1) or as_sql(self, *a, **k))
    assert client.get(reverse(name), {"page_size": 100}).status_code == 200
    # The page and its bounded count only (the token's lookup is compiled once too).
    assert len(compiled) == 2


def test_a_meetings_decisions_are_what_their_serializer_gives(client):
    rows = client.get(reverse("meeting-list"), {"page_size": 100}).json()["results"]
    shown = [row for row in rows if row["decisions"]]
    assert shown, "no decision seen"
    for row in shown:
        decisions = Decision.objects.active().filter(meeting_id=row["id"])
        expected = json.loads(JSONRenderer().render(DecisionSerializer(decisions,
                                                                       many=True).data))
        assert row["decisions"] == expected


def test_names_read_as_columns_are_the_records_names(client):
    """Who raised an impediment and who submitted a suggestion are read as columns in a list
    (no user per row): each is `str()` of that user, as the record's own address says."""
    for name, field in (("impediment-list", "raised_by"), ("suggestion-list", "submitted_by")):
        rows = client.get(reverse(name), {"page_size": 100, "archived": "all"}).json()[
            "results"]
        assert {row[field] for row in rows} >= {"Vera Pages", "nameless-page-rows"}, field
        for row in rows:
            assert client.get(row["url"]).json()[field] == row[field]
