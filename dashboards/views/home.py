"""The home page: a dashboard per role, answering "where do I act?" first."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from dashboards import selectors
from vendorgov.roles import Role


class HomeView(LoginRequiredMixin, TemplateView):
    """Executives and vendor managers: the portfolio at a glance (vendor managers also keep
    their periodic-job problems). Line managers and stakeholders: their vendors and their
    own work. Operations: this week's SLA work. Vendor users: their side's open items."""

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
        if role == "vendor":
            data = selectors.vendor_user_home(user)
        elif role == "executive":
            data = selectors.exec_home(user, query=params.get("q", "").strip()[:100],
                                       only_red=params.get("red") == "1",
                                       page=params.get("page", 1))
        elif role == "operations":
            data = selectors.ops_home(user)
        else:
            data = selectors.line_home(user)
        return super().get_context_data(d=data, role=role, section="home", **kwargs)
