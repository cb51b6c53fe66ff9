"""Presentation helpers for scorecard pages: status badges, numbers, shares."""

from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from scorecards import scoring
from vendorgov.templatetags.vg import badge

register = template.Library()

RAG_CELL = {"green": "bg-success-subtle", "amber": "bg-warning-subtle",
            "red": "bg-danger-subtle", "no_data": "bg-body-secondary"}


@register.simple_tag
def rag(status, label=None):
    """A red/amber/green/no-data badge: colour, icon and word."""
    return _rag(str(status or "no_data"), label)


@lru_cache(maxsize=64)
def _rag(status: str, label) -> str:
    # The heat map shows a few hundred of the same few badges: built once each.
    status = scoring.Status(status)
    return badge(f"rag_{status.value}", label or status.label)


@register.simple_tag
def workflow(status, label=None):
    """Draft / submitted / approved, or an open / upheld / rejected dispute."""
    return badge(f"scorecard_{status}", label or str(status).capitalize())


@register.filter
def rag_cell(status):
    return RAG_CELL.get(str(status or "no_data"), "bg-body-secondary")


@register.filter
def num(value):
    """99.9500 → 99.95; None → an empty string."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    text = f"{value.normalize():f}"
    return text


@register.filter
def pct(share, digits=0):
    """A 0–1 share as a percentage: 0.3333 → 33 %."""
    if share is None:
        return "—"
    return f"{Decimal(share) * 100:.{int(digits)}f} %"


@register.filter
def signed(value):
    if value is None:
        return ""
    value = Decimal(value)
    return ("+" if value > 0 else "") + f"{value.normalize():f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key, []) if mapping else []


@register.filter
def cell(row, name):
    """The rolled-up perspective `name` of a portfolio row, or None."""
    return row.cell(name)


NOT_ON_SCORECARD = mark_safe('<td class="heat "><span class="small text-body-secondary">'  # noqa: S308 - a constant
                             'not on this scorecard</span></td>')


@register.simple_tag
def heat_map_cell(row, name, url, label):
    """One perspective's cell of a heat map row (`selectors.PortfolioRow`): built in Python,
    as a page shows a few hundred of them (the same markup a template would give)."""
    cell = row.cell(name)
    if not cell:
        return NOT_ON_SCORECARD
    measures = format_html('<span class="d-block small">{}/{} measures</span>',
                           cell.measures_with_data, cell.measures) \
        if not cell.is_complete and cell.measures_with_data else ""
    return format_html('<td class="heat {}"><a href="{}?period={}#perspective-{}"><span '
                       'class="visually-hidden">{}, {}: </span><span class="fw-semibold">{}'
                       '</span> {}{}</a></td>', rag_cell(cell.status), url, label, cell.key[1],
                       row.vendor, name, "—" if cell.score is None else cell.score,
                       rag(cell.status), measures)
