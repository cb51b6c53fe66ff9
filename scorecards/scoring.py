"""How a balanced scorecard is scored: pure functions on plain values, no Django.

The same rule is written for people in `templates/scorecards/_how_computed.html`; change
both together.

Measure
    A value is scored 0–100 against its measure's target and thresholds, in the measure's
    direction (higher or lower is better):

    * at or beyond the target ............................. 100
    * at the amber threshold ............................... 70
    * at the red threshold ................................. 40
    * one more "amber-to-red" step beyond the red threshold . 0 (and below: 0)

    with straight lines in between. The status follows the thresholds: green when the value
    is at least as good as the amber threshold, amber when it is at least as good as the
    red threshold, red when it is worse. A value exactly on a threshold gets the better
    status, so its score (70 or 40) falls in the same band as its status.

Roll-up
    measure → objective → perspective → vendor. Each level is the weighted average of the
    scores below it. Weights are normalised inside each group (divided by their total), so
    they need not add up to 100; when every weight in a group is zero the items count
    equally. A missing score is left out and the remaining weights are normalised again;
    `coverage` says which share of the weight had data. When the only items with data are
    weighted 0 (their weighted neighbours have none), those items count equally, so a group
    never shows "No data" while data exists. A group with no data at all has no score
    ("No data") — never zero, never green. Roll-up statuses use the score bands:
    70 and above green, 40 and above amber, below 40 red.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

HIGHER = "higher"
LOWER = "lower"
DIRECTIONS = (HIGHER, LOWER)

SCORE_AT_TARGET = Decimal(100)
SCORE_AT_AMBER = Decimal(70)
SCORE_AT_RED = Decimal(40)
SCORE_FLOOR = Decimal(0)
ONE_DECIMAL = Decimal("0.1")


class Status(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return {"green": "Green", "amber": "Amber", "red": "Red", "no_data": "No data"}[self]


@dataclass(frozen=True)
class Rule:
    """A measure's direction, target and thresholds."""

    direction: str
    target: Decimal
    amber: Decimal
    red: Decimal

    def __post_init__(self):
        if self.direction not in DIRECTIONS:
            raise ValueError(f"Unknown direction {self.direction!r}.")

    def at_least_as_good(self, value: Decimal, bound: Decimal) -> bool:
        return value >= bound if self.direction == HIGHER else value <= bound

    def beyond(self, value: Decimal, bound: Decimal) -> Decimal:
        """How far `value` is on the good side of `bound` (negative: on the bad side)."""
        return value - bound if self.direction == HIGHER else bound - value


