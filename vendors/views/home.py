"""The global search. (The home page is the dashboards app's: role dashboards.)"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from vendors import search


class SearchView(LoginRequiredMixin, TemplateView):
    """Global search across what the user may see: every kind of record registered in
    `vendors.search` (vendors' own, and the feature apps')."""

    template_name = "search.html"

    def get_context_data(self, **kwargs):
        q = self.request.GET.get("q", "").strip()
        groups = search.search(self.request.user, q)
        return super().get_context_data(q=q, groups=groups, found=bool(groups),
                                        limit=search.LIMIT, **kwargs)
