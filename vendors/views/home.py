"""The home page and the global search."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import TemplateView

from vendors import search, selectors


class HomeView(LoginRequiredMixin, TemplateView):
    """Where do I need to act? Renewals coming up and staffing requests left unanswered,
    then the vendors this person looks after."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        if request.user.is_vendor_user and request.user.vendor_id:
            return redirect("vendors:detail", request.user.vendor.slug)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            renewals=selectors.renewals_due(user),
            stale_requests=list(selectors.stale_staffing_requests(user)),
            vendors=list(selectors.vendor_list(user).filter(archived_at__isnull=True)),
            horizon_days=selectors.RENEWAL_HORIZON.days,
            stale_days=selectors.STAFFING_REQUEST_STALE_AFTER.days,
            **kwargs,
        )


class SearchView(LoginRequiredMixin, TemplateView):
    """Global search across what the user may see: every kind of record registered in
    `vendors.search` (vendors' own, and the feature apps')."""

    template_name = "search.html"

    def get_context_data(self, **kwargs):
        q = self.request.GET.get("q", "").strip()
        groups = search.search(self.request.user, q)
        return super().get_context_data(q=q, groups=groups, found=bool(groups),
                                        limit=search.LIMIT, **kwargs)
