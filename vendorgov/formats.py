"""How dates and amounts read in the text the product writes itself: agenda sections,
search results, timelines, messages of refused changes, history reasons. One place, so a
date reads the same wherever it is shown; templates use the same through the `day` filter
(`vendorgov/templatetags/vg.py`).

Each function formats the value it is given as it is: a datetime is not moved to another
time zone here (a meeting's time is shown in its own zone); convert first where needed
(`django.utils.timezone.localdate`).
"""

from datetime import date as Date
from decimal import Decimal


def day(value: Date | None, *, padded: bool = False) -> str:
    """'Tue 3 Mar 2026', the weekday first (padded: 'Tue 03 Mar 2026'); '' for None."""
    return f"{value:%a} {date(value, padded=padded)}" if value else ""


def date(value: Date | None, *, padded: bool = False, year: bool = True) -> str:
    """'3 Mar 2026'; padded: '03 Mar 2026' (as SLA messages write it); without the year:
    '3 Mar'. '' for None."""
    if not value:
        return ""
    text = f"{value:%d}" if padded else str(value.day)
    return f"{text} {value:%b %Y}" if year else f"{text} {value:%b}"


def money(amount: Decimal | int, currency: str = "", *, places: int = 2) -> str:
    """'EUR 1,234.50' — the currency code, then the amount with thousands separators and
    `places` decimals (0: 'EUR 1,235'); just the amount when there is no currency."""
    return f"{currency} {amount:,.{places}f}".strip()
