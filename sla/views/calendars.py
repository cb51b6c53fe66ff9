"""Business-hours calendars, which service levels measure their windows against."""

from decimal import Decimal

from django.utils import timezone
from django.views.generic import TemplateView

from sla import calendars, forms, selectors, services
from sla.views import SlaPage
from vendorgov.pages import FormPage, once
from vendors.access import Action
from vendors.selectors import record_history


class CalendarCreateView(SlaPage, FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.CalendarForm
    success_message = "Calendar '{object}' added."
    show_object = True

    def get_title(self):
        return f"New business-hours calendar for {self.vendor}"

    def perform(self, form):
        return services.calendar_create(vendor=self.vendor, by=self.request.user,
                                        **form.cleaned_data)


class CalendarMixin(SlaPage):
    @once
    def calendar(self):
        return selectors.calendar_get(self.vendor, self.kwargs["pk"])


class CalendarUpdateView(CalendarMixin, FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.CalendarForm
    success_message = "Calendar '{object}' saved."

    def get_instance(self):
        return self.calendar()

    def get_title(self):
        return f"Edit {self.calendar()}"

    def perform(self, form):
        return services.calendar_update(self.calendar(), by=self.request.user,
                                        **form.cleaned_data)

    def done_url(self):
        return self.calendar().get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=record_history(self.calendar()), **kwargs)


class CalendarView(CalendarMixin, TemplateView):
    """A calendar, and a calculator for business hours between two moments (?start&end)."""

    template_name = "sla/calendar.html"

    def get_context_data(self, **kwargs):
        calendar = self.calendar()
        form = forms.DurationForm(self.request.GET or None)
        hours = None
        if form.is_bound and form.is_valid():
            tz = calendars.zone(calendar.time_zone)
            start, end = (timezone.make_naive(form.cleaned_data[k]).replace(tzinfo=tz)
                          for k in ("start", "end"))
            hours = Decimal(calendars.business_seconds(start, end, calendar.hours)) / 3600
        return super().get_context_data(
            calendar=calendar, form=form, hours=hours,
            levels=calendar.service_levels.select_related("version__sla"),
            history=record_history(calendar), **kwargs)
