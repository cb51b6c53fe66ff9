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


class PartKindMixin:
    """A page about one kind of part, named by the URL's `part`: perspectives, objectives or
    measures (of a vendor's scorecard or of a template)."""

    part_models: dict = {}
    part_forms: dict = {}
    done_verb = ""  # "added", "saved": the message once the service has done its work

    @property
    def kind(self) -> str:
        return self.kwargs["part"]

    @property
    def label(self) -> str:
        return PART_LABELS[self.kind]

    @property
    def model(self):
        return self.part_models[self.kind]

    def get_form_class(self):
        return self.part_forms[self.kind]

    def get_success_message(self):
        if not self.done_verb:  # retiring and restoring say so in their own words
            return super().get_success_message()
        return f"{self.label.capitalize()} '{self.object}' {self.done_verb}."


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
        if scorecard is not None:
            scorecard.vendor = self.vendor  # loaded already: its name is in the chart's title
        return scorecard

    def tab_url(self, period=None) -> str:
        return reverse("scorecards:vendor", args=[self.vendor.slug]) + period_query(period)

    def get_context_data(self, **kwargs):
        return super().get_context_data(scorecard=self.scorecard, **kwargs)
