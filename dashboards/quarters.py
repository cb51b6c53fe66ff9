"""Quarters as people name them ("2026-Q3"): parsing, bounds, the one before. Pure."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

LABEL = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    def __str__(self):
        return self.label

    @property
    def first(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last(self) -> date:
        return self.next().first - timedelta(days=1)

    @property
    def months(self) -> list[date]:
        return [date(self.year, 3 * self.number - 2 + i, 1) for i in range(3)]

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year,
                                                                          self.number + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year,
                                                                          self.number - 1)


def of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def parse(label: str | None, *, default: Quarter) -> Quarter:
    """The quarter `label` names, or `default` when it names none."""
    match = LABEL.match(label or "")
    return Quarter(int(match[1]), int(match[2])) if match else default


def last_complete(today: date) -> Quarter:
    """The quarter a quarterly review looks back on: the last one that has ended."""
    return of(today).previous()


def recent(today: date, count: int = 8) -> list[Quarter]:
    """The current quarter and the `count - 1` before it, newest first."""
    quarters = [of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters
