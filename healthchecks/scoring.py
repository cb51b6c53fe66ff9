"""How a health check's answers become results: pure functions over plain values, no
database, so every edge case is a one-line test.

* A respondent's view of a dimension is the mean of their answers to its questions ("don't
  know" left out); a respondent who only said "don't know" does not count for it.
* Each figure (a dimension, overall or per group) is the mean of those respondent views,
  with the spread (standard deviation, min and max) and n, the number of respondents.
* Anonymity: a group with fewer than `min_n` respondents on a dimension shows no figure
  (`suppressed`), and its comments are not listed; nothing here knows who said what.
* Our view (IT and business together) against the vendor's: the perception gap per
  dimension, largest first; only where both sides have at least `min_n` respondents.
* Against the previous cycle: the change of each dimension's overall mean.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean, pstdev

OURS = ("it", "business")
VENDOR = "vendor"


@dataclass(frozen=True)
class Response:
    """One answer as scoring sees it: who (an opaque key), which group, which dimension,
    the score (None for don't know), and the comment."""

    respondent: object
    group: str
    dimension: str
    score: int | None
    comment: str = ""


@dataclass
class Figure:
    n: int
    mean: float | None = None
    stdev: float | None = None
    low: float | None = None
    high: float | None = None
    suppressed: bool = False  # fewer than the threshold: no figure is shown

    @property
    def shown(self) -> bool:
        return self.mean is not None


@dataclass
class DimensionResult:
    dimension: str
    overall: Figure
    groups: dict  # group → Figure
    ours: Figure
    vendor: Figure
    comments: dict = field(default_factory=dict)  # group → [text], shown groups only
    previous: float | None = None

    @property
    def change(self) -> float | None:
        if self.previous is None or self.overall.mean is None:
            return None
        return round(self.overall.mean - self.previous, 2)


@dataclass
class Gap:
    dimension: str
    ours: float
    vendor: float

    @property
    def gap(self) -> float:
        return round(self.ours - self.vendor, 2)

    @property
    def size(self) -> float:
        return abs(self.gap)


@dataclass
class Results:
    dimensions: list  # [DimensionResult], in the order asked
    gaps: list  # [Gap], largest first
    respondents: dict  # group → how many answered at least one question
    overall: float | None  # mean of the dimensions' overall means

    @property
    def by_dimension(self) -> dict:
        return {d.dimension: d for d in self.dimensions}


def figure(values: list[float], *, min_n: int = 1) -> Figure:
    n = len(values)
    if n == 0:
        return Figure(n=0)
    if n < min_n:
        return Figure(n=n, suppressed=True)
    return Figure(n=n, mean=round(mean(values), 2), stdev=round(pstdev(values), 2),
                  low=round(min(values), 2), high=round(max(values), 2))


def _views(responses, dimension: str, groups) -> list[float]:
    """Each respondent's mean score on `dimension`, for respondents of `groups`."""
    per = defaultdict(list)
    for r in responses:
        if r.dimension == dimension and r.group in groups and r.score is not None:
            per[r.respondent].append(r.score)
    return [mean(scores) for scores in per.values()]


def score(responses: list[Response], *, dimensions: list[str], groups: list[str],
          min_n: int = 3, previous: dict | None = None) -> Results:
    """The results of one cycle. `dimensions` and `groups` give the order; `previous` maps
    a dimension to the previous cycle's overall mean."""
    responses = list(responses)
    results = []
    for dimension in dimensions:
        by_group = {g: figure(_views(responses, dimension, (g,)), min_n=min_n) for g in groups}
        comments = {}
        for g in groups:
            if by_group[g].suppressed or by_group[g].n == 0:
                continue
            # Sorted by text, not by respondent: the order says nothing about who wrote it.
            texts = sorted(r.comment.strip() for r in responses
                           if r.dimension == dimension and r.group == g and r.comment.strip())
            if texts:
                comments[g] = texts
        results.append(DimensionResult(
            dimension=dimension,
            overall=figure(_views(responses, dimension, groups), min_n=min_n),
            groups=by_group,
            ours=figure(_views(responses, dimension, OURS), min_n=min_n),
            vendor=figure(_views(responses, dimension, (VENDOR,)), min_n=min_n),
            comments=comments,
            previous=(previous or {}).get(dimension)))
    gaps = [Gap(d.dimension, d.ours.mean, d.vendor.mean) for d in results
            if d.ours.shown and d.vendor.shown]
    gaps.sort(key=lambda g: (-g.size, dimensions.index(g.dimension)))
    respondents = {g: len({r.respondent for r in responses if r.group == g}) for g in groups}
    shown = [d.overall.mean for d in results if d.overall.shown]
    return Results(dimensions=results, gaps=gaps, respondents=respondents,
                   overall=round(mean(shown), 2) if shown else None)


def response_rate(invited: int, submitted: int) -> int | None:
    """Submitted answers as a whole percentage of those invited; None when nobody is."""
    return round(100 * submitted / invited) if invited else None
