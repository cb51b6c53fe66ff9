"""The governance API for vendor account teams and our own tools: what each side may read
and write, and clear answers to bad input (400), state conflicts (409) and other vendors'
records (404)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import ActionItem, Cadence, Impediment, Suggestion
from tests.factories import ContactFactory, UserFactory
from tests.governance.factories import action_item, impediment, suggestion, weekly_cadence

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(name, args=args)


@pytest.fixture
def meeting(vendor_a, line_manager, outsourced_lead, clock):
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with clock(midnight):
        return weekly_cadence(vendor_a, ours=[line_manager], theirs=[outsourced_lead],
                              at=dt.time(0, 5)).meetings.first()


def cadence_body(vendor, **overrides):
    return {"vendor": vendor.pk, "frequency": "weekly", "weekday": 1, "start_time": "10:00",
            "time_zone": "Europe/London", **overrides}


# -- cadences and meetings -----------------------------------------------------------------

def test_line_managers_create_cadences_and_their_meetings_appear(token_client, line_manager,
                                                                  vendor_a, outsourced_lead):
    api = token_client(line_manager)
    response = api.post(url("cadence-list"), cadence_body(
        vendor_a, our_participants=[line_manager.pk],
        vendor_participants=[outsourced_lead.pk]))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["vendor"] == vendor_a.pk and body["rhythm"] == "Every Tuesday"
    meetings = api.get(url("meeting-list"), {"cadence": body["id"]}).json()
    assert meetings["count"] == 8 and meetings["results"][0]["frequency"] == "weekly"


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"weekday": 6, "start_time": "01:30", "starts_on": "2027-03-01"}, "start_time",
     "does not exist in Europe/London"),
    ({"weekday": 6, "start_time": "01:30", "time_zone": "America/New_York",
      "starts_on": "2027-10-01"}, "start_time", "happens twice in America/New_York"),
    ({"time_zone": "Atlantis/Capital"}, "time_zone", "not a time zone name"),
    ({"weekday": None}, "weekday", "day of the week"),
    ({"starts_on": "2027-01-10", "ends_on": "2027-01-01"}, "ends_on", "before the start"),
    ({"starts_on": "9999-12-31"}, "starts_on", "five years"),
    ({"duration_minutes": 5}, "duration_minutes", ""),
])
def test_bad_cadences_are_a_400_naming_the_field(token_client, line_manager, vendor_a,
                                                 overrides, field, words):
    response = token_client(line_manager).post(url("cadence-list"),
                                               cadence_body(vendor_a, **overrides))
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert not Cadence.objects.exists()


def test_a_cadence_keeps_its_tier(token_client, line_manager, vendor_a):
    cadence = weekly_cadence(vendor_a)
    response = token_client(line_manager).patch(url("cadence-detail", cadence.pk),
                                                {"frequency": "monthly"})
    assert response.status_code == 400 and "frequency" in response.json()


def test_vendor_users_read_their_meetings_with_minutes_once_published(token_client, alice,
                                                                      line_manager, meeting,
                                                                      vendor_b):
    weekly_cadence(vendor_b)
    services.meeting_write_minutes(meeting, minutes="Draft")
    services.decision_record(meeting=meeting, text="Go live in May")
    api = token_client(alice)
    listed = api.get(url("meeting-list")).json()
    assert {m["vendor"] for m in listed["results"]} == {meeting.vendor_id}
    detail = api.get(url("meeting-detail", meeting.pk)).json()
    assert detail["minutes"] is None and detail["decisions"] == []
    agenda = api.get(url("meeting-agenda", meeting.pk)).json()
    assert agenda["frozen"] is False
    assert [s["key"] for s in agenda["sections"]][0] == "impediments"
    services.meeting_hold(meeting, by=line_manager)
    detail = api.get(url("meeting-detail", meeting.pk)).json()
    assert detail["minutes"] == "Draft" and detail["decisions"][0]["text"] == "Go live in May"
    assert api.get(url("meeting-agenda", meeting.pk)).json()["frozen"] is True


def test_moving_meetings_over_the_api(token_client, line_manager, alice, meeting):
    later = meeting.cadence.meetings.all()[1]
    api = token_client(line_manager)
    past = api.post(url("meeting-move", later.pk), {"date": "2020-01-01",
                                                    "start_time": "10:00"})
    assert past.status_code == 400 and "has passed" in past.json()["date"][0]
    day = (later.local_start + dt.timedelta(days=1)).date().isoformat()
    moved = api.post(url("meeting-move", later.pk), {"date": day, "start_time": "15:00",
                                                     "duration_minutes": 30})
    assert moved.status_code == 200 and moved.json()["moved"] is True
    assert token_client(alice).post(url("meeting-move", later.pk), {
        "date": day, "start_time": "16:00"}).status_code == 403
    api.post(url("meeting-hold", meeting.pk))
    conflict = api.post(url("meeting-hold", meeting.pk))
    assert conflict.status_code == 409 and "held" in conflict.json()["detail"]
    assert api.post(url("meeting-move", meeting.pk), {
        "date": day, "start_time": "10:00"}).status_code == 409
    assert api.post(url("meeting-cancel", later.pk), {"reason": "Strike"}).status_code == 200


def test_vendor_users_confirm_their_own_sides_attendance(token_client, alice, line_manager,
                                                         meeting, outsourced_lead):
    api = token_client(alice)
    theirs = meeting.attendances.get(contact=outsourced_lead)
    ours = meeting.attendances.get(user=line_manager)
    response = api.patch(url("attendance-detail", theirs.pk), {"response": "confirmed"})
    assert response.status_code == 200 and response.json()["side"] == "vendor"
    assert api.patch(url("attendance-detail", ours.pk),
                     {"response": "declined"}).status_code == 403
    assert api.patch(url("attendance-detail", theirs.pk), {"present": True}).status_code == 403
    assert api.patch(url("attendance-detail", theirs.pk),
                     {"response": "maybe"}).status_code == 400
    marked = token_client(line_manager).patch(url("attendance-detail", theirs.pk),
                                              {"present": True})
    assert marked.json()["present"] is True


# -- action items --------------------------------------------------------------------------

def test_action_items_are_created_by_our_side_with_an_owner_in_the_relationship(
        token_client, line_manager, alice, vendor_a, vendor_b, meeting, outsourced_lead):
    api = token_client(line_manager)
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    created = api.post(url("action-item-list"), {
        "vendor": vendor_a.pk, "meeting": meeting.pk, "title": "Send the DR report",
        "owner_contact": outsourced_lead.pk, "due_on": due})
    assert created.status_code == 201 and created.json()["side"] == "vendor"
    outsider = UserFactory()
    refused = api.post(url("action-item-list"), {
        "vendor": vendor_a.pk, "title": "X", "owner_user": outsider.pk, "due_on": due})
    assert refused.status_code == 400 and "owner_user" in refused.json()
    other = api.post(url("action-item-list"), {
        "vendor": vendor_a.pk, "title": "X", "owner_contact": ContactFactory(vendor=vendor_b).pk,
        "due_on": due})
    assert other.status_code == 400 and "owner_contact" in other.json()
    both = api.post(url("action-item-list"), {
        "vendor": vendor_a.pk, "title": "X", "owner_contact": outsourced_lead.pk,
        "owner_user": line_manager.pk, "due_on": due})
    assert both.status_code == 400
    assert token_client(alice).post(url("action-item-list"), {
        "vendor": vendor_a.pk, "title": "X", "owner_contact": outsourced_lead.pk,
        "due_on": due}).status_code == 403


def test_vendor_users_report_progress_on_their_sides_items_only(token_client, alice,
                                                                line_manager, vendor_a):
    theirs = action_item(vendor_a, title="Theirs")
    ours = action_item(vendor_a, owner=line_manager, title="Ours")
    api = token_client(alice)
    done = api.patch(url("action-item-detail", theirs.pk), {"status": "done",
                                                           "notes": "Report sent."})
    assert done.status_code == 200 and done.json()["completed_on"]
    assert api.patch(url("action-item-detail", theirs.pk),
                     {"title": "Renamed"}).status_code == 403
    assert api.patch(url("action-item-detail", ours.pk),
                     {"status": "done"}).status_code == 403
    assert ActionItem.objects.get(pk=ours.pk).status == "open"
    assert api.patch(url("action-item-detail", theirs.pk),
                     {"status": "finished"}).status_code == 400


# -- impediments ---------------------------------------------------------------------------

def test_vendor_users_raise_impediments_and_add_updates(token_client, alice, vendor_a):
    api = token_client(alice)
    raised = api.post(url("impediment-list"), {
        "vendor": vendor_a.pk, "title": "Test environment down for days",
        "kind": "technical", "severity": "high", "responsible_side": "ours"})
    assert raised.status_code == 201, raised.json()
    body = raised.json()
    assert body["raised_by_side"] == "vendor" and body["status"] == "open"
    update = api.post(url("impediment-updates", body["id"]), {"text": "Still down."})
    assert update.status_code == 201 and update.json()["side"] == "vendor"
    assert api.patch(url("impediment-detail", body["id"]),
                     {"severity": "low"}).status_code == 403
    assert api.post(url("impediment-escalate", body["id"]),
                    {"note": "Please"}).status_code == 403


def test_escalating_over_the_api(token_client, line_manager, vendor_a, ladder):
    blocker = impediment(vendor_a)
    api = token_client(line_manager)
    first = api.post(url("impediment-escalate", blocker.pk), {"note": "Chased twice."})
    assert first.status_code == 201 and first.json()["level"] == 1
    assert first.json()["to_user"] == line_manager.pk
    second = api.post(url("impediment-escalate", blocker.pk), {"note": "Frank talk"})
    assert second.json()["to_contact"] == ladder[1].pk
    again = api.post(url("impediment-escalate", blocker.pk), {"note": "x", "level": 2})
    assert again.status_code == 409 and "already at step 2" in again.json()["detail"]
    assert api.post(url("impediment-escalate", blocker.pk),
                    {"note": "x", "level": 7}).status_code == 400
    detail = api.get(url("impediment-detail", blocker.pk)).json()
    assert [e["level"] for e in detail["escalations"]] == [1, 2]


def test_escalating_a_resolved_impediment_is_a_400(token_client, line_manager, vendor_a):
    blocker = impediment(vendor_a)
    api = token_client(line_manager)
    missing = api.patch(url("impediment-detail", blocker.pk), {"status": "resolved"})
    assert missing.status_code == 400 and "resolution" in missing.json()
    api.patch(url("impediment-detail", blocker.pk), {"status": "resolved",
                                                     "resolution": "Fixed."})
    response = api.post(url("impediment-escalate", blocker.pk),
                        {"note": "Too late", "to_user": line_manager.pk})
    assert response.status_code == 400
    assert "nothing to escalate" in response.json()["status"][0]
    assert Impediment.objects.get(pk=blocker.pk).escalation_level == 0


# -- suggestions ---------------------------------------------------------------------------

def test_vendors_submit_and_improve_suggestions_but_never_accept_them(token_client, alice,
                                                                      line_manager, vendor_a):
    api = token_client(alice)
    created = api.post(url("suggestion-list"), {
        "vendor": vendor_a.pk, "title": "Automate the patch report", "category": "process",
        "description": "Saves two days a month.", "estimated_value": "12000.00"})
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["source_side"] == "vendor"
    assert api.patch(url("suggestion-detail", pk), {"title": "Automate patch reports"}
                     ).status_code == 200
    accepted = api.patch(url("suggestion-detail", pk), {"status": "accepted",
                                                        "rationale": "We like it"})
    assert accepted.status_code == 400
    assert "Only our side decides" in accepted.json()["status"][0]
    assert Suggestion.objects.get(pk=pk).status == "submitted"
    ours = suggestion(vendor_a, side="ours", title="Our idea")
    assert api.patch(url("suggestion-detail", ours.pk), {"title": "Mine"}).status_code == 403
    decided = token_client(line_manager).patch(url("suggestion-detail", pk), {
        "status": "accepted", "rationale": "Cheap and safe."})
    assert decided.status_code == 200 and decided.json()["decision_rationale"]
    assert api.get(url("suggestion-detail", pk)).json()["status"] == "accepted"
    assert api.patch(url("suggestion-detail", pk), {"title": "Too late"}).status_code == 400


def test_suggestion_workflow_errors_are_400s(token_client, line_manager, vendor_a):
    idea = suggestion(vendor_a)
    api = token_client(line_manager)
    skip = api.patch(url("suggestion-detail", idea.pk), {"status": "implemented"})
    assert skip.status_code == 400 and "status" in skip.json()
    early = api.patch(url("suggestion-detail", idea.pk), {"realised_value": "10.00"})
    assert early.status_code == 400 and "realised_value" in early.json()
    assert api.post(url("suggestion-list"), {
        "vendor": vendor_a.pk, "title": "x", "description": "y", "category": "cost",
        "status": "accepted"}).status_code == 400


# -- scope ---------------------------------------------------------------------------------

def test_another_vendors_records_are_404(token_client, alice, vendor_b):
    theirs = {"meeting-detail": weekly_cadence(vendor_b).meetings.first().pk,
              "action-item-detail": action_item(vendor_b).pk,
              "impediment-detail": impediment(vendor_b).pk,
              "suggestion-detail": suggestion(vendor_b).pk}
    api = token_client(alice)
    for name, pk in theirs.items():
        assert api.get(url(name, pk)).status_code == 404, name
        assert api.patch(url(name, pk), {"title": "x"}).status_code in (404, 405), name
    created = api.post(url("impediment-list"), {
        "vendor": vendor_b.pk, "title": "x", "kind": "delivery", "severity": "low",
        "responsible_side": "vendor"})
    assert created.status_code == 400 and "vendor" in created.json()


def test_no_delete_anywhere(token_client, vendor_manager, vendor_a):
    item = action_item(vendor_a)
    assert token_client(vendor_manager).delete(url("action-item-detail", item.pk)
                                               ).status_code == 405
    archived = token_client(vendor_manager).post(url("action-item-archive", item.pk))
    assert archived.status_code == 200 and archived.json()["archived_at"]


# -- found by the schema fuzz (tests/api/test_fuzz.py) ----------------------------------------

@pytest.mark.parametrize("start_time", ["9:30", "10:5", "9:30:00"])
def test_a_local_time_has_two_digit_hours_and_minutes_as_documented(
        token_client, line_manager, vendor_a, meeting, start_time):
    """The schema's pattern is HH:MM(:SS); Python's strptime would also read "9:30"."""
    api = token_client(line_manager)
    created = api.post(url("cadence-list"), cadence_body(vendor_a, start_time=start_time))
    assert created.status_code == 400 and list(created.json()) == ["start_time"]
    later = meeting.cadence.meetings.all()[1]
    day = (later.local_start + dt.timedelta(days=1)).date().isoformat()
    moved = api.post(url("meeting-move", later.pk), {"date": day, "start_time": start_time})
    assert moved.status_code == 400 and list(moved.json()) == ["start_time"]
    assert api.post(url("cadence-list"), cadence_body(vendor_a, start_time="09:30:00")
                    ).status_code == 201


def test_lists_of_ids_are_documented_as_ids(client, line_manager):
    """Each participant is an id like any other: a whole number from 1 (a generated client
    would otherwise send 0 or -5 and be refused for a reason the schema hides)."""
    client.force_login(line_manager)
    schemas = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()[
        "components"]["schemas"]
    for name in ("our_participants", "vendor_participants"):
        items = schemas["CadenceRequest"]["properties"][name]["items"]
        assert (items["type"], items["minimum"], items["maximum"]) == ("integer", 1, 2**63 - 1)


@pytest.mark.parametrize("written", ["{:%Y%m%d}", "{:%Y-W%W-1}", "{d.year}-{d.month}-{d.day}"])
def test_a_date_is_written_as_the_schema_says(token_client, line_manager, vendor_a, meeting,
                                              written):
    """YYYY-MM-DD: DRF would also read 20270105, 2027-W01-1 and 2027-1-5."""
    later = meeting.cadence.meetings.all()[1]
    day = (later.local_start + dt.timedelta(days=1)).date()
    if day.month > 9 or day.day > 9:  # a one-digit month and day, so the last form differs
        day = dt.date(day.year + 1, 1, 5)
    text = written.format(day, d=day)
    api = token_client(line_manager)
    moved = api.post(url("meeting-move", later.pk), {"date": text, "start_time": "15:00"})
    assert moved.status_code == 400 and list(moved.json()) == ["date"]
    created = api.post(url("cadence-list"), cadence_body(vendor_a, starts_on=text))
    assert created.status_code == 400 and list(created.json()) == ["starts_on"]


@pytest.mark.parametrize("moment", ["2026-01-05", "2026-01-05T10:00", "2026-01-05 10:00:00Z",
                                    "20260105T100000Z"])
def test_a_moment_in_a_filter_has_its_date_time_and_offset(token_client, line_manager, meeting,
                                                           moment):
    """Without an offset the server's own zone would be assumed."""
    api = token_client(line_manager)
    refused = api.get(url("meeting-list"), {"starts_after": moment})
    assert refused.status_code == 400 and list(refused.json()) == ["starts_after"]
    found = api.get(url("meeting-list"), {"starts_after": "2000-01-01T00:00:00Z",
                                          "starts_before": "2999-01-01t00:00:00+01:00"})
    assert meeting.pk in [m["id"] for m in found.json()["results"]]
