"""Small helpers for the SLA templates."""

from django import template

from sla import rules
from vendorgov.templatetags.vg import badge

register = template.Library()


@register.filter
def measure(value, unit):
    """99.5% · 4 h · 12 — a value in its unit ('no data' when missing)."""
    return rules.with_unit(value, unit)


@register.filter
def num(value):
    """A decimal without trailing zeros."""
    return rules.number(value)


@register.filter
def days(value):
    return f"{value} day{'s' if value != 1 else ''}"


@register.simple_tag
def age(action, today):
    return action.age_days(today)


@register.simple_tag
def overdue(action, today):
    return action.overdue_days(today)


@register.simple_tag
def sla_badge(value, label=None):
    """{% sla_badge e.status e.get_status_display %}: the shared badge, with the SLA app's
    colours and icons (BADGES keys 'sla_…'); the word is always shown with the colour."""
    return badge(f"sla_{value}", label or value)
