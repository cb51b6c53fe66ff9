"""The governance pages, as the people who use them see them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import selectors, services
from governance.choices import Weekday
from governance.models import ActionItem, Cadence, Impediment, Meeting, Suggestion
from tests.factories import ContactFactory
from tests.governance.factories import action_item, impediment, suggestion, weekly_cadence

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def url(name, *args):
    return reverse(f"governance:{name}", args=args)


@pytest.fixture
def meeting(vendor_a, line_manager, outsourced_lead, clock):
    """Today's weekly review with vendor A, at 00:05 (planned just before), so it can be
    marked held now."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with clock(midnight):
        cadence = weekly_cadence(vendor_a, ours=[line_manager], theirs=[outsourced_lead],
                                 at=dt.time(0, 5))
    return cadence.meetings.first()


def test_reviews_tab_teaches_how_to_start_and_proposes_the_defaults(client, line_manager,
                                                                    vendor_a, outsourced_lead):
    client.force_login(line_manager)
    page = client.get(url("vendor", vendor_a.slug))
    assert page.status_code == 200
    assert "No cadences yet — propose the default weekly, monthly and quarterly reviews" in (
        page.text)
    response = client.post(url("cadence_propose", vendor_a.slug))
    assert response.status_code == 302
    assert Cadence.objects.filter(vendor=vendor_a).count() == 3
    page = client.get(url("vendor", vendor_a.slug))
    assert "Every Tuesday" in page.text and "Olive Lead" in page.text


def test_stakeholders_and_vendor_users_see_reviews_but_cannot_plan_them(
        client, stakeholder_a, alice, vendor_a, meeting):
    for person in (stakeholder_a, alice):
        client.force_login(person)
        page = client.get(url("vendor", vendor_a.slug))
        assert page.status_code == 200 and "Add cadence" not in page.text
        assert client.get(url("cadence_create", vendor_a.slug)).status_code == 403
        assert client.post(url("meeting_hold", vendor_a.slug, meeting.pk)).status_code == 403


def test_cadence_form_shows_a_dst_error_next_to_the_time(client, line_manager, vendor_a):
    client.force_login(line_manager)
    form = client.get(url("cadence_create", vendor_a.slug) + "?tier=monthly")
    assert form.status_code == 200 and 'value="14:00"' in form.text
    next_year = timezone.localdate().year + 1
    response = client.post(url("cadence_create", vendor_a.slug), {
        "tier": "weekly", "weekday": Weekday.SUNDAY, "start_time": "01:30",
        "time_zone": "Europe/London", "duration_minutes": 60,
        "starts_on": f"{next_year}-03-01"})
    assert response.status_code == 200
    assert "does not exist in Europe/London" in response.context["form"].errors["start_time"][0]
    assert not Cadence.objects.exists()


def test_editing_a_cadence_says_what_happens_to_its_meetings(client, line_manager, vendor_a,
                                                             meeting):
    client.force_login(line_manager)
    response = client.post(url("cadence_update", vendor_a.slug, meeting.cadence_id), {
        "title": "Weekly service review", "weekday": meeting.cadence.weekday,
        "start_time": "00:05", "time_zone": "Europe/London", "duration_minutes": 45,
        "starts_on": meeting.cadence.starts_on.isoformat(),
        "our_participants": [line_manager.pk]}, follow=True)
    assert "Future meetings nobody moved or cancelled follow it" in response.text
    # Today's meeting has begun and keeps its length; next week's follows the cadence.
    assert Meeting.objects.get(pk=meeting.pk).duration_minutes == 60
    assert meeting.cadence.meetings.all()[1].duration_minutes == 45


