"""Every vendor's open warning signs, worst first; filtered by sign, severity and vendor;
as CSV."""

from signs import selectors
from signs.filtersets import SignFilterSet
from signs.views import InternalOnly
from vendorgov.pages import ListPage
from vendors import access
from vendors.access import Action


class PortfolioView(InternalOnly, ListPage):
    template_name = "signs/portfolio.html"
    filterset_class = SignFilterSet
    sort_fields = {"severity": "severity_rank", "strength": "strength", "vendor": "vendor__name",
                   "raised": "raised_at", "rule": "rule"}
    default_sort = ""  # worst first: the model's ordering
    csv_filename = "warning-signs.csv"
    csv_header = ["Vendor", "Sign", "Severity", "What", "Evidence", "Raised", "Last seen",
                  "Dismissed until", "Dismissal reason"]

    def get_queryset(self):
        return selectors.portfolio(self.request.user)

    def get(self, request, *args, **kwargs):
        self.filterset_class = _scoped(access.vendors(request.user)
                                       .filter(archived_at__isnull=True).order_by("name"))
        return super().get(request, *args, **kwargs)

    def csv_row(self, s):
        return [s.vendor.name, s.get_rule_display(), s.get_severity_display(), s.title,
                " | ".join(f"{e['text']} ({e['url']})" for e in s.evidence),
                s.raised_at.date(), s.last_seen_at.date(), s.dismissed_until or "",
                s.dismissal_reason]

    def get_context_data(self, **kwargs):
        manages_all = access.vendor_ids(self.request.user, Action.MANAGE) is None
        return super().get_context_data(section="signs", limits=selectors.thresholds(),
                                        rights_thresholds=manages_all, **kwargs)


def _scoped(vendors):
    class Scoped(SignFilterSet):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, vendors=vendors, **kwargs)
    return Scoped
