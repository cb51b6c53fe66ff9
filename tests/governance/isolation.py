"""Governance's part of the isolation table (see tests/test_isolation.py): one of each
governance record per vendor, and how each route is aimed at vendor B's."""

import datetime

from django.utils import timezone

from governance import services
from governance.choices import EscalationStep
from tests.factories import ContactFactory, UserFactory
from tests.governance.factories import action_item, impediment, suggestion, weekly_cadence
from vendorgov.roles import Role


def records(vendor, tag):
    # Executives take part in every relationship without an assignment (the isolation test
    # expects vendor A to have exactly one); our people's names are not vendor B's data.
    lead = UserFactory(username=f"{tag.lower()}-lead", first_name="Lee", role=Role.EXECUTIVE)
    contact = ContactFactory(vendor=vendor, name=f"{tag} Delivery", email=f"d@{tag}.example")
    cadence = weekly_cadence(vendor, title=f"{tag} weekly review", ours=[lead],
                             theirs=[contact], location=f"{tag} HQ",
                             starts_on=timezone.localdate() - datetime.timedelta(days=7))
    meeting = cadence.meetings.order_by("starts_at").first()
    agenda_item = services.agenda_item_add(meeting=meeting, title=f"{tag} agenda point")
    decision = services.decision_record(meeting=meeting, text=f"{tag} decision")
    item = action_item(vendor, owner=contact, meeting=meeting, title=f"{tag} action")
    blocker = impediment(vendor, by=lead, title=f"{tag} impediment", description=tag)
    note = services.impediment_add_update(blocker, by=lead, text=f"{tag} update")
    escalation = services.impediment_escalate(blocker, by=lead, note=f"{tag} escalation",
                                              level=EscalationStep.LINE_MANAGER, to_user=lead)
    idea = suggestion(vendor, title=f"{tag} suggestion")
    revoked, raw = services.calendar_feed_create(user=lead)
    revoked.raw = raw  # revoked by the next one: its address must lead nowhere
    services.calendar_feed_create(user=lead)
    return {"cadences": cadence, "meetings": meeting, "attendances": meeting.attendances.first(),
            "agenda_items": agenda_item, "decisions": decision, "action_items": item,
            "impediments": blocker, "impediment_updates": note, "escalations": escalation,
            "suggestions": idea, "calendar_feeds": revoked}


def none(w):
    return [{}]


def b_slug(w):
    return [{"slug": w.b.slug}]


def b_record(kind, key="pk"):
    return lambda w: [{"slug": w.b.slug, key: w.b_records[kind].pk}]


def b_meeting(w):
    return [{"slug": w.b.slug, "meeting": w.b_records["meetings"].pk}]


def b_in_meeting(kind):
    return lambda w: [{"slug": w.b.slug, "meeting": w.b_records["meetings"].pk,
                       "pk": w.b_records[kind].pk}]


def b_pk(kind):
    return lambda w: [{"pk": w.b_records[kind].pk}]


def b_feed(w):
    return [{"token": w.b_records["calendar_feeds"].raw}, {"token": "vgcal_00000000_nothing"}]


MEETING_ROUTES = ["meeting", "meeting_move", "meeting_cancel", "meeting_hold",
                  "meeting_minutes", "meeting_ics", "agenda_item_create", "decision_create",
                  "attendance_add", "meeting_action_item_create"]
SLUG_ROUTES = ["vendor", "timeline", "plan_update", "cadence_create", "cadence_propose",
               "items", "action_item_create", "impediment_create", "suggestion_create"]
API = {"cadence": "cadences", "meeting": "meetings", "attendance": "attendances",
       "action-item": "action_items", "impediment": "impediments", "suggestion": "suggestions"}
API_ACTIONS = {"cadence": ["archive"], "meeting": ["agenda", "move", "cancel", "hold"],
               "action-item": ["archive", "restore"],
               "impediment": ["archive", "restore", "updates", "escalate"],
               "suggestion": ["archive", "restore"]}

ROUTES = {
    "governance:portfolio": ("open", none),
    "governance:my_work": ("open", none),
    "governance:calendar": ("open", none),
    "governance:calendar_revoke": ("open", none),
    "governance:calendar_feed": ("b", b_feed),
    **{f"governance:{name}": ("b", b_slug) for name in SLUG_ROUTES},
    **{f"governance:{name}": ("b", b_meeting) for name in MEETING_ROUTES},
    "governance:cadence_update": ("b", b_record("cadences")),
    "governance:cadence_archive": ("b", b_record("cadences")),
    "governance:agenda_item_archive": ("b", b_in_meeting("agenda_items")),
    "governance:attendance": ("b", b_in_meeting("attendances")),
    "governance:action_item_update": ("b", b_record("action_items")),
    "governance:action_item_status": ("b", b_record("action_items")),
    **{f"governance:{name}": ("b", b_record("impediments"))
       for name in ("impediment", "impediment_update", "impediment_status", "impediment_note",
                    "impediment_escalate")},
    "governance:escalation_outcome": ("b", lambda w: [{
        "slug": w.b.slug, "pk": w.b_records["impediments"].pk,
        "escalation": w.b_records["escalations"].pk}]),
    **{f"governance:{name}": ("b", b_record("suggestions"))
       for name in ("suggestion", "suggestion_update", "suggestion_decide")},
    **{f"{name}-list": ("open", none) for name in API},
    **{f"{name}-detail": ("b", b_pk(kind)) for name, kind in API.items()},
    **{f"{name}-{action}": ("b", b_pk(API[name])) for name, actions in API_ACTIONS.items()
       for action in actions},
}
