"""Quarters as people name them."""

from datetime import date

from dashboards import quarters
from dashboards.quarters import Quarter


def test_a_quarter_knows_its_first_and_last_day_and_its_months():
    q = Quarter(2024, 1)
    assert (q.first, q.last) == (date(2024, 1, 1), date(2024, 3, 31))
    assert q.months == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    assert Quarter(2026, 4).last == date(2026, 12, 31)


def test_quarters_step_across_the_new_year():
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)


def test_a_label_parses_and_anything_else_falls_back():
    fallback = Quarter(2026, 3)
    assert quarters.parse("2025-Q2", default=fallback) == Quarter(2025, 2)
    for bad in (None, "", "2025-Q5", "2025-Q0", "Q2-2025", "2025-Q2 ", "x" * 500):
        assert quarters.parse(bad, default=fallback) == fallback


def test_the_review_looks_back_on_the_last_quarter_that_ended():
    assert quarters.last_complete(date(2026, 12, 6)) == Quarter(2026, 3)
    assert quarters.last_complete(date(2026, 1, 1)) == Quarter(2025, 4)
    assert [q.label for q in quarters.recent(date(2026, 2, 1), 3)] == [
        "2026-Q1", "2025-Q4", "2025-Q3"]
