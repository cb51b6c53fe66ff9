"""The health-check charts, drawn by `vendorgov.charts` (server-side SVG); every page shows
the same numbers in a table beside them."""

from django.utils.safestring import mark_safe

from healthchecks.choices import Dimension, Group
from healthchecks.scoring import Results
from vendorgov.charts import Series, bar_chart

LABELS = dict(Dimension.choices)


def dimensions_chart(results: Results) -> str:
    """Mean score per dimension and group (groups under 3 answers are left out)."""
    labels = [LABELS[d.dimension] for d in results.dimensions]
    series = [Series(g.label, [d.groups[g.value].mean for d in results.dimensions])
              for g in Group]
    return mark_safe(bar_chart(labels, series, low=0, high=5,
                               title="Mean score per dimension and group (1–5)"))


def gaps_chart(results: Results) -> str:
    """Our view and the vendor's, for the dimensions with a gap, largest first."""
    if not results.gaps:
        return ""
    labels = [LABELS[g.dimension] for g in results.gaps]
    series = [Series("Our view (IT and business)", [g.ours for g in results.gaps], "blue"),
              Series("The vendor's view", [g.vendor for g in results.gaps], "#fd7e14")]
    return mark_safe(bar_chart(labels, series, low=0, high=5,
                               title="Perception gaps, largest first"))
