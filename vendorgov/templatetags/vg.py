"""Small presentation helpers used by every app's templates."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from vendorgov import charts, formats
from vendorgov.jobs import open_failures

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
    # scorecards: red/amber/green of scores, the workflow of actuals and disputes
    "rag_green": ("success", "check-circle-fill"),
    "rag_amber": ("warning", "exclamation-triangle-fill"),
    "rag_red": ("danger", "x-octagon-fill"),
    "rag_no_data": ("secondary", "question-circle"),
    "scorecard_draft": ("light", "pencil"),
    "scorecard_submitted": ("info", "send"),
    "scorecard_approved": ("success", "check2-all"),
    "scorecard_open": ("warning", "flag-fill"),
    "scorecard_upheld": ("primary", "check2-circle"),
    "scorecard_rejected": ("secondary", "x-circle"),
    # sla: window evaluations, corrective actions, disputes, versions, reviews
    "sla_met": ("success", "check-circle-fill"),
    "sla_at_risk": ("warning", "exclamation-triangle-fill"),
    "sla_breached": ("danger", "x-octagon-fill"),
    "sla_no_data": ("secondary", "question-circle"),
    "sla_excused": ("info", "shield-check"),
    "sla_open": ("warning", "flag-fill"),
    "sla_in_progress": ("info", "arrow-repeat"),
    "sla_done": ("primary", "check2"),
    "sla_verified": ("success", "patch-check-fill"),
    "sla_rejected": ("secondary", "x-circle"),
    "sla_withdrawn": ("secondary", "arrow-counterclockwise"),
    "sla_accepted": ("success", "check2-circle"),
    "sla_draft": ("light", "pencil"),
    "sla_reviewed": ("info", "eye"),
    "sla_effective": ("success", "check2-circle"),
    "sla_superseded": ("secondary", "clock-history"),
    "sla_retired": ("secondary", "archive"),
    "sla_unchanged": ("secondary", "dash-circle"),
    "sla_amended": ("info", "pencil-square"),
    # signs: severity of a warning sign, and a dismissed one
    "sign_high": ("danger", "exclamation-octagon-fill"),
    "sign_medium": ("warning", "exclamation-triangle-fill"),
    "sign_dismissed": ("secondary", "eye-slash"),
    # governance: meetings, attendance, action items, impediments, suggestions, quota
    "gov_scheduled": ("info", "calendar-event"),
    "gov_held": ("success", "check2-circle"),
    "gov_cancelled": ("secondary", "calendar-x"),
    "gov_pending": ("light", "question-circle"),
    "gov_confirmed": ("success", "check-circle"),
    "gov_declined": ("secondary", "x-circle"),
    "gov_present": ("success", "person-check"),
    "gov_absent": ("warning", "person-x"),
    "gov_open": ("warning", "flag"),
    "gov_in_progress": ("info", "arrow-repeat"),
    "gov_done": ("success", "check-circle"),
    "gov_dropped": ("secondary", "slash-circle"),
    "gov_resolved": ("success", "check2-circle"),
    "gov_withdrawn": ("secondary", "arrow-counterclockwise"),
    "gov_escalated": ("warning", "arrow-up-circle"),
    "gov_submitted": ("info", "send"),
    "gov_under_review": ("warning", "hourglass-split"),
    "gov_accepted": ("primary", "hand-thumbs-up"),
    "gov_implemented": ("success", "gear"),
    "gov_outcome_reviewed": ("success", "award"),
    "gov_met": ("success", "check-circle"),
    "gov_short": ("danger", "exclamation-circle"),
    "gov_so_far": ("info", "hourglass"),
}


@register.simple_tag
def badge(value, label=None):
    colour, icon = BADGES.get(str(value), ("secondary", "circle"))
    text_class = " text-dark" if colour in ("warning", "info") else ""
    return format_html('<span class="badge text-bg-{}{}"><i class="bi bi-{}" aria-hidden="true">'
                       '</i> {}</span>', colour, text_class, icon, label or value)


@register.filter
def day(value):
    """{{ meeting.held_on|day }}: 'Tue 3 Mar 2026' (`vendorgov.formats.day`)."""
    return formats.day(value)


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
        arrow = format_html(' <span aria-hidden="true">{}</span>',
                            "▼" if current.startswith("-") else "▲")
    return format_html('<a href="?{}" class="link-body-emphasis text-decoration-none">{}{}</a>',
                       query.urlencode(), label, arrow)


@register.simple_tag(takes_context=True)
def sort_aria(context, field):
    """` aria-sort="…"` for the <th> of the column the table is sorted by (ARIA allows it on
    column headers only, not on the link inside): <th scope="col"{% sort_aria "name" %}>."""
    current = context.get("sort", "")
    if current.lstrip("-") != field:
        return ""
    return format_html(' aria-sort="{}"',
                       "descending" if current.startswith("-") else "ascending")


@register.simple_tag(takes_context=True)
def page_url(context, number):
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.simple_tag
def sparkline(values, label="", colour="blue", low=None, high=None):
    """{% sparkline values "P1 resolution, last 8 quarters" %} — an inline SVG trend."""
    return mark_safe(charts.sparkline(list(values), label=label, colour=colour, low=low,
                                      high=high))


@register.inclusion_tag("_job_failures.html", takes_context=True)
def job_failures(context):
    """Periodic jobs' unresolved failures, for vendor managers (they run the programme and
    can fix the record, or ask who can); nothing for anyone else."""
    user = context.get("user")
    if not getattr(user, "is_vendor_manager", False):
        return {"failures": []}
    failures = list(open_failures()[:20])
    return {"failures": failures, "staff": user.is_staff}
