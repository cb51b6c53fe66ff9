from django import template
from django.utils import timezone

from healthchecks import selectors
from healthchecks.choices import Dimension, Group

register = template.Library()

DIMENSIONS = dict(Dimension.choices)
GROUPS = dict(Group.choices)


@register.simple_tag(takes_context=True)
def next_health_check(context, vendor):
    """{due, overdue_days, current} for the vendor header, or None outside scope."""
    if vendor is None or context.get("user") is None:
        return None
    # The vendor's health-check tab has read the plan already.
    plan = context.get("plan")
    due, overdue, current = selectors.next_due(
        vendor, plan if isinstance(plan, selectors.HealthCheckPlan) else None)
    return {"due": due, "current": current,
            "overdue_days": (timezone.localdate() - due).days if overdue else 0}


@register.filter
def dimension_label(value):
    return DIMENSIONS.get(value, value)


@register.filter
def group_label(value):
    return GROUPS.get(value, value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
