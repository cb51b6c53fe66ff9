"""Presentation of meeting times: in the meeting's own zone, with the site's time beside it
when they differ, and a relative hint (UX.md: "Thu 3 Dec, 10:00 · in 2 days")."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from governance import selectors
from vendorgov import formats
from vendorgov.templatetags.vg import relative

register = template.Library()


@register.simple_tag
def meeting_when(meeting, hint=True):
    start, end = meeting.local_start, meeting.local_end
    text = f"{formats.day(start)}, {start:%H:%M}–{end:%H:%M} {start:%Z}"
    here = timezone.localtime(meeting.starts_at)
    if here.utcoffset() != start.utcoffset():
        text += f" · {here:%H:%M %Z} here"
    hint_text = relative(meeting.starts_at) if hint else ""
    return format_html('<time datetime="{}">{}</time>{}', meeting.starts_at.isoformat(), text,
                       format_html(' <span class="text-body-secondary">· {}</span>', hint_text)
                       if hint_text else "")


@register.filter
def overdue_by(due_on):
    """'overdue by 3 days' for a date in the past, else ''."""
    if not due_on:
        return ""
    late = (timezone.localdate() - due_on).days
    return f"overdue by {late} day{'s' if late != 1 else ''}" if late > 0 else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.simple_tag(takes_context=True)
def next_review(context, vendor):
    """The vendor's next review meeting (one query, which the Overview tab's vendor 360
    reuses), or None. The page's vendor is one the viewer may see (`vendors.access`)."""
    user = context.get("user")
    if vendor is None or user is None:
        return None
    return selectors.next_review(vendor)
