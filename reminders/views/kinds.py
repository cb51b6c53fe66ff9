"""Each kind's lead time or grace period (vendor managers) and mandatory flag (admins)."""

from django.http import Http404
from django.urls import reverse

from reminders import outbox, services
from reminders.forms import KindSettingForm
from reminders.views import VendorManagersOnly
from vendorgov.pages import FormPage, ListPage, once


class KindListPage(VendorManagersOnly, ListPage):
    template_name = "reminders/kinds.html"
    paginate_by = 100

    def get_queryset(self):
        return list(outbox.kind_configs().values())


class KindUpdatePage(VendorManagersOnly, FormPage):
    form_class = KindSettingForm
    submit_label = "Save timing"
    intro = ("Applies from the next sweep (within a minute). Reminders already recorded keep "
             "their moment.")

    @once
    def config(self):
        configs = outbox.kind_configs()
        if self.kwargs["kind"] not in configs:
            raise Http404("No such kind of reminder.")
        return configs[self.kwargs["kind"]]

    def get_title(self):
        return f"When to send “{self.config().kind.label}”"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "config": self.config(),
                "admin": self.request.user.is_superuser}

    def perform(self, form):
        return services.kind_setting_update(
            kind_key=self.kwargs["kind"], offset=form.offset,
            mandatory=form.cleaned_data.get("mandatory") if "mandatory" in form.fields
            else None, by=self.request.user)

    error_fields = {"offset": "days"}

    def get_success_message(self):
        return f"Saved: {self.config().kind.label}."

    def done_url(self):
        return reverse("reminders:kinds")

    def get_context_data(self, **kwargs):
        return super().get_context_data(breadcrumb_url=reverse("reminders:kinds"),
                                        breadcrumb_label="Reminder kinds", **kwargs)
