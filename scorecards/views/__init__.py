"""The scorecard pages, one module per resource: `scorecard` (the vendor's Scorecard tab,
its CSV and setting one up), `actuals` (entering a period's actuals, evidence, approving,
sending back, locking), `measures` (one measure's details, and adding, editing, retiring
the scorecard's parts), `disputes`, `portfolio` (the heat map across vendors) and
`templates` (scorecard templates and their parts).

Every vendor page is a generic view of `vendorgov.pages` behind `ScorecardPage`.
"""

from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property

from scorecards import selectors
from vendors.pages import VendorMixin

PART_LABELS = {"perspectives": "perspective", "objectives": "objective", "measures": "measure"}


def period_query(period) -> str:
    return f"?period={period.label}" if period else ""


class ScorecardPage(VendorMixin):
    """A page of the vendor's Scorecard tab; 404 when the vendor has no scorecard (except
    where a view says it can do without)."""

    tab = "scorecard"
    needs_scorecard = True

    @cached_property
    def scorecard(self):
        scorecard = selectors.scorecard_of(self.vendor)
        if scorecard is None and self.needs_scorecard:
            raise Http404("This vendor has no scorecard.")
        return scorecard

    def tab_url(self, period=None) -> str:
        return reverse("scorecards:vendor", args=[self.vendor.slug]) + period_query(period)

    def get_context_data(self, **kwargs):
        return super().get_context_data(scorecard=self.scorecard, **kwargs)
