"""Reviews across the vendors a person sees, and their own work ("My work")."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.views.generic import TemplateView

from governance import forms, selectors
from governance.choices import ActionStatus
from governance.views import mark_rights
from vendors import access


class PortfolioView(LoginRequiredMixin, TemplateView):
    """Reviews across the vendors the user sees: what is coming, and what is waiting."""

    template_name = "governance/portfolio.html"

    def get_context_data(self, **kwargs):
        vendors = list(access.vendors(self.request.user).filter(archived_at__isnull=True)
                       .order_by("name"))
        form = forms.PortfolioFilterForm(self.request.GET, vendors=vendors)
        data = form.cleaned_data if form.is_valid() else {}
        p = selectors.portfolio(self.request.user, vendor_id=data.get("vendor"),
                                tier=data.get("tier") or "")
        _link(p.upcoming, "governance:meeting")
        _link(p.awaiting_minutes, "governance:meeting")
        _link(p.overdue_actions, "governance:action_item_update")
        _link(p.flagged_impediments, "governance:impediment")
        return super().get_context_data(p=p, form=form, **kwargs)


def _link(rows, url_name: str) -> None:
    """Give each row its `url` (its vendor's slug and its id in `url_name`) with one
    reverse() for the list, not one a row: the page lists up to 200 of them."""
    slug_marker, pk_marker = "slug-marker", 987654321
    head, tail = reverse(url_name, args=[slug_marker, pk_marker]).split(slug_marker)
    before, after = tail.split(str(pk_marker))
    for row in rows:
        row.url = f"{head}{row.vendor.slug}{before}{row.pk}{after}"


class MyWorkView(LoginRequiredMixin, TemplateView):
    template_name = "governance/my_work.html"

    def get_context_data(self, **kwargs):
        work = selectors.my_work(self.request.user)
        mark_rights(self.request.user, actions=work.action_items + work.vendor_side_items)
        return super().get_context_data(w=work, feed=selectors.active_feed(self.request.user),
                                        status_choices=ActionStatus.choices,
                                        next_url=self.request.get_full_path(), **kwargs)
