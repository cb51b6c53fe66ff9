"""The health-check pages, one module per resource: `cycles` (the vendor's tab, a cycle,
its moves, the plan), `respondents` (invitations, nudges), `review` (findings, agreed
actions, principle revisions, sharing), `survey` (the page a personal link opens, without
signing in), `portfolio` (across vendors, and the printable report) and `questionnaires`
(the versioned templates, kept by vendor managers).

Every vendor page is a generic view of `vendorgov.pages` behind `HealthPage`: the vendor
from the URL within the user's scope, on the vendor's Health checks tab.
"""

from healthchecks import selectors
from healthchecks.models import Cycle
from vendors.access import Action
from vendors.pages import VendorMixin


class HealthPage(VendorMixin):
    """A page of the vendor's Health checks tab."""

    tab = "health"

    def cycle(self, action: Action = Action.VIEW) -> Cycle:
        if getattr(self, "_cycle", None) is None:
            self._cycle = selectors.cycle_get(self.request.user, self.vendor,
                                              self.kwargs["cycle"], action)
        return self._cycle

    def done_url(self) -> str:
        if "cycle" in self.kwargs:
            return self.cycle().get_absolute_url()
        return self.tab_url()


class ManagedPage(HealthPage):
    """Running a health check is the vendor manager's (MANAGE on the vendor)."""

    vendor_action = Action.MANAGE
