"""Filters for reminder emails: moments stored as ISO text shown in the reader's zone."""

from datetime import datetime

from django import template
from django.utils import timezone

from reminders import registry
from vendorgov import formats

register = template.Library()


@register.filter
def moment(value) -> str:
    """'Tue 8 Dec 2026, 10:00 GMT' in the current time zone (the recipient's, while an email
    is rendered); an ISO string (as kinds store them in a reminder's context) or a datetime."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return "" if value is None else str(value)
    if timezone.is_naive(value):
        return f"{formats.day(value.date())}, {value:%H:%M}"
    local = timezone.localtime(value)
    return f"{formats.day(local.date())}, {local:%H:%M} {local.tzname()}"


@register.filter
def kind_label(key: str) -> str:
    """A kind's label for people, or its key when it is no longer registered."""
    try:
        return registry.get(key).label
    except KeyError:
        return key
