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
#: The homes whose title depends on their data: rendered with the body, above the surveys.
HEADED = ("executive", "vendor")
#: Surveys waiting for the person's answer listed at the top of any home.
SURVEYS_SHOWN = 5


@dataclass
class Body:
    """A home's content below its title, rendered, and until when it holds without a write
    (None: until a write)."""

    html: str
    holds_until: datetime | None = None
    head: str = ""  # the vendor user's: its title and introduction, above the surveys
    # The vendor user's vendor, as read with the page (its row is one the page read, so a
    # write to it drops the page): the navigation's link to it, without reading it again.
    vendor: object = None


class HomeView(LoginRequiredMixin, TemplateView):
    """Executives and vendor managers: the portfolio at a glance (vendor managers also keep
    their periodic-job problems). Line managers and stakeholders: their vendors and their
    own work. Operations: this week's SLA work. Vendor users: their side's open items.

    Every home reads six to twenty queries across the apps and renders 9-50 KB, though most
    views come between two writes: its content is rendered once and kept in the cache
    (vendorgov/freshness.py) until a table it read is written, the date changes (every list
    is by day: overdue, this week, "in 3 days"), or, for the reviews coming up (the
    executive's quarterly ones, the vendor user's next four weeks), one of them starts or a
    later one comes within the list's horizon. It is kept per person (what they may see,
    their own items; a vendor user's per vendor too) and, on the executive's, per filter
    and page of the heat map."""

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
        today, now = timezone.localdate(), timezone.now()
        query = params.urlencode() if role == "executive" else ""
        if len(query) > KEPT_QUERY_MAX:
            body = self.body(role, today, now)
        else:
            body = freshness.cached(
                f"home-{role}", (user.pk, user.role, user.vendor_id, today, query),
                lambda: self.body(role, today, now),
                valid=lambda b: b.holds_until is None or now < b.holds_until)
        if body.vendor is not None:
            user.vendor = body.vendor
        return super().get_context_data(body=body.html, head=body.head, role=role,
                                        section="home", **kwargs)

    def body(self, role: str, today, now) -> Body:
        user, params = self.request.user, self.request.GET
        head, vendor = "", None
        if role == "executive":
            data = selectors.exec_home(user, query=params.get("q", "").strip()[:100],
                                       only_red=params.get("red") == "1",
                                       page=params.get("page", 1), today=today)
            holds_until = data.reviews_hold_until
        elif role == "operations":
            data, holds_until = selectors.ops_home(user, today=today), None
        elif role == "vendor":
            data = selectors.vendor_user_home(user, today=today, now=now)
            holds_until, vendor = data.holds_until, data.vendor
        else:
            data, holds_until = selectors.line_home(user, today=today), None
        context = {"d": data, "role": role, "section": "home"}
        html = render_to_string(f"dashboards/_home_{role}_body.html", context,
                                request=self.request)
        if role in HEADED:
            head = render_to_string(f"dashboards/_home_{role}_head.html", context,
                                    request=self.request)
        return Body(html, holds_until, head, vendor)
