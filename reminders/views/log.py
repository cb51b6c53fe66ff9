"""The reminder log (what was sent to whom, what failed and why), what the next sweeps
will send, bounced addresses, and sending a failed or uncertain reminder again."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from reminders import registry, selectors, services, upcoming
from reminders.choices import Status
from reminders.forms import BounceForm, ReminderFilterSet
from reminders.models import BouncedAddress
from reminders.views import VendorManagersOnly
from vendorgov.pages import ConfirmPage, FormPage, ListPage, once
from vendors import access


class LogPage(VendorManagersOnly, ListPage):
    template_name = "reminders/log.html"
    filterset_class = ReminderFilterSet
    sort_fields = {"due": "due_at", "sent": "sent_at", "kind": "kind", "status": "status",
                   "recipient": "name"}
    default_sort = "-due"
    paginate_by = 50
    csv_filename = "reminders.csv"
    csv_header = ["Id", "Kind", "Occasion", "Recipient", "Email", "Vendor", "Delivery",
                  "Due (UTC)", "Status", "Attempts", "Sent (UTC)", "Problem"]

    def get_queryset(self):
        return selectors.log(self.request.user)

    def csv_row(self, r):
        return [r.pk, r.kind, r.occasion, r.name, r.email, r.vendor.name, r.delivery,
                r.due_at.isoformat(), r.get_status_display(), r.attempts,
                r.sent_at.isoformat() if r.sent_at else "", r.last_error]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            problems=selectors.problem_counts(self.request.user),
            bounced=list(selectors.bounced_addresses()), statuses=Status, **kwargs)


class ScheduledPage(VendorManagersOnly, ListPage):
    """What the next sweeps will record and send within a few days, read from the snapshot
    a periodic task makes (reminders/upcoming.py), less what is recorded since."""

    template_name = "reminders/scheduled.html"
    paginate_by = 100
    csv_filename = "reminders-scheduled.csv"
    csv_header = ["Due (UTC)", "Kind", "Recipient", "Email", "Vendor", "Occasion"]

    def days(self) -> int:
        try:
            return max(1, min(upcoming.DAYS, int(self.request.GET.get("days", 7))))
        except ValueError:
            return 7

    @once
    def run(self):
        return selectors.upcoming_run()

    def get_queryset(self):
        if self.run() is None:
            return []
        return access.restrict(selectors.upcoming_items(
            self.run(), now=timezone.now(), days=self.days(),
            kind=self.request.GET.get("kind", "")), self.request.user)

    def csv_row(self, s):
        return [s.due_at.isoformat(), s.kind_label, s.name, s.email, s.vendor_name,
                s.occasion]

    def get_context_data(self, **kwargs):
        run = self.run()
        return super().get_context_data(
            days=self.days(), max_days=upcoming.DAYS, kinds=registry.kinds(),
            kind=self.request.GET.get("kind", ""), run=run,
            queued=upcoming.queue_refresh() if run is None else False, **kwargs)


class SendAgainPage(VendorManagersOnly, ConfirmPage):
    verb = "send again"
    button_class = "btn-primary"
    explanation = ("Send “{target}” again? Do this once you know it did not arrive (an "
                   "uncertain one may have gone already).")
    success_message = "Queued to be sent again: {target}."
    service = staticmethod(services.reminder_send_again)

    def target(self):
        return get_object_or_404(selectors.log(self.request.user), pk=self.kwargs["pk"])

    def done_url(self):
        return reverse("reminders:log")


class BounceAddPage(VendorManagersOnly, FormPage):
    form_class = BounceForm
    title = "Mark an address as bounced"
    intro = ("Nothing more is sent to it, and it is listed on the reminder log, until you "
             "clear it (when the person has a working address again).")
    success_message = "{object} marked as bounced."

    def perform(self, form):
        return services.address_mark_bounced(by=self.request.user, **form.cleaned_data)

    def done_url(self):
        return reverse("reminders:log")


class BounceClearPage(VendorManagersOnly, ConfirmPage):
    verb = "clear"
    button_class = "btn-primary"
    explanation = "Send reminders to {target} again? Do this once the address works."
    success_message = "{target} cleared: reminders go to it again."
    service = staticmethod(services.address_clear_bounce)

    def target(self):
        return get_object_or_404(BouncedAddress, pk=self.kwargs["pk"])

    def done_url(self):
        return reverse("reminders:log")
