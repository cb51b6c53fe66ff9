"""Presentation helpers for scorecard pages: status badges, numbers, shares."""

from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils.formats import date_format
from django.utils.html import escape, format_html
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


NOT_ON_SCORECARD = ('<td class="heat "><span class="small text-body-secondary">'
                    'not on this scorecard</span></td>')


def heat_map_cells(row, names, url, label) -> str:
    """The cells of one heat map row (`selectors.PortfolioRow`): its overall score, then
    one per perspective in `names`, or one cell saying the scorecard has no such period.
    Built in Python, as a page shows a few hundred of them: the same markup a template
    would give, with the row's texts escaped once and each status's badge built once."""
    score = row.score
    if score is None:
        return format_html('<td colspan="{}" class="text-body-secondary small">No {} period on '
                           'this scorecard (it starts {}).</td>', len(names) + 1, label,
                           date_format(row.scorecard.starts_on, "j M Y"))
    link = escape(f"{url}?period={label}")
    vendor = escape(str(row.vendor))
    r = score.rolled
    red = f" · {score.red} red" if score.red else ""
    out = [f'<td class="heat {rag_cell(r.status)}"><a href="{link}"><span class="fw-semibold">'
           f'{"—" if r.score is None else r.score}</span> {rag(r.status)}<span class="d-block '
           f'small">{r.measures_with_data}/{r.measures} measures{red}</span></a></td>']
    for name in names:
        cell = row.cell(name)
        if not cell:
            out.append(NOT_ON_SCORECARD)
            continue
        measures = (f'<span class="d-block small">{cell.measures_with_data}/{cell.measures} '
                    f'measures</span>') \
            if not cell.is_complete and cell.measures_with_data else ""
        out.append(f'<td class="heat {rag_cell(cell.status)}"><a href="{link}#perspective-'
                   f'{cell.key[1]}"><span class="visually-hidden">{vendor}, {escape(name)}: '
                   f'</span><span class="fw-semibold">{"—" if cell.score is None else cell.score}'
                   f'</span> {rag(cell.status)}{measures}</a></td>')
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


NO_DATA_CELL = '<td class="text-end"><span class="text-body-secondary">no data</span></td>'


def trend_cells(row) -> str:
    """A heat map row's overall score per trend period, as table cells (built in Python for
    the same reason as `heat_map_cells`)."""
    return mark_safe("".join(  # noqa: S308 - numbers and a constant
        NO_DATA_CELL if v is None else f'<td class="text-end">{v}</td>' for v in row.trend))
