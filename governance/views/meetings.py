"""A review meeting: its page with the live (or frozen) agenda, moving, cancelling and
holding it, minutes, agenda items, decisions, attendance and its `.ics`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from governance import forms, ical, selectors, services
from governance.choices import ActionStatus, Response
from governance.models import AgendaItem, Attendance
from governance.views import GovernancePage, mark_rights
from governance.views.action_items import ActionItemCreateView
from vendorgov.errors import Conflict
from vendorgov.pages import ConfirmPage, FormPage
from vendors import access
from vendors.access import Action
from vendors.selectors import record_history


class MeetingPage(GovernancePage):
    @property
    def meeting(self):
        if not hasattr(self, "_meeting"):
            self._meeting = selectors.meeting_get(self.request.user, self.vendor,
                                                  self.kwargs["meeting"])
        return self._meeting

    def meeting_url(self, anchor=""):
        return reverse("governance:meeting", args=[self.vendor.slug, self.meeting.pk]) + anchor

    def done_url(self):
        return self.meeting_url()


class MeetingView(MeetingPage, TemplateView):
    template_name = "governance/meeting.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        page = selectors.meeting_page(self.meeting)
        may_review = access.may(user, Action.REVIEW, self.vendor)
        mark_rights(user, actions=page.action_items,
                    attendances=page.attendances_ours + page.attendances_theirs)
        return super().get_context_data(
            m=self.meeting, p=page, may_review=may_review,
            show_minutes=not user.is_vendor_user or self.meeting.minutes_published,
            minutes_form=forms.MinutesForm(initial={"minutes": self.meeting.minutes}),
            agenda_form=forms.AgendaItemForm(), decision_form=forms.DecisionForm(),
            action_form=(forms.ActionItemForm(vendor=self.vendor, auto_id="new-action-%s",
                                              initial=ActionItemCreateView.initial_values())
                         if may_review and not self.meeting.is_cancelled else None),
            status_choices=ActionStatus.choices, history=record_history(self.meeting),
            next_url=self.request.get_full_path(), **kwargs)


class MeetingFormPage(MeetingPage, FormPage):
    vendor_action = Action.REVIEW


class MeetingMoveView(MeetingFormPage):
    form_class = forms.MeetingMoveForm
    success_message = "Meeting moved; the rest of the series stays where it is."
    submit_label = "Move"
    intro = ("Moving this meeting takes it out of the cadence's hands: later changes to the "
             "cadence leave it where you put it.")

    def get_title(self):
        return f"Move {self.meeting}"

    def get_initial(self):
        m = self.meeting
        return {"date": m.local_start.date(), "start_time": m.local_start.time(),
                "time_zone": m.time_zone, "duration_minutes": m.duration_minutes,
                "location": m.location, "video_link": m.video_link}

    def perform(self, form):
        return services.meeting_move(self.meeting, by=self.request.user, **form.cleaned_data)


class MeetingCancelView(MeetingFormPage):
    form_class = forms.CancelForm
    success_message = "Meeting cancelled; the next ones of the series go ahead."
    submit_label = "Yes, cancel this meeting"
    intro = ("Only this meeting is cancelled; the series goes on. Calendars that subscribed "
             "show it as cancelled.")

    def get_title(self):
        return f"Cancel {self.meeting}?"

    def perform(self, form):
        return services.meeting_cancel(self.meeting, by=self.request.user, **form.cleaned_data)


class MeetingHoldView(MeetingPage, ConfirmPage):
    vendor_action = Action.REVIEW
    verb = "mark held"
    button_class = "btn-primary"
    explanation = ("The agenda of '{target}' is frozen as it stands now, its minutes and "
                   "decisions become visible to the vendor, and it joins the vendor's "
                   "timeline.")
    success_message = ("Meeting marked held; its agenda is kept as it was. Open action items "
                       "will be on the next one.")

    def target(self):
        return self.meeting

    service = staticmethod(services.meeting_hold)


class MinutesView(MeetingFormPage):
    form_class = forms.MinutesForm
    success_message = "Minutes saved."

    def get_title(self):
        return f"Minutes of {self.meeting}"

    def get_initial(self):
        return {"minutes": self.meeting.minutes}

    def perform(self, form):
        return services.meeting_write_minutes(self.meeting, by=self.request.user,
                                              minutes=form.cleaned_data["minutes"])

    def done_url(self):
        return self.meeting_url("#minutes")


class AgendaItemCreateView(MeetingFormPage):
    form_class = forms.AgendaItemForm
    success_message = "Added to the agenda."

    def get_title(self):
        return f"Add to the agenda of {self.meeting}"

    def perform(self, form):
        return services.agenda_item_add(meeting=self.meeting, by=self.request.user,
                                        **form.cleaned_data)

    def done_url(self):
        return self.meeting_url("#agenda")


class AgendaItemArchiveView(MeetingPage, View):
    vendor_action = Action.REVIEW

    def post(self, request, *args, **kwargs):
        item = get_object_or_404(AgendaItem, vendor=self.vendor, meeting=self.meeting,
                                 pk=kwargs["pk"])
        try:
            services.agenda_item_archive(item, by=request.user)
        except Conflict as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"'{item}' removed from the agenda.")
        return redirect(self.meeting_url("#agenda"))


class DecisionCreateView(MeetingFormPage):
    form_class = forms.DecisionForm
    success_message = "Decision recorded."

    def get_title(self):
        return f"Record a decision of {self.meeting}"

    def perform(self, form):
        return services.decision_record(meeting=self.meeting, by=self.request.user,
                                        **form.cleaned_data)

    def done_url(self):
        return self.meeting_url("#decisions")


class AttendanceView(MeetingPage, View):
    """One participant's answer (confirmed / declined) or presence (present / absent)."""

    def post(self, request, *args, **kwargs):
        row = get_object_or_404(Attendance.objects.select_related("user", "contact"),
                                vendor=self.vendor, meeting=self.meeting, pk=kwargs["pk"])
        changes = {}
        if request.POST.get("response") in Response.values:
            self.require(Action.CONTRIBUTE, row)
            changes["response"] = request.POST["response"]
        if request.POST.get("present") in ("yes", "no", "unknown"):
            self.require(Action.REVIEW, self.vendor)
            changes["present"] = {"yes": True, "no": False}.get(request.POST["present"])
        if not changes:
            raise Http404("Nothing to record.")
        try:
            row = services.attendance_record(row, by=request.user, **changes)
        except Conflict as error:
            messages.error(request, str(error))
        if request.htmx:
            mark_rights(request.user, attendances=[row])
            return render(request, "governance/_attendance_row.html", {
                "a": row, "m": self.meeting, "vendor": self.vendor,
                "may_review": access.may(request.user, Action.REVIEW, self.vendor)})
        return redirect(self.meeting_url("#attendance"))


class AttendanceAddView(MeetingFormPage):
    form_class = forms.ParticipantForm
    form_takes_vendor = True
    success_message = "Added to this meeting's participants."
    submit_label = "Add"

    def get_title(self):
        return f"Invite someone to {self.meeting}"

    def perform(self, form):
        user, contact = form.cleaned_data["person"]
        try:
            return services.attendance_add(meeting=self.meeting, by=self.request.user,
                                           user=user, contact=contact)
        except ValidationError as error:
            raise ValidationError({"person": error.messages}) from error

    def done_url(self):
        return self.meeting_url("#attendance")


class MeetingIcsView(MeetingPage, View):
    def get(self, request, *args, **kwargs):
        body = ical.calendar([self.meeting], name=f"{self.meeting.title} · {self.vendor}")
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="{self.vendor.slug}-'
                                           f'{self.meeting.period}.ics"')
        return response
