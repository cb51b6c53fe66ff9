"""Incentives and service credits, computed from evaluated windows (no database here).

The rules, as the pages state them:

* **Bonus points** — a window whose value is strictly better than the target earns the
  service level's bonus points.
* **Service credits** — a breached window costs the service level's credit percentage of
  the monthly charge, in the month the window closes. A month's credits for one SLA are
  capped at that version's cap (a percentage of the monthly charge); when the cap bites,
  every credit of that month is scaled down in proportion, and the cap is applied after
  rounding to cents, so a capped month never pays a cent more than its cap.
* **Earn-back** — a credit is earned back (returned to the vendor) when the same service
  level is met in each of the next N windows (N set per SLA version; 0 means no earn-back).
  A window at risk, breached or without data ends the run and the credit stays.
* A window whose breach was excused after an accepted dispute counts as met.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from sla.choices import EvaluationStatus
from sla.rules import month_start

CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Outcome:
    """One evaluated window of one service level, with the terms that governed it."""

    sla_id: int
    key: str  # the service level's key: stable across the SLA's versions
    name: str
    start: date
    end: date
    status: str
    credit_percent: Decimal
    bonus_points: int
    earn_back_windows: int
    beats_target: bool = False
    excused: bool = False
    label: str = ""
    evaluation_id: int | None = None

    @property
    def is_breach(self) -> bool:
        return self.status == EvaluationStatus.BREACHED and not self.excused

    @property
    def is_met(self) -> bool:
        return self.status == EvaluationStatus.MET or self.excused


@dataclass(frozen=True)
class MonthTerms:
    """The money side of one SLA version for one month."""

    charge: Decimal  # the monthly charge
    cap_percent: Decimal
    currency: str = ""


@dataclass
class Credit:
    outcome: Outcome
    percent: Decimal  # the service level's credit
    applied_percent: Decimal = ZERO  # after the month's cap
    amount: Decimal = ZERO
    currency: str = ""
    earned_back_on: date | None = None  # last day of the window that completed the run
    earn_back_note: str = ""

    @property
    def month(self) -> date:
        return month_start(self.outcome.end)


@dataclass
class Bonus:
    outcome: Outcome
    points: int


@dataclass
class SlaMonth:
    """One SLA's money for one month."""

    sla_id: int
    terms: MonthTerms | None
    credits: list[Credit] = field(default_factory=list)
    earned_back: list[Credit] = field(default_factory=list)
    bonuses: list[Bonus] = field(default_factory=list)

    @property
    def uncapped_percent(self) -> Decimal:
        return sum((c.percent for c in self.credits), ZERO)

    @property
    def applied_percent(self) -> Decimal:
        """The month's credit in % of the charge, after the cap."""
        if self.terms is None:
            return self.uncapped_percent
        return min(self.uncapped_percent, self.terms.cap_percent)

    @property
    def capped(self) -> bool:
        return self.applied_percent < self.uncapped_percent

    @property
    def credit_amount(self) -> Decimal:
        return sum((c.amount for c in self.credits), ZERO)

    @property
    def earned_back_amount(self) -> Decimal:
        return sum((c.amount for c in self.earned_back), ZERO)

    @property
    def net_amount(self) -> Decimal:
        return self.credit_amount - self.earned_back_amount

    @property
    def bonus_points(self) -> int:
        return sum(b.points for b in self.bonuses)


def earn_back(run: list[Outcome], index: int) -> tuple[date | None, str]:
    """Whether the breach at `run[index]` was earned back: (day it was, explanation).

    `run` is one service level's evaluated windows in order. Only the windows right after
    the breach count; a window not evaluated yet leaves the earn-back pending."""
    breach = run[index]
    needed = breach.earn_back_windows
    if needed <= 0:
        return None, "No earn-back in this version."
    previous, met = breach, 0
    for outcome in run[index + 1:index + 1 + needed]:
        if outcome.start != previous.end + timedelta(days=1):
            break  # the next window has not been evaluated yet
        if not outcome.is_met:
            status = EvaluationStatus(outcome.status).label.lower()
            return None, (f"Not earned back: {status} in {outcome.label or outcome.start} "
                          f"(window {met + 1} of {needed}).")
        previous, met = outcome, met + 1
    if met < needed:
        return None, f"Earn-back pending: met in {met} of the next {needed} windows so far."
    return previous.end, f"Earned back: met in each of the next {needed} windows."


