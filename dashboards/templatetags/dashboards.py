"""The vendor 360 on the vendor's Overview tab (registered with `vendors.overview`)."""

from django import template

from dashboards import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def vendor_360(context):
    """{% vendor_360 as v %}: everything about the page's vendor, in a fixed number of
    queries, scoped to the person looking. The Overview tab's own overview (`o`, unless it
    shows archived records too) is the one the 360 needs, so it is not read again."""
    overview = None if context.get("show_archived") else context.get("o")
    return selectors.vendor_360(context["user"], context["vendor"], overview=overview)


@register.filter
def heat_cell(row, name):
    """{{ row|heat_cell:"Customer" }}: the row's rolled-up perspective, or None."""
    return row.cell(name)


@register.filter
def health_rag(score):
    """A health-check score (1–5) as green / amber / red / no_data (anything else, such as
    the empty string a missing figure renders as, is no data)."""
    return selectors.health_status(score if isinstance(score, int | float) else None)


@register.filter
def pack_counts(pack):
    """SLA windows closed in the pack's quarter, per result (an excused breach counts as met)."""
    totals = {"met": 0, "at_risk": 0, "breached": 0, "no_data": 0}
    for report in pack.sla_months:
        for status, n in report.counts.items():
            totals[str(status)] = totals.get(str(status), 0) + n
    return totals


@register.filter
def words(value):
    """'at_risk' → 'At risk': a status key as the word people read."""
    text = str(value or "").replace("_", " ")
    return text[:1].upper() + text[1:]