def test_the_meeting_page_runs_a_weekly_review(client, line_manager, vendor_a, meeting,
                                               outsourced_lead):
    impediment(vendor_a, title="Firewall changes take two weeks")
    client.force_login(line_manager)
    page = client.get(meeting.get_absolute_url())
    assert page.status_code == 200
    for text in ("Open impediments", "Firewall changes take two weeks",
                 "Staffing changes since the last weekly",
                 "SLA evaluations", "No SLA window of this vendor closed since",
                 "Open action items carried over", "Olive Lead"):
        assert text in page.text, text
    client.post(url("agenda_item_create", vendor_a.slug, meeting.pk),
                {"title": "Introduce the new network lead"})
    client.post(url("meeting_minutes", vendor_a.slug, meeting.pk), {"minutes": "Discussed."})
    client.post(url("decision_create", vendor_a.slug, meeting.pk), {"text": "Freeze in May."})
    row = meeting.attendances.get(contact=outsourced_lead)
    client.post(url("attendance", vendor_a.slug, meeting.pk, row.pk), {"present": "yes"})
    response = client.post(url("meeting_action_item_create", vendor_a.slug, meeting.pk), {
        "title": "Send the change calendar", "owner": f"c{outsourced_lead.pk}",
        "due_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 302 and response["Location"].endswith("#action-items")
    response = client.post(url("meeting_hold", vendor_a.slug, meeting.pk), follow=True)
    assert "Meeting marked held" in response.text
    meeting.refresh_from_db()
    assert meeting.is_held and meeting.minutes == "Discussed."
    assert meeting.agenda_snapshot["items"][0]["title"] == "Introduce the new network lead"
    assert meeting.attendances.get(contact=outsourced_lead).present is True
    assert ActionItem.objects.get().meeting == meeting
    page = client.get(meeting.get_absolute_url())
    assert "as it stood when the meeting was held" in page.text


def test_adding_an_action_item_in_place_with_htmx(client, line_manager, vendor_a, meeting,
                                                  outsourced_lead):
    client.force_login(line_manager)
    target = url("meeting_action_item_create", vendor_a.slug, meeting.pk)
    bad = client.post(target, {"title": "No owner"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and 'id="action-items"' in bad.text
    assert "This field is required." in bad.text and 'value="No owner"' in bad.text
    good = client.post(target, {"title": "Book the DR test", "owner": f"u{line_manager.pk}",
                                "due_on": timezone.localdate().isoformat()},
                       HTTP_HX_REQUEST="true")
    assert good.status_code == 200 and "<html" not in good.text
    assert "Action item “Book the DR test” added." in good.text
    stranger = ContactFactory()  # another vendor's contact is not a choice
    refused = client.post(target, {"title": "X", "owner": f"c{stranger.pk}",
                                   "due_on": timezone.localdate().isoformat()},
                          HTTP_HX_REQUEST="true")
    assert "Select a valid choice" in refused.text


def test_status_changes_in_place_and_without_javascript(client, line_manager, vendor_a, alice):
    ours = action_item(vendor_a, owner=line_manager)
    theirs = action_item(vendor_a, title="Theirs")
    client.force_login(line_manager)
    fragment = client.post(url("action_item_status", vendor_a.slug, ours.pk),
                           {"status": "in_progress"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and f'id="action-status-{ours.pk}"' in fragment.text
    assert "saved" in fragment.text
    plain = client.post(url("action_item_status", vendor_a.slug, ours.pk),
                        {"status": "done", "next": url("items", vendor_a.slug)})
    assert plain.status_code == 302 and plain["Location"] == url("items", vendor_a.slug)
    assert ActionItem.objects.get(pk=ours.pk).status == "done"
    # The vendor reports progress on its own items only.
    client.force_login(alice)
    assert client.post(url("action_item_status", vendor_a.slug, theirs.pk),
                       {"status": "done"}).status_code == 302
    assert client.post(url("action_item_status", vendor_a.slug, ours.pk),
                       {"status": "open"}).status_code == 403
    page = client.get(url("action_item_update", vendor_a.slug, theirs.pk))
    assert page.status_code == 200 and "Progress notes" in page.text
    assert 'name="title"' not in page.text


def test_minutes_and_decisions_reach_the_vendor_once_held(client, line_manager, alice,
                                                          vendor_a, meeting):
    services.meeting_write_minutes(meeting, minutes="Draft: SECRET-DRAFT")
    services.decision_record(meeting=meeting, text="Draft decision")
    client.force_login(alice)
    page = client.get(meeting.get_absolute_url())
    assert "SECRET-DRAFT" not in page.text and "Draft decision" not in page.text
    assert "The minutes are shared once the meeting has been held." in page.text
    services.meeting_hold(meeting, by=line_manager)
    page = client.get(meeting.get_absolute_url())
    assert "SECRET-DRAFT" in page.text and "Draft decision" in page.text


def test_vendor_users_confirm_their_sides_attendance(client, alice, line_manager, vendor_a,
                                                     meeting, outsourced_lead):
    client.force_login(alice)
    theirs = meeting.attendances.get(contact=outsourced_lead)
    ours = meeting.attendances.get(user=line_manager)
    response = client.post(url("attendance", vendor_a.slug, meeting.pk, theirs.pk),
                           {"response": "confirmed"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Confirmed" in response.text
    assert client.post(url("attendance", vendor_a.slug, meeting.pk, ours.pk),
                       {"response": "declined"}).status_code == 403
    assert client.post(url("attendance", vendor_a.slug, meeting.pk, theirs.pk),
                       {"present": "yes"}).status_code == 403


def test_moving_and_cancelling_one_meeting(client, line_manager, vendor_a, meeting):
    client.force_login(line_manager)
    later = meeting.cadence.meetings.all()[1]
    form = client.get(url("meeting_move", vendor_a.slug, later.pk))
    assert form.status_code == 200
    past = client.post(url("meeting_move", vendor_a.slug, later.pk), {
        "date": "2020-01-01", "start_time": "10:00", "time_zone": "Europe/London",
        "duration_minutes": 60})
    assert "has passed" in past.context["form"].errors["date"][0]
    day = later.local_start.date() + dt.timedelta(days=1)
    moved = client.post(url("meeting_move", vendor_a.slug, later.pk), {
        "date": day.isoformat(), "start_time": "15:00", "time_zone": "Europe/London",
        "duration_minutes": 30})
    assert moved.status_code == 302
    cancel = client.post(url("meeting_cancel", vendor_a.slug, later.pk), {"reason": "Strike"})
    assert cancel.status_code == 302
    later.refresh_from_db()
    assert later.is_cancelled and later.moved and later.local_start.date() == day
    again = client.post(url("meeting_move", vendor_a.slug, later.pk), {
        "date": day.isoformat(), "start_time": "16:00", "time_zone": "Europe/London",
        "duration_minutes": 30}, follow=True)
    assert "This meeting was cancelled" in again.text


def test_items_tab_lists_filters_and_exports(client, line_manager, vendor_a, vendor_b):
    action_item(vendor_a, owner=line_manager, title="Ours")
    action_item(vendor_a, title="Theirs")
    impediment(vendor_a, title="Trust issue", kind="relationship")
    suggestion(vendor_a, title="Bot for password resets")
    action_item(vendor_b, title="Someone else's")
    client.force_login(line_manager)
    page = client.get(url("items", vendor_a.slug), {"side": "vendor"})
    assert page.status_code == 200
    assert "Theirs" in page.text and "Ours</a>" not in page.text
    assert "Someone else's" not in page.text and "Trust issue" in page.text
    assert "Bot for password resets" in page.text
    csv = client.get(url("items", vendor_a.slug), {"export": "impediments"})
    assert csv["Content-Type"].startswith("text/csv") and "Trust issue" in csv.content.decode()
    bad = client.get(url("items", vendor_a.slug), {"actions": "nonsense", "kind": "x"})
    assert bad.status_code == 200


def test_impediment_pages_raise_update_escalate_and_resolve(client, line_manager, alice,
                                                            vendor_a, ladder):
    client.force_login(alice)
    response = client.post(url("impediment_create", vendor_a.slug), {
        "title": "No VPN access for two weeks", "kind": "delivery", "severity": "high",
        "responsible_side": "ours", "owner": f"u{line_manager.pk}"})
    blocker = Impediment.objects.get()
    assert response["Location"] == blocker.get_absolute_url()
    assert blocker.raised_by_side == "vendor" and blocker.owner_user == line_manager
    client.post(url("impediment_note", vendor_a.slug, blocker.pk), {"text": "Still blocked."})
    assert client.get(url("impediment_escalate", vendor_a.slug, blocker.pk)).status_code == 403
    client.force_login(line_manager)
    form = client.get(url("impediment_escalate", vendor_a.slug, blocker.pk))
    assert form.status_code == 200 and f'value="u{line_manager.pk}" selected' in form.text
    client.post(url("impediment_escalate", vendor_a.slug, blocker.pk),
                {"level": 1, "to": f"u{line_manager.pk}", "note": "Please chase IT."})
    escalation = blocker.escalations.get()
    client.post(url("escalation_outcome", vendor_a.slug, blocker.pk, escalation.pk),
                {"outcome": "Access granted."})
    client.post(url("impediment_status", vendor_a.slug, blocker.pk),
                {"status": "resolved", "resolution": "VPN access granted."})
    page = client.get(blocker.get_absolute_url())
    for text in ("Still blocked.", "Access granted.", "1 · Our line manager", "Resolved"):
        assert text in page.text, text
    again = client.post(url("impediment_escalate", vendor_a.slug, blocker.pk),
                        {"level": 2, "to": f"c{ladder[1].pk}", "note": "More"})
    assert "nothing to escalate" in again.text


def test_suggestions_are_submitted_by_the_vendor_and_decided_by_us(client, alice,
                                                                   line_manager, vendor_a):
    client.force_login(alice)
    client.post(url("suggestion_create", vendor_a.slug), {
        "title": "Self-service password reset", "description": "Cut 20% of calls.",
        "category": "process", "currency": "EUR", "estimated_value": "30000"})
    idea = Suggestion.objects.get()
    assert idea.source_side == "vendor"
    page = client.get(idea.get_absolute_url())
    assert "Review and decide" not in page.text and "Edit" in page.text
    assert client.get(url("suggestion_decide", vendor_a.slug, idea.pk)).status_code == 403
    client.force_login(line_manager)
    missing = client.post(url("suggestion_decide", vendor_a.slug, idea.pk),
                          {"status": "accepted"})
    assert "Give the reason" in missing.text
    client.post(url("suggestion_decide", vendor_a.slug, idea.pk),
                {"status": "accepted", "rationale": "Cheap win."})
    assert Suggestion.objects.get().status == "accepted"


def test_timeline_shows_what_happened_with_filters(client, line_manager, vendor_a, meeting):
    services.decision_record(meeting=meeting, text="Adopt the new change calendar")
    services.meeting_hold(meeting)
    suggestion(vendor_a, title="Chatbot")
    client.force_login(line_manager)
    page = client.get(url("timeline", vendor_a.slug))
    for text in ("Weekly review held", "Adopt the new change calendar", "Chatbot"):
        assert text in page.text, text
    only = client.get(url("timeline", vendor_a.slug), {"kind": "decisions"})
    assert "Chatbot" not in only.text and "Adopt the new change calendar" in only.text
    assert client.get(url("timeline", vendor_a.slug), {"since": "bad"}).status_code == 200


def test_timeline_events_link_to_their_own_records(line_manager, vendor_a, meeting):
    """The events' links share one reverse() per kind; each still leads to its record."""
    services.decision_record(meeting=meeting, text="Adopt the new change calendar")
    services.meeting_hold(meeting)
    idea = suggestion(vendor_a, title="Chatbot")
    stuck = impediment(vendor_a, title="Stuck")
    links = {e.title: e.url for e in selectors.timeline(line_manager, vendor_a).events}
    meeting_url = reverse("governance:meeting", args=[vendor_a.slug, meeting.pk])
    assert links[f"{meeting.title} held"] == meeting_url
    assert links["Adopt the new change calendar"] == meeting_url + "#decisions"
    assert links["Suggestion submitted: Chatbot"] == reverse(
        "governance:suggestion", args=[vendor_a.slug, idea.pk])
    assert links["Impediment raised: Stuck"] == reverse(
        "governance:impediment", args=[vendor_a.slug, stuck.pk])


def test_portfolio_and_my_work(client, line_manager, vendor_a, vendor_b, meeting):
    services.plan_update(vendor=vendor_a, escalate_after_days=1)
    old = impediment(vendor_a, title="Stuck for ages")
    Impediment.objects.filter(pk=old.pk).update(raised_on=timezone.localdate()
                                                - dt.timedelta(days=5))
    mine = action_item(vendor_a, owner=line_manager, title="My overdue item")
    ActionItem.objects.filter(pk=mine.pk).update(due_on=timezone.localdate()
                                                 - dt.timedelta(days=2))
    action_item(vendor_b, title="B's item")
    client.force_login(line_manager)
    page = client.get(url("portfolio"))
    assert page.status_code == 200
    for text in ("Stuck for ages", "My overdue item", "overdue by 2 days"):
        assert text in page.text, text
    assert "B's item" not in page.text
    work = client.get(url("my_work"))
    assert "My overdue item" in work.text and "Weekly review" in work.text


def test_calendar_feed_page_and_feed(client, line_manager, vendor_a, meeting):
    client.force_login(line_manager)
    assert "Create my feed address" in client.get(url("calendar")).text
    created = client.post(url("calendar"))
    address = created.context["new_url"]
    assert created["Cache-Control"] == "no-store"
    client.logout()
    feed = client.get(address)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in feed.content and b"Weekly review" in feed.content
    client.force_login(line_manager)
    assert "no calendar has fetched it yet" not in client.get(url("calendar")).text
    client.post(url("calendar_revoke"))
    client.logout()
    assert client.get(address).status_code == 404


def test_one_meeting_downloads_as_ics(client, alice, vendor_a, meeting):
    client.force_login(alice)
    response = client.get(url("meeting_ics", vendor_a.slug, meeting.pk))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    assert b"SUMMARY:Weekly review" in response.content


def test_pages_need_a_signed_in_person(client, vendor_a):
    for target in (url("portfolio"), url("vendor", vendor_a.slug), url("my_work")):
        assert client.get(target)["Location"].startswith(reverse("login"))
