"""Reminder emails: multipart (plain text and HTML) from one template trio per kind,
an iCalendar invite when the kind gives one, and the one-click unsubscribe headers.

Templates: `emails/reminders/<kind>.subject.txt`, `.txt`, `.html` (a kind without its own
falls back on `emails/reminders/_generic.*`, which shows `context["title"]`,
`context["summary"]` and `context["facts"]`). They are rendered in the recipient's time
zone (`{% load reminders %}{{ context.starts_at|moment }}`)."""

import re
from email.mime.text import MIMEText
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string, select_template
from django.utils import timezone

from reminders import links, registry
from reminders.models import Reminder, Subscriber


def zones_for(rows: list[Reminder]) -> dict[str, ZoneInfo]:
    """Each recipient's time zone: the user's setting, a contact's own, else the
    organisation's (two queries)."""
    keys = {r.recipient_key for r in rows}
    subscribers = {s.recipient_key: s for s in Subscriber.objects.filter(recipient_key__in=keys)}
    users = {u.pk: u for u in get_user_model().objects.filter(
        pk__in={r.user_id for r in rows if r.user_id})}
    zones = {}
    for row in rows:
        subscriber = subscribers.get(row.recipient_key) or Subscriber()
        zones[row.recipient_key] = subscriber.zone(users.get(row.user_id))
    return zones


def _templates(kind_key: str, suffix: str):
    return select_template([f"emails/reminders/{kind_key}.{suffix}",
                            f"emails/reminders/_generic.{suffix}"])


def _plain(template, context: dict) -> str:
    """A subject or plain-text body: rendered without HTML escaping (an apostrophe in a
    name must read as one, not as `&#x27;`); the HTML part keeps Django's escaping."""
    return template.template.render(Context(context, autoescape=False))


def _kind(key: str):
    try:
        return registry.get(key)
    except KeyError:
        return None


def _host() -> str:
    return re.sub(r"^https?://", "", settings.SITE_URL).split("/")[0].split(":")[0] or "vendorgov"


def render(row: Reminder, *, zone: ZoneInfo) -> tuple[str, str, str, str]:
    """(subject, text, html, unsubscribe link) of one reminder, in `zone`."""
    unsubscribe = links.unsubscribe_url(row.recipient_key, [row.kind])
    context = {"context": row.context, "recipient": {"name": row.name, "email": row.email},
               "url": links.absolute(row.url or "/"), "kind": _kind(row.kind),
               "unsubscribe_url": unsubscribe, "preferences_url": unsubscribe,
               "due_at": row.due_at, "zone": str(zone), "reminder": row}
    with timezone.override(zone):
        subject = _plain(_templates(row.kind, "subject.txt"), context)
        text = _plain(_templates(row.kind, "txt"), context)
        html = _templates(row.kind, "html").render(context)
    return " ".join(subject.split())[:250], text, html, unsubscribe


def _headers(unsubscribe: str, ids: list[int]) -> dict:
    return {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        # Stable per row: a copy sent again by hand (an uncertain one) is the same message
        # to mail clients that fold duplicates.
        "Message-ID": f"<reminder-{'-'.join(map(str, ids))}@{_host()}>",
        "X-Vendorgov-Reminders": ",".join(map(str, ids)),
    }


def _invite(ics: str) -> MIMEText:
    method = re.search(r"^METHOD:(\w+)", ics, re.MULTILINE)
    part = MIMEText(ics, "calendar", "utf-8")
    part.set_param("method", method.group(1) if method else "REQUEST")
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def reminder_message(row: Reminder, *, zone: ZoneInfo) -> EmailMultiAlternatives:
    subject, text, html, unsubscribe = render(row, zone=zone)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[row.email],
                                     headers=_headers(unsubscribe, [row.pk]))
    message.attach_alternative(html, "text/html")
    if row.ics:
        message.attach(_invite(row.ics))
    return message


def digest_message(rows: list[Reminder], *, zone: ZoneInfo) -> EmailMultiAlternatives:
    """One email with several reminders of one person (of one vendor for a vendor's
    people), grouped by kind."""
    first = rows[0]
    kinds = sorted({r.kind for r in rows})
    items = []
    for row in rows:
        subject = render(row, zone=zone)[0]
        kind = _kind(row.kind)
        items.append({"subject": subject, "url": links.absolute(row.url or "/"),
                      "kind": kind.label if kind else row.kind, "row": row})
    unsubscribe = links.unsubscribe_url(first.recipient_key, kinds)
    context = {"items": items, "recipient": {"name": first.name, "email": first.email},
               "count": len(rows), "unsubscribe_url": unsubscribe,
               "site_url": settings.SITE_URL}
    with timezone.override(zone):
        subject = _plain(get_template("emails/reminders/_digest.subject.txt"), context)
        text = _plain(get_template("emails/reminders/_digest.txt"), context)
        html = render_to_string("emails/reminders/_digest.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:250], body=text, to=[first.email],
        headers=_headers(unsubscribe, [r.pk for r in rows]))
    message.attach_alternative(html, "text/html")
    for row in rows:
        if row.ics:
            message.attach(_invite(row.ics))
    return message


def warm_up() -> None:
    """Load what the first email would (the URLconf, the templates), so a fresh worker's
    first reminder is as quick as the rest."""
    links.unsubscribe_url("email:warm-up@example.org", [])
    for suffix in ("subject.txt", "txt", "html"):
        _templates("_generic", suffix)
