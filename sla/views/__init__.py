"""The SLA pages, one module per resource: `portfolio` (across vendors, and the vendor's SLA
tab), `agreements` (SLAs, their reviews and versions), `service_levels`, `measurements`
(the form and CSV imports), `evaluations` (and their disputes), `corrective_actions`,
`report` (the monthly report) and `calendars` (business hours).

Every page is a generic view of `vendorgov.pages` behind `SlaPage`: the vendor from the URL
within the user's scope, on the vendor's SLA tab.
"""

from django.utils import timezone

from vendors.pages import VendorMixin


class SlaPage(VendorMixin):
    """A page of the vendor's SLA tab."""

    tab = "slas"

    def get_context_data(self, **kwargs):
        return super().get_context_data(today=timezone.localdate(), **kwargs)
