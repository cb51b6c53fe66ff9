"""The home page: a dashboard per role, answering "where do I act?" first."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.generic import TemplateView

from dashboards import selectors
from healthchecks import selectors as healthchecks
from vendorgov import freshness
from vendorgov.roles import Role

#: A query string longer than this is not worth keeping a page for.
KEPT_QUERY_MAX = 300
#: The homes kept (the vendor user's is not: its reviews coming up change by the hour).
KEPT = ("executive", "line", "operations")
#: Surveys waiting for the person's answer listed at the top of any home.
SURVEYS_SHOWN = 5


@dataclass
class Body:
    """A home's content below its title, rendered, and until when it holds without a write
    (None: until a write)."""

    html: str
    holds_until: datetime | None = None


class HomeView(LoginRequiredMixin, TemplateView):
    """Executives and vendor managers: the portfolio at a glance (vendor managers also keep
    their periodic-job problems). Line managers and stakeholders: their vendors and their
    own work. Operations: this week's SLA work. Vendor users: their side's open items.

    The executive's, the line manager's and operations' homes read twelve to twenty queries
    across every app and render 15-50 KB, though most views come between two writes: their
    content is rendered once and kept in the cache (vendorgov/freshness.py) until a table
    it read is written, the date changes (every list is by day: overdue, this week, "in 3
    days"), or, for the upcoming reviews, one of them starts. It is kept per person (what
    they may see, their own items) and, on the executive's, per filter and page of the heat
    map."""

    def role(self) -> str:
        user = self.request.user
        if user.is_vendor_user:
            return "vendor"
        if user.sees_whole_portfolio:
            return "executive"
        if user.role == Role.OPERATIONS:
            return "operations"
        return "line"

    def get_template_names(self):
        return [f"dashboards/home_{self.role()}.html"]

    def get_context_data(self, **kwargs):
        user, role, params = self.request.user, self.role(), self.request.GET
        # Anyone may be asked for a health-check survey (stakeholders above all): theirs
        # are listed first, answered signed in (one query, never kept: it is theirs alone).
        kwargs["surveys"] = list(healthchecks.surveys_waiting(user)[:SURVEYS_SHOWN])
        if role in KEPT:
            today, now = timezone.localdate(), timezone.now()
            query = params.urlencode() if role == "executive" else ""
            if len(query) > KEPT_QUERY_MAX:
                body = self.body(role, today)
            else:
                body = freshness.cached(
                    f"home-{role}", (user.pk, user.role, today, query),
                    lambda: self.body(role, today),
                    valid=lambda b: b.holds_until is None or now < b.holds_until)
            return super().get_context_data(body=body.html, role=role, section="home",
                                            **kwargs)
        return super().get_context_data(d=selectors.vendor_user_home(user), role=role,
                                        section="home", **kwargs)

    def body(self, role: str, today) -> Body:
        user, params = self.request.user, self.request.GET
        if role == "executive":
            data = selectors.exec_home(user, query=params.get("q", "").strip()[:100],
                                       only_red=params.get("red") == "1",
                                       page=params.get("page", 1), today=today)
            holds_until = data.reviews_hold_until
        elif role == "operations":
            data, holds_until = selectors.ops_home(user, today=today), None
        else:
            data, holds_until = selectors.line_home(user, today=today), None
        html = render_to_string(f"dashboards/_home_{role}_body.html",
                                {"d": data, "role": role, "section": "home"},
                                request=self.request)
        return Body(html, holds_until)
