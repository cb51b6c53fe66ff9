"""The vendor's Health checks tab, one cycle's page, moving it, and the vendor's plan."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from healthchecks import charts, forms, selectors, services
from healthchecks.choices import CycleStatus
from healthchecks.views import HealthPage, ManagedPage
from vendorgov.errors import Conflict
from vendorgov.pages import ConfirmPage, FormPage
from vendors import access
from vendors.access import Action
from vendors.selectors import record_history


class VendorTabView(HealthPage, TemplateView):
    template_name = "healthchecks/vendor.html"

    def get_context_data(self, **kwargs):
        plan = selectors.plan_for(self.vendor)
        cycles = list(selectors.cycles(self.request.user, self.vendor))
        current = next((c for c in cycles if c.is_open), None)
        overdue = current is None and plan.is_overdue
        return super().get_context_data(
            plan=plan, cycles=cycles, current=current, overdue=overdue,
            overdue_days=(timezone.localdate() - plan.next_due).days if overdue else 0,
            plan_history=record_history(plan) if plan.pk else [], **kwargs)


class CycleView(HealthPage, TemplateView):
    template_name = "healthchecks/cycle.html"

    def get_context_data(self, **kwargs):
        kwargs.pop("cycle", None)  # the URL's id; the page shows the record
        cycle = self.cycle()
        user = self.request.user
        internal = not user.is_vendor_user
        page = selectors.cycle_page(cycle)
        shows = internal or cycle.shared_with_vendor
        results = page.results if shows else None
        return super().get_context_data(
            cycle=cycle, page=page, results=results, internal=internal,
            chart=charts.dimensions_chart(results) if results else "",
            gap_chart=charts.gaps_chart(results) if results else "",
            comment_groups=None if internal else ("vendor",),
            history=record_history(cycle) if internal else [],
            manage=self.request.user.is_authenticated and not user.is_vendor_user
            and self.rights_manage(), **kwargs)

    def rights_manage(self) -> bool:
        return access.may(self.request.user, Action.MANAGE, self.vendor)


class CycleOpenView(ManagedPage, ConfirmPage):
    """Open a health check now, ahead of its due date."""

    verb = "open"
    explanation = ("A new health check starts today in “planned”: invite respondents, then "
                   "start collecting input.")
    button_class = "btn-primary"
    success_message = "Health check opened."

    def target(self):
        return f"a health check of {self.vendor}"

    def act(self, target):
        cycle = services.cycle_open(vendor=self.vendor, due_on=timezone.localdate(),
                                    by=self.request.user)
        if cycle is None:
            raise Conflict("A health check of this vendor is already under way or was due "
                           "today.")
        self.object = cycle
        return cycle

    def get_success_url(self):
        if self.object is not None and not self.request.POST.get("next"):
            return self.object.get_absolute_url()
        return super().get_success_url()


class CycleMoveView(ManagedPage, FormPage):
    form_class = forms.MoveForm
    submit_label = "Move"
    error_fields = {"to": "to"}

    def get_title(self):
        return f"Move the {self.cycle(Action.MANAGE)} of {self.vendor}"

    def get_intro(self):
        return (f"Now: {self.cycle().get_status_display().lower()}. Moving more than one step "
                f"ahead skips steps and needs a reason.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cycle": self.cycle(Action.MANAGE)}

    def get(self, request, *args, **kwargs):
        if self.cycle(Action.MANAGE).status == CycleStatus.CLOSED:
            messages.info(request, "This health check is closed.")
            return redirect(self.get_success_url())
        return super().get(request, *args, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.cycle_move(self.cycle(Action.MANAGE), to=data["to"],
                                   by=self.request.user, reason=data.get("reason", ""),
                                   collection_ends_on=data.get("collection_ends_on"),
                                   review_on=data.get("review_on"),
                                   review_at=data.get("review_at"))

    def get_success_message(self):
        return f"Health check moved to “{self.object.get_status_display().lower()}”."


class PlanUpdateView(ManagedPage, FormPage):
    form_class = forms.PlanForm
    title = "How often to check the relationship"
    success_message = "Saved: a health check every {object.interval_months} months."

    def get_initial(self):
        plan = selectors.plan_for(self.vendor)
        return {"interval_months": plan.interval_months, "next_due": plan.next_due}

    def perform(self, form):
        return services.plan_update(vendor=self.vendor, by=self.request.user,
                                    **form.cleaned_data)


class ShareView(ManagedPage, ConfirmPage):
    button_class = "btn-primary"

    @property
    def verb(self):
        return "stop sharing" if self.cycle(Action.MANAGE).shared_with_vendor else "share"

    def target(self):
        return self.cycle(Action.MANAGE)

    def get_explanation(self, target):
        if target.shared_with_vendor:
            return "The vendor's people will no longer see its results and findings."
        return ("The vendor's people will see the results by dimension and group, the "
                "perception gaps and the findings (never who said what, nor our people's "
                "comments).")

    def act(self, target):
        return services.cycle_share(target, shared=not target.shared_with_vendor,
                                    by=self.request.user)

    def get_success_message(self):
        return ("Shared with the vendor." if self.object.shared_with_vendor
                else "No longer shared with the vendor.")