def ledger(outcomes: Iterable[Outcome],
           terms_for: Callable[[int, date], MonthTerms | None]) -> tuple[list[Credit],
                                                                           list[Bonus]]:
    """Every credit (with its capped amount and earn-back) and every bonus in `outcomes`.

    `terms_for(sla_id, month)` gives the charge and cap of the version governing that SLA's
    windows closing in `month` (versions change on the first day of a month)."""
    runs: dict[tuple[int, str], list[Outcome]] = defaultdict(list)
    for outcome in sorted(outcomes, key=lambda o: (o.sla_id, o.key, o.start)):
        runs[(outcome.sla_id, outcome.key)].append(outcome)

    credits, bonuses = [], []
    for run in runs.values():
        for index, outcome in enumerate(run):
            if outcome.beats_target and outcome.bonus_points:
                bonuses.append(Bonus(outcome, outcome.bonus_points))
            if outcome.is_breach and outcome.credit_percent > 0:
                day, note = earn_back(run, index)
                credits.append(Credit(outcome, outcome.credit_percent, earned_back_on=day,
                                      earn_back_note=note))

    by_month: dict[tuple[int, date], list[Credit]] = defaultdict(list)
    for credit in credits:
        by_month[(credit.outcome.sla_id, credit.month)].append(credit)
    for (sla_id, month), month_credits in by_month.items():
        terms = terms_for(sla_id, month)
        total = sum((c.percent for c in month_credits), ZERO)
        cap = terms.cap_percent if terms else total
        scale = min(Decimal(1), cap / total) if total else Decimal(1)
        charge = terms.charge if terms else ZERO
        for credit in month_credits:
            credit.applied_percent = (credit.percent * scale).quantize(Decimal("0.0001"))
            credit.currency = terms.currency if terms else ""
            credit.amount = (charge * credit.percent * scale / 100).quantize(
                CENT, rounding=ROUND_HALF_UP)
        if terms is not None:
            _cap_in_cents(month_credits, charge, scale,
                          (charge * cap / 100).quantize(CENT, rounding=ROUND_DOWN),
                          capped=scale < 1)
    return credits, bonuses


def _cap_in_cents(credits: list[Credit], charge: Decimal, scale: Decimal, cap: Decimal, *,
                  capped: bool) -> None:
    """Apply the cap after rounding, so a month never pays a cent more than its cap: when
    the cap bites (or the rounded credits would pass it), the cap's amount is shared out in
    whole cents — each credit its exact share rounded down, the cents left over to those
    that lost most by the rounding (largest remainder, the earlier window on a tie)."""
    if not capped and sum((c.amount for c in credits), ZERO) <= cap:
        return
    exact = [charge * c.percent * scale / 100 for c in credits]
    floors = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    left = int((cap - sum(floors, ZERO)) / CENT)
    order = sorted(range(len(credits)), key=lambda i: (-(exact[i] - floors[i]), i))
    for rank, i in enumerate(order):
        credits[i].amount = floors[i] + (CENT if rank < left else ZERO)


def month_summary(month: date, credits: list[Credit], bonuses: list[Bonus],
                  terms_for: Callable[[int, date], MonthTerms | None],
                  sla_ids: Iterable[int]) -> dict[int, SlaMonth]:
    """Per SLA: the credits of windows closing in `month`, the credits earned back in it,
    and the bonus points earned in it."""
    month = month_start(month)
    summary = {sla_id: SlaMonth(sla_id, terms_for(sla_id, month)) for sla_id in sla_ids}
    for credit in credits:
        if credit.month == month and credit.outcome.sla_id in summary:
            summary[credit.outcome.sla_id].credits.append(credit)
        if (credit.earned_back_on and month_start(credit.earned_back_on) == month
                and credit.outcome.sla_id in summary):
            summary[credit.outcome.sla_id].earned_back.append(credit)
    for bonus in bonuses:
        if month_start(bonus.outcome.end) == month and bonus.outcome.sla_id in summary:
            summary[bonus.outcome.sla_id].bonuses.append(bonus)
    return summary
