"""An SLA: creating and editing it, its reviews, and its versions (draft, terms, review,
made effective)."""

from django.utils import timezone
from django.views.generic import TemplateView

from sla import forms, selectors, services
from sla.views import SlaPage
from vendorgov import formats
from vendorgov.pages import ConfirmPage, FormPage, once
from vendors.access import Action
from vendors.selectors import record_history
from vendors.services import record_archive, record_restore


class SlaMixin(SlaPage):
    @once
    def sla(self):
        return selectors.sla_get(self.vendor, self.kwargs["pk"])


class SlaCreateView(SlaPage, FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.SLAForm
    success_message = "SLA '{object}' created with version 1 in draft; add its service levels."

    def get_title(self):
        return f"New SLA for {self.vendor}"

    def perform(self, form):
        return services.sla_create(vendor=self.vendor, by=self.request.user, **form.cleaned_data)

    def done_url(self):
        if self.object is not None:
            return self.object.get_absolute_url() + "?version=1"
        return self.tab_url()


class SlaDetailView(SlaMixin, TemplateView):
    template_name = "sla/sla_detail.html"

    def get_context_data(self, **kwargs):
        sla = self.sla()
        versions = list(sla.versions.prefetch_related("service_levels__calendar").select_related(
            "drafted_by", "reviewed_by", "made_effective_by").order_by("-number"))
        today = timezone.localdate()
        current = next((v for v in versions if v.governs(today)), None)
        chosen = self.request.GET.get("version", "")
        version = next((v for v in versions if str(v.number) == chosen), None) or current or (
            versions[0] if versions else None)
        history = sorted(record_history(sla) + [e for v in versions
                                                for e in record_history(v)],
                         key=lambda e: e.when, reverse=True)[:40]
        return super().get_context_data(
            sla=sla, versions=versions, version=version, current=current,
            draft=next((v for v in versions if v.is_editable), None),
            reviews=list(sla.reviews.select_related("reviewed_by")),
            history=history, overdue_days=sla.review_overdue_days(today), **kwargs)


class SlaUpdateView(SlaMixin, FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.SLAUpdateForm
    success_message = "SLA '{object}' saved."

    def get_instance(self):
        return self.sla()

    def get_title(self):
        return f"Edit {self.sla()}"

    def perform(self, form):
        return services.sla_update(self.sla(), by=self.request.user, **form.cleaned_data)

    def done_url(self):
        return self.sla().get_absolute_url()


class SlaArchiveView(SlaMixin, ConfirmPage):
    vendor_action = Action.MANAGE
    verb = "archive"
    explanation = ("'{target}' will leave the SLA tab and its windows are no longer "
                   "evaluated. Its versions, measurements and history are kept, and you can "
                   "restore it.")

    def target(self):
        return self.sla()

    service = staticmethod(record_archive)


class SlaRestoreView(SlaArchiveView):
    verb = "restore"
    button_class = "btn-primary"
    explanation = "'{target}' will show on the SLA tab again and its windows are evaluated."

    service = staticmethod(record_restore)

    def done_url(self):
        return self.sla().get_absolute_url()


class ReviewCreateView(SlaMixin, FormPage):
    vendor_action = Action.EDIT
    form_class = forms.ReviewForm
    success_message = "Review recorded."

    def get_title(self):
        return f"Record a review of {self.sla()}"

    def get_intro(self):
        sla = self.sla()
        due = formats.day(sla.review_due_on, padded=True)
        return (f"Review due {due}. Every {sla.review_interval_months} months; recording "
                "this review moves the next due date.")

    def perform(self, form):
        return services.sla_review_record(self.sla(), by=self.request.user, **form.cleaned_data)

    def done_url(self):
        return self.sla().get_absolute_url() + "#reviews"


class VersionDraftView(SlaMixin, ConfirmPage):
    vendor_action = Action.EDIT
    verb = "draft a new version of"
    button_class = "btn-primary"
    explanation = ("A new version of '{target}' starts as a copy of the latest one. Change "
                   "it, have it reviewed, then make it effective from the first day of a "
                   "month; the version in effect stays in force until then.")
    success_message = "Version {object.number} drafted."

    def target(self):
        return self.sla()

    service = staticmethod(services.version_draft)

    def done_url(self):
        return (self.object or self.sla()).get_absolute_url()


class VersionMixin(SlaPage):
    @once
    def version(self):
        sla = selectors.sla_get(self.vendor, self.kwargs["pk"])
        return selectors.version_get(sla, self.kwargs["number"])

    def done_url(self):
        return self.version().get_absolute_url()


class VersionUpdateView(VersionMixin, FormPage):
    vendor_action = Action.EDIT
    form_class = forms.VersionForm
    success_message = "Version terms saved."

    def get_instance(self):
        return self.version()

    def get_title(self):
        return f"Terms of {self.version()}"

    def perform(self, form):
        return services.version_update(self.version(), by=self.request.user,
                                       **form.cleaned_data)


class VersionReviewView(VersionMixin, ConfirmPage):
    vendor_action = Action.MANAGE
    verb = "mark reviewed"
    button_class = "btn-primary"
    explanation = ("'{target}' is recorded as reviewed by you. It can then be made "
                   "effective; any later change sends it back to draft.")

    def target(self):
        return self.version()

    service = staticmethod(services.version_mark_reviewed)


class VersionEffectiveView(VersionMixin, FormPage):
    vendor_action = Action.MANAGE
    form_class = forms.MakeEffectiveForm

    def get_success_message(self):
        return (f"{self.object} is effective from "
                f"{formats.date(self.object.effective_from, padded=True)}.")

    def get_title(self):
        return f"Make {self.version()} effective"

    def perform(self, form):
        return services.version_make_effective(self.version(), by=self.request.user,
                                               **form.cleaned_data)
