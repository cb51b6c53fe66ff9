"""What a page's reader reads as plain rows (vendorgov.api.lists.RowsOfPage, the lists'
name columns) is what Django and DRF give, with the SQL built once."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import signals
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
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
from vendorgov.api.pagination import _records
from vendorgov.api.representation import FastRepresentationMixin
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
    # The page and its bounded count only, and the ids of an impediment page's rows
    # (chosen first, see the next test); the token's lookup is compiled once too.
    assert len(compiled) == (3 if name == "impediment-list" else 2)


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


def _state_free(record) -> dict:
    return {k: v for k, v in record.__dict__.items() if k != "_state"}


@pytest.mark.parametrize("model", [Impediment, Meeting, Suggestion, Decision])
def test_a_pages_records_are_what_django_makes(client, model):
    queryset = model.objects.order_by("pk")
    if model is Meeting:  # a column not read stays deferred, loaded when asked for
        queryset = queryset.defer("agenda_snapshot")
    made, django = _records(queryset.all()), list(queryset.all())
    assert made and [_state_free(r) for r in made] == [_state_free(r) for r in django]
    for record in made:
        assert type(record) is model and not record._state.adding
        assert record._state.db == django[0]._state.db
    if model is Meeting:
        assert made[0].get_deferred_fields() == {"agenda_snapshot"}
        assert made[0].agenda_snapshot == model.objects.get(pk=made[0].pk).agenda_snapshot


def test_a_page_of_a_model_with_init_receivers_is_made_by_django(client):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    signals.post_init.connect(receiver, sender=Suggestion)
    try:
        made = _records(Suggestion.objects.order_by("pk"))
    finally:
        signals.post_init.disconnect(receiver, sender=Suggestion)
    assert seen == [record.pk for record in made] and made


@pytest.mark.parametrize("name", ["impediment-list", "suggestion-list"])
def test_a_list_counts_and_chooses_its_rows_without_what_they_show(client, name):
    """A list that joins what its rows show (who raised or submitted them, the vendor's
    escalation limit) counts and chooses its page on its own table: the database joins the
    page's rows only, not every row it counts and sorts."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name), {"page_size": 5}).status_code == 200
    page = next(q["sql"] for q in queries.captured_queries if "_vg_bounded" in q["sql"])
    assert '"accounts_user"' in page  # the page's rows do show names
    count = page.split("(SELECT COUNT(*) FROM (", 1)[1].split(") _vg_bounded", 1)[0]
    chosen = page.split(" IN (SELECT ", 1)[1]
    for inner in (count, chosen):
        assert "JOIN" not in inner, inner


@pytest.mark.parametrize("name", ["impediment-list", "sla-list", "meeting-list"])
def test_a_pages_nested_row_conversions_are_built_once(client, name, monkeypatch):
    """The conversions of a page's nested rows (an impediment's updates and escalations, an
    SLA's versions, a meeting's decisions: their serializers' fields) are built once, not
    on every request."""
    nested = {"impediment-list": "updates", "sla-list": "versions",
              "meeting-list": "decisions"}[name]
    assert client.get(reverse(name), {"page_size": 100}).status_code == 200
    built, get_fields = [], FastRepresentationMixin.get_fields

    def recording(serializer):
        if serializer.parent is None:  # a serializer of its own, not a list's fields
            built.append(type(serializer).__name__)
        return get_fields(serializer)

    monkeypatch.setattr(FastRepresentationMixin, "get_fields", recording)
    rows = client.get(reverse(name), {"page_size": 100}).json()["results"]
    assert any(row[nested] for row in rows)
    assert set(built) <= {"ImpedimentSerializer", "SLASerializer", "MeetingSerializer"}


def test_an_impediment_pages_updates_are_written_in_the_time_zone_in_force(client):
    """A timestamp's conversion holds the time zone it writes in: kept conversions are kept
    per zone, so a list shows an update's time as its record does in any zone."""
    url = reverse("impediment-list")
    for zone in ("UTC", "America/New_York", "UTC"):
        with timezone.override(zone):
            rows = client.get(url, {"page_size": 100}).json()["results"]
            row = next(row for row in rows if row["updates"])
            assert row["updates"] == client.get(row["url"]).json()["updates"], zone
            offset = "-0" if zone == "America/New_York" else "Z"
            assert all(offset in u["created_at"] for u in row["updates"]), zone
