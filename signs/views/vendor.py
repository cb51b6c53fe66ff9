"""A vendor's Warning signs tab, and dismissing one of them with a reason."""

from django.utils import timezone
from django.views.generic import TemplateView

from signs import selectors, services
from signs.forms import DismissForm
from signs.views import SignPage
from vendorgov.pages import ConfirmPage, FormPage
from vendors.access import Action
from vendors.selectors import record_history


class VendorSignsView(SignPage, TemplateView):
    template_name = "signs/vendor.html"

    def get_context_data(self, **kwargs):
        signs = selectors.signs_of_vendor(self.request.user, self.vendor)
        today = timezone.localdate()
        return super().get_context_data(
            shown=[s for s in signs if not s.is_dismissed(today)],
            dismissed=[s for s in signs if s.is_dismissed(today)],
            cleared=selectors.cleared_signs(self.request.user, self.vendor),
            limits=selectors.thresholds(), **kwargs)


class DismissView(SignPage, FormPage):
    """Line managers, operations and vendor managers (EDIT on the vendor) dismiss a sign."""

    vendor_action = Action.EDIT
    form_class = DismissForm
    submit_label = "Dismiss"

    def sign(self):
        if not hasattr(self, "_sign"):
            self._sign = selectors.sign_get(self.request.user, self.vendor, self.kwargs["pk"])
        return self._sign

    def get_title(self):
        return f"Dismiss: {self.sign().get_rule_display()}"

    def get_intro(self):
        return (f"{self.sign().title}. A dismissal hides the sign until it expires; it comes "
                f"back earlier if its evidence grows (now {self.sign().strength} "
                f"piece{'s' if self.sign().strength != 1 else ''}). The reason stays in the "
                f"sign's history.")

    def get_initial(self):
        return {"days": selectors.thresholds().dismissal_days}

    def perform(self, form):
        return services.sign_dismiss(self.sign(), by=self.request.user, **form.cleaned_data)

    def get_success_message(self):
        return f"Dismissed until {self.object.dismissed_until:%d %b %Y}."

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=record_history(self.sign()), **kwargs)


class RefreshView(SignPage, ConfirmPage):
    """Recompute this vendor's signs now instead of waiting for the hourly run (after
    resolving what raised one, say)."""

    vendor_action = Action.EDIT
    verb = "recompute"
    button_class = "btn-primary"
    explanation = ("The rules run every hour over every vendor. Run them now for {target} "
                   "alone: new signs are raised, signs whose evidence is gone are cleared, "
                   "and dismissals stay unless their evidence grew.")

    def target(self):
        return self.vendor

    def act(self, target):
        return services.signs_refresh(vendor=target)

    def get_success_message(self) -> str:
        done = self.object
        return (f"Warning signs of {self.vendor} recomputed: {len(done.raised)} raised, "
                f"{len(done.cleared)} cleared, {len(done.returned)} back after a dismissal.")