def _d(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def threshold_errors(direction: str, target, amber, red) -> dict[str, str]:
    """Why these thresholds are in the wrong order for the direction ({} when fine).

    Higher is better: target ≥ amber threshold > red threshold.
    Lower is better:  target ≤ amber threshold < red threshold.
    """
    if None in (target, amber, red) or direction not in DIRECTIONS:
        return {}
    target, amber, red = _d(target), _d(amber), _d(red)
    errors = {}
    if direction == HIGHER:
        if amber > target:
            errors["amber_threshold"] = (
                f"When higher is better the amber threshold must not be above the target "
                f"({target:g}); values below it turn amber.")
        if red >= amber:
            errors["red_threshold"] = (
                f"When higher is better the red threshold must be below the amber threshold "
                f"({amber:g}); values below it turn red.")
    else:
        if amber < target:
            errors["amber_threshold"] = (
                f"When lower is better the amber threshold must not be below the target "
                f"({target:g}); values above it turn amber.")
        if red <= amber:
            errors["red_threshold"] = (
                f"When lower is better the red threshold must be above the amber threshold "
                f"({amber:g}); values above it turn red.")
    return errors


def measure_status(value, rule: Rule) -> Status:
    if value is None:
        return Status.NO_DATA
    value = _d(value)
    if rule.at_least_as_good(value, rule.amber):
        return Status.GREEN
    if rule.at_least_as_good(value, rule.red):
        return Status.AMBER
    return Status.RED


def reported_better_than_measured(reported, measured, rule: Rule) -> bool:
    """The vendor's own figure reads better than what we measured, by enough to change its
    status (reported green while we measured amber or red; amber while we measured red).
    The quarterly agenda flags it and the warning sign "only good news" counts it (`signs`)."""
    if reported is None or measured is None or _d(reported) == _d(measured):
        return False
    if not rule.at_least_as_good(_d(reported), _d(measured)):
        return False
    return measure_status(reported, rule) != measure_status(measured, rule)


def _between(position: Decimal, span: Decimal, low: Decimal, high: Decimal) -> Decimal:
    """`low` at position 0, `high` at position `span`, linear in between."""
    return low + (high - low) * position / span


def measure_score(value, rule: Rule) -> Decimal | None:
    """0–100, one decimal; None when there is no value."""
    if value is None:
        return None
    value = _d(value)
    step = abs(rule.amber - rule.red)  # > 0 for valid thresholds
    if rule.at_least_as_good(value, rule.target):
        score = SCORE_AT_TARGET
    elif rule.at_least_as_good(value, rule.amber):
        # Between the amber threshold and the target (which then differ).
        score = _between(rule.beyond(value, rule.amber), abs(rule.target - rule.amber),
                         SCORE_AT_AMBER, SCORE_AT_TARGET)
    elif rule.at_least_as_good(value, rule.red):
        score = _between(rule.beyond(value, rule.red), step, SCORE_AT_RED, SCORE_AT_AMBER)
    elif step == 0:
        score = SCORE_FLOOR
    else:
        score = max(SCORE_FLOOR, _between(rule.beyond(value, rule.red), -step, SCORE_AT_RED,
                                          SCORE_FLOOR))
    return _round(score)


def _round(score: Decimal) -> Decimal:
    return score.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def status_for_score(score) -> Status:
    if score is None:
        return Status.NO_DATA
    score = _d(score)
    if score >= SCORE_AT_AMBER:
        return Status.GREEN
    if score >= SCORE_AT_RED:
        return Status.AMBER
    return Status.RED


# -- roll-up ---------------------------------------------------------------------------------


@dataclass
class Item:
    """One node of the tree to roll up: a measure (with its `score`, None when missing) or
    a group (with `children`). `key` is whatever the caller needs to find it again."""

    key: object
    weight: Decimal = Decimal(1)
    score: Decimal | None = None
    children: list[Item] | None = None

    @property
    def is_group(self) -> bool:
        return self.children is not None


@dataclass
class Rolled:
    key: object
    weight: Decimal
    score: Decimal | None
    status: Status
    coverage: Decimal  # share of the weight below this node that has data, 0–1
    measures: int  # measures below (a measure counts itself)
    measures_with_data: int
    share: Decimal | None = None  # this node's normalised weight in its group, 0–1
    weights_total: Decimal | None = None  # groups: the total of their children's weights
    equal_weights: bool = False  # groups: every child weight was zero, so they count equally
    children: list[Rolled] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return self.measures_with_data == self.measures

    @property
    def normalised(self) -> bool:
        """Did the group's weights need normalising (they do not add up to 100)?"""
        return self.weights_total is not None and self.weights_total != 100

    def find(self, key) -> Rolled | None:
        if self.key == key:
            return self
        for child in self.children:
            found = child.find(key)
            if found is not None:
                return found
        return None


def roll_up(item: Item) -> Rolled:
    """Score every group of the tree from the measures up (see the module's docstring)."""
    weight = _d(item.weight)
    if weight < 0:
        raise ValueError(f"Weights cannot be negative ({item.key!r}: {weight}).")
    if not item.is_group:
        score = None if item.score is None else _d(item.score)
        return Rolled(key=item.key, weight=weight, score=score, status=status_for_score(score),
                      coverage=Decimal(1 if score is not None else 0), measures=1,
                      measures_with_data=int(score is not None))

    children = [roll_up(child) for child in item.children]
    total = sum((c.weight for c in children), Decimal(0))
    equal = bool(children) and total == 0
    effective = [Decimal(1) if equal else c.weight for c in children]
    effective_total = sum(effective, Decimal(0))
    for child, w in zip(children, effective, strict=True):
        child.share = w / effective_total if effective_total else Decimal(0)

    scored = [(w, c.score) for c, w in zip(children, effective, strict=True)
              if c.score is not None]
    scored_weight = sum((w for w, _ in scored), Decimal(0))
    if scored and not scored_weight:
        # Only items weighted 0 have data: they count equally rather than the group
        # showing "No data" while data exists.
        scored = [(Decimal(1), score) for _, score in scored]
        scored_weight = Decimal(len(scored))
    score = _round(sum((w * s for w, s in scored), Decimal(0)) / scored_weight) \
        if scored_weight else None
    coverage = sum((c.share * c.coverage for c in children), Decimal(0))
    return Rolled(key=item.key, weight=weight, score=score, status=status_for_score(score),
                  coverage=coverage, measures=sum(c.measures for c in children),
                  measures_with_data=sum(c.measures_with_data for c in children),
                  weights_total=total, equal_weights=equal, children=children)
