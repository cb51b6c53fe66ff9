"""Small presentation helpers used by every app's templates."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

# value → (Bootstrap colour, icon). Colour never stands alone: the label is always shown too.
BADGES = {
    "active": ("success", "check-circle"),
    "onboarding": ("info", "hourglass-split"),
    "exiting": ("warning", "box-arrow-right"),
    "exited": ("secondary", "slash-circle"),
    "requested": ("warning", "hourglass"),
    "agreed": ("info", "hand-thumbs-up"),
    "done": ("success", "check-circle"),
    "declined": ("secondary", "x-circle"),
    "withdrawn": ("secondary", "arrow-counterclockwise"),
    "strategic": ("primary", "star-fill"),
    "tactical": ("primary", "star-half"),
    "operational": ("primary", "star"),
    "critical": ("danger", "exclamation-octagon"),
    "high": ("warning", "exclamation-triangle"),
    "medium": ("info", "dash-circle"),
    "low": ("secondary", "arrow-down-circle"),
}


@register.simple_tag
def badge(value, label=None):
    colour, icon = BADGES.get(str(value), ("secondary", "circle"))
    text_class = " text-dark" if colour in ("warning", "info") else ""
    return format_html('<span class="badge text-bg-{}{}"><i class="bi bi-{}" aria-hidden="true">'
                       '</i> {}</span>', colour, text_class, icon, label or value)


@register.filter
def relative(value):
    """'in 3 days', 'today', '12 days ago' for a date or datetime."""
    if not value:
        return ""
    day = timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value
    delta = (day - timezone.localdate()).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return f"in {delta} days" if delta > 0 else f"{-delta} days ago"


@register.simple_tag(takes_context=True)
def sort_link(context, field, label):
    """A sortable table header link that keeps the other query parameters."""
    request = context["request"]
    current = context.get("sort", "")
    query = request.GET.copy()
    query.pop("page", None)
    descending = current == field
    query["sort"] = f"-{field}" if descending else field
    arrow = ""
    if current.lstrip("-") == field:
        arrow = " ▲" if not current.startswith("-") else " ▼"
    aria = ""
    if current.lstrip("-") == field:
        aria = "descending" if current.startswith("-") else "ascending"
    return format_html('<a href="?{}" class="link-body-emphasis text-decoration-none"{}>{}{}</a>',
                       query.urlencode(), format_html(' aria-sort="{}"', aria) if aria else "",
                       label, arrow)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.simple_tag
def sparkline(values, label="", colour="blue", low=None, high=None):
    """{% sparkline values "P1 resolution, last 8 quarters" %} — an inline SVG trend."""
    from django.utils.safestring import mark_safe

    from vendorgov import charts
    return mark_safe(charts.sparkline(list(values), label=label, colour=colour, low=low,
                                      high=high))
