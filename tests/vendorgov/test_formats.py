"""The one way the product writes dates and amounts into its own texts."""

import datetime
from decimal import Decimal

from django.template import Context, Template

from vendorgov import formats

TUESDAY = datetime.date(2026, 3, 3)


def test_a_day_reads_weekday_day_month_year_without_a_leading_zero():
    assert formats.day(TUESDAY) == "Tue 3 Mar 2026"
    assert formats.day(datetime.datetime(2026, 11, 12, 23, 30)) == "Thu 12 Nov 2026"


def test_a_padded_day_keeps_the_leading_zero_sla_messages_have_always_had():
    assert formats.day(TUESDAY, padded=True) == "Tue 03 Mar 2026"
    assert formats.date(TUESDAY, padded=True) == "03 Mar 2026"


def test_a_date_reads_day_month_year_or_without_the_year():
    assert formats.date(TUESDAY) == "3 Mar 2026"
    assert formats.date(TUESDAY, year=False) == "3 Mar"


def test_no_date_reads_as_nothing():
    assert formats.day(None) == formats.date(None) == ""


def test_money_has_the_currency_first_and_thousands_separated():
    assert formats.money(Decimal("1234567.891"), "EUR") == "EUR 1,234,567.89"
    assert formats.money(Decimal("1234.5"), "GBP", places=0) == "GBP 1,234"
    assert formats.money(0, "USD", places=0) == "USD 0"
    assert formats.money(Decimal("12.5")) == "12.50"


def test_the_day_filter_is_the_same_formatter_and_empty_for_no_date():
    template = Template("{% load vg %}[{{ when|day }}][{{ nothing|day }}]")
    assert template.render(Context({"when": TUESDAY, "nothing": None})) == \
        "[Tue 3 Mar 2026][]"
