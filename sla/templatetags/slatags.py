"""Small helpers for the SLA templates."""

import functools
from html import escape

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from sla import rules
from sla.choices import CorrectiveActionStatus, EvaluationStatus
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
    return _badge(str(value), str(label or value))


@functools.lru_cache(maxsize=256)
def _badge(value: str, label: str) -> str:
    # A handful of (status, word) pairs, drawn hundreds of times on a report.
    return badge(f"sla_{value}", label)


@register.simple_tag
def month_windows(evaluations, unit):
    """{% month_windows level.this_month sl.unit %}: the windows of a report's service level
    that closed in the month, each its badge (a link to the evaluation) and value; the
    links share one reverse()."""
    parts, base = [], None
    for e in evaluations:
        if base is None:
            base = _evaluation_url_base(e) or ""
        url = f"{base}{e.pk}/" if base else e.get_absolute_url()
        status = sla_badge(e.status, e.get_status_display())
        excused = mark_safe(" " + sla_badge("excused", "Excused")) if e.excused else ""  # noqa: S308 - a badge
        parts.append(format_html(
            '<a class="text-decoration-none" href="{}">{}</a>{} <span class="small">{}: {}</span> ',
            url, status, excused, e.label, rules.with_unit(e.value, unit)))
    return mark_safe("".join(parts))  # noqa: S308 - each part is built by format_html


_CELL = '<td class="text-end small text-nowrap">{}</td>'
_NO_CELL = _CELL.format('<span class="text-body-secondary">—</span>')
_NO_RATE = '<span class="text-body-secondary">no data</span>'


@register.simple_tag
def compliance_cells(months):
    """{% compliance_cells row.months %}: one vendor's cells of the SLA portfolio's
    compliance table. Built here rather than with template tags per cell: a page holds 50
    vendors x 12 or 24 months, and the template's nodes for each cell cost more than the
    rest of the page together. Every value is a number (no text to escape), so the cells
    are plain string formatting, not format_html and floatformat per cell (the same HTML,
    at a tenth of the cost)."""
    cells = []
    for cell in months:
        if not cell:
            cells.append(_NO_CELL)
            continue
        rate, breached, no_data = cell["rate"], int(cell["breached"]), int(cell["no_data"])
        if rate is not None:
            # floatformat(rate, 0): rounded half up (rates are >= 0, one decimal).
            html = (f'<span class="{"text-danger fw-semibold" if breached else ""}">'
                    f'{int(float(rate) + 0.5)}%</span>')
        else:
            html = _NO_RATE
        if breached:
            html += (f'<div class="text-danger">{breached} '
                     f'breach{"" if breached == 1 else "es"}</div>')
        if no_data:
            html += f'<div class="text-body-secondary">{no_data} without data</div>'
        cells.append(_CELL.format(html))
    return mark_safe("".join(cells))  # noqa: S308 - numbers and constants only


_WINDOW_ROW = ('\n    <tr><th scope="row" class="fw-normal">{}</th>\n'
               '      <td class="text-end">{}</td>\n'
               '      <td>{}</td>\n'
               '      <td class="small">{}</td></tr>\n  ')


#: Status words by key (what get_status_display() returns), looked up once: the window
#: tables show a status for each of 84 windows (7 service levels x 12) on a report.
_EVALUATION_STATUS = {str(k): str(v) for k, v in EvaluationStatus.choices}
_ACTION_STATUS = {str(k): str(v) for k, v in CorrectiveActionStatus.choices}
_NOT_EVALUATED = '<span class="small text-body-secondary">not evaluated</span>'


@register.simple_tag
def window_rows(row):
    """{% window_rows row %}: the rows of a service level's window table (newest first),
    built here rather than with template tags per row: the monthly report shows a table of
    12 windows for every service level. Evaluation links share one reverse(); every text is
    escaped here (the same HTML as format_html, without its per-argument dispatch)."""
    sl = row.service_level
    base = None
    rows = []
    for label, e in reversed(row.windows):
        if e is None:
            rows.append(_WINDOW_ROW.format(escape(label), "—", _NOT_EVALUATED, ""))
            continue
        if base is None:
            base = _evaluation_url_base(e)
        url = f"{base}{e.pk}/" if base else e.get_absolute_url()
        status = sla_badge(e.status, _EVALUATION_STATUS.get(e.status, e.status))
        if e.excused:
            status = f"{status} {sla_badge('excused', 'Excused')}"
        action = e.corrective_action
        link = ""
        if action:
            action_url = _record_url("sla:corrective_action", action.vendor.slug, action.pk)
            link = (f'<a href="{escape(action_url)}">'
                    f'{escape(_ACTION_STATUS.get(action.status, action.status))}</a>')
        rows.append(_WINDOW_ROW.format(f'<a href="{escape(url)}">{escape(label)}</a>',
                                       escape(rules.with_unit(e.value, sl.unit)), status,
                                       link))
    return mark_safe("".join(rows))  # noqa: S308 - every text in it escaped above


def _evaluation_url_base(e) -> str | None:
    """The evaluation URL without its id ('/vendors/acme/slas/evaluations/'), or None if the
    route does not end with the id."""
    return _url_base("sla:evaluation", e.vendor.slug)


def _record_url(name: str, slug: str, pk: int) -> str:
    """reverse(name, args=[slug, pk]) with one reverse() per route and vendor."""
    base = _url_base(name, slug)
    return f"{base}{pk}/" if base else reverse(name, args=[slug, pk])


def _url_base(name: str, slug: str) -> str | None:
    return _cached_base(name, slug, get_script_prefix(), settings.ROOT_URLCONF, get_urlconf())


@functools.lru_cache(maxsize=4096)
def _cached_base(name: str, slug: str, *where) -> str | None:
    # `where`: what else reverse() depends on (script prefix, URLconf), so a cached base is
    # never one of another deployment's or test's routes.
    url = reverse(name, args=[slug, 0])
    return url[:-2] if url.endswith("/0/") else None
