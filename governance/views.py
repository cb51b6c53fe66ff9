"""Governance pages: the Reviews and Items tabs of a vendor, meetings, impediments,
suggestions, the portfolio of reviews, "My work" and the calendar feed.

Every page loads its vendor through `vendors.views.VendorMixin` (404 outside the user's
scope) and its records through that vendor; rights come from `vendors.access`. Writes go
through `governance.services`; their errors come back next to the fields, and a state
conflict (a held meeting cannot move) as a message. Small interactions (status changes,
attendance, adding an action item during a meeting) answer htmx requests with the
fragment that changed and everyone else with a redirect, so they work without JavaScript.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from governance import forms, ical, selectors, services
from governance.choices import SUGGESTION_NEXT, ActionStatus, Response, Tier
from governance.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Cadence,
    Escalation,
    Impediment,
    Suggestion,
)
from governance.services import Conflict
from vendorgov.pages import ServiceFormMixin, apply_errors, csv_response, safe_next
from vendors import access
from vendors.access import Action
from vendors.selectors import record_history
from vendors.views import ConfirmView, VendorMixin

# Service errors on these fields belong next to the form field that sets them.
ERROR_FIELDS = {"owner_user": "owner", "owner_contact": "owner", "to_user": "to",
                "to_contact": "to"}


def mark_rights(user, *, actions=(), attendances=()):
    """Per-row answers for templates: may this person change this row in place?"""
    for a in actions:
        a.may_change = (access.may(user, Action.REVIEW, a)
                        or access.may(user, Action.CONTRIBUTE, a))
    for a in attendances:
        a.may_answer = access.may(user, Action.CONTRIBUTE, a)


class GovernanceMixin(VendorMixin):
    tab = "reviews"

    def get_context_data(self, **kwargs):
        # Inside a vendor's pages the top navigation shows "Vendors", not "Reviews".
        return super().get_context_data(tab=self.tab, section="vendors", **kwargs)

    def record(self, model_or_queryset, pk=None, **lookups):
        queryset = getattr(model_or_queryset, "objects", model_or_queryset)
        return get_object_or_404(queryset.filter(vendor=self.vendor, **lookups),
                                 pk=pk or self.kwargs["pk"])

    def require(self, action: Action, obj) -> None:
        if not access.may(self.request.user, action, obj):
            raise PermissionDenied("You may look at this but not change it.")


class ServiceFormView(GovernanceMixin, ServiceFormMixin, FormView):
    """A form handed to a service; its ValidationErrors go next to the fields, a Conflict
    becomes a message."""

    template_name = "form.html"
    error_fields = ERROR_FIELDS
    title = ""
    intro = ""
    submit_label = "Save"

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Conflict as error:
            messages.error(self.request, str(error))
            return redirect(self.get_success_url())

    def get_success_url(self):
        return safe_next(self.request) or self.default_success_url()

    def default_success_url(self):
        return reverse("governance:vendor", args=[self.vendor.slug])

    def get_title(self):
        return self.title

    def get_context_data(self, **kwargs):
        kwargs.setdefault("intro", self.intro)
        return super().get_context_data(title=self.get_title(), submit_label=self.submit_label,
                                        cancel_url=self.get_success_url(), **kwargs)


# -- the vendor's tabs -------------------------------------------------------------------------

class ReviewsTabView(GovernanceMixin, TemplateView):
    template_name = "governance/reviews.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(r=selectors.vendor_reviews(self.vendor), **kwargs)


class ItemsTabView(GovernanceMixin, TemplateView):
    template_name = "governance/items.html"
    tab = "items"

    def get(self, request, *args, **kwargs):
        form = forms.FilterForm(request.GET)
        data = form.cleaned_data if form.is_valid() else {}
        self.filters = {"actions": data.get("actions") or "open", "side": data.get("side", ""),
                        "impediments": data.get("impediments") or "open",
                        "kind": data.get("kind", ""),
                        "suggestions": data.get("suggestions") or "all"}
        self.form = forms.FilterForm(initial=self.filters)
        export = request.GET.get("export")
        if export in ("actions", "impediments", "suggestions"):
            return self.csv(export)
        return super().get(request, *args, **kwargs)

    def lists(self):
        f = self.filters
        return (selectors.action_items(self.vendor, state=f["actions"], side=f["side"]),
                selectors.impediments(self.vendor, state=f["impediments"], kind=f["kind"]),
                selectors.suggestions(self.vendor, state=f["suggestions"]))

    def csv(self, export):
        actions, impediments, suggestions = self.lists()
        slug = self.vendor.slug
        if export == "actions":
            return csv_response(f"{slug}-action-items.csv",
                                ["Title", "Owner", "Side", "Due", "Status", "Raised in",
                                 "Notes"],
                                ([a.title, a.owner_name, a.get_side_display(), a.due_on,
                                  a.get_status_display(), str(a.meeting or ""), a.notes]
                                 for a in actions))
        if export == "impediments":
            return csv_response(f"{slug}-impediments.csv",
                                ["Title", "Kind", "Severity", "Raised by", "Raised on",
                                 "Responsible", "Owner", "Status", "Escalation", "Age (days)",
                                 "Resolution"],
                                ([i.title, i.get_kind_display(), i.get_severity_display(),
                                  i.get_raised_by_side_display(), i.raised_on,
                                  i.get_responsible_side_display(), i.owner_name,
                                  i.get_status_display(), i.escalation_label, i.age_days,
                                  i.resolution] for i in impediments))
        return csv_response(f"{slug}-suggestions.csv",
                            ["Title", "Category", "From", "Submitted", "Status",
                             "Currency", "Estimated value", "Realised value", "Decision"],
                            ([s.title, s.get_category_display(), s.get_source_side_display(),
                              s.submitted_on, s.get_status_display(), s.currency,
                              s.estimated_value or "", s.realised_value or "",
                              s.decision_rationale] for s in suggestions))

    def get_context_data(self, **kwargs):
        actions, impediments, suggestions = self.lists()
        mark_rights(self.request.user, actions=actions)
        plan = selectors.plan_for(self.vendor)
        for i in impediments:
            i.flagged = i.flagged_for_escalation(plan.escalate_after_days)
        query = self.request.GET.copy()
        query.pop("export", None)
        return super().get_context_data(
            form=self.form, filters=self.filters, actions=actions, impediments=impediments,
            suggestions=suggestions, quota=selectors.suggestion_quota(self.vendor),
            escalate_after_days=plan.escalate_after_days, query=query.urlencode(),
            status_choices=ActionStatus.choices, next_url=self.request.get_full_path(),
            **kwargs)


class TimelineView(GovernanceMixin, TemplateView):
    template_name = "governance/timeline.html"

    def get_context_data(self, **kwargs):
        form = forms.TimelineFilterForm(self.request.GET, kinds=selectors.TIMELINE_KINDS)
        data = form.cleaned_data if form.is_valid() else {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            since, until = until, since
        timeline = selectors.timeline(self.request.user, self.vendor,
                                      kinds=data.get("kind") or None, since=since,
                                      until=until)
        page = Paginator(timeline.events, 50).get_page(self.request.GET.get("page"))
        form = forms.TimelineFilterForm(kinds=selectors.TIMELINE_KINDS, initial={
            "kind": timeline.kinds, "since": timeline.since, "until": timeline.until})
        return super().get_context_data(timeline=timeline, page=page, form=form,
                                        kinds=selectors.TIMELINE_KINDS, **kwargs)


# -- plan and cadences -------------------------------------------------------------------------

class PlanUpdateView(ServiceFormView):
    vendor_action = Action.EDIT
    form_class = forms.PlanForm
    success_message = "Governance plan saved."

    def get_title(self):
        return f"Governance plan for {self.vendor}"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": selectors.plan_for(self.vendor)}

    def perform(self, form):
        return services.plan_update(vendor=self.vendor, by=self.request.user,
                                    **form.cleaned_data)


class CadenceFormView(ServiceFormView):
    vendor_action = Action.EDIT
    form_class = forms.CadenceForm

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "vendor": self.vendor}
        if self.cadence is not None:
            kwargs["instance"] = self.cadence
        return kwargs

    def default_success_url(self):
        return reverse("governance:vendor", args=[self.vendor.slug]) + "#cadences"


class CadenceCreateView(CadenceFormView):
    success_message = "{object} added; its meetings are planned for the next weeks."
    cadence = None

    def get_title(self):
        return f"New review cadence with {self.vendor}"

    def get_initial(self):
        tier = self.request.GET.get("tier", Tier.WEEKLY)
        return services.cadence_defaults(self.vendor, tier if tier in Tier.values
                                         else Tier.WEEKLY)

    def perform(self, form):
        return services.cadence_create(vendor=self.vendor, by=self.request.user,
                                       **form.cleaned_data)


class CadenceUpdateView(CadenceFormView):
    success_message = ("{object} saved. Future meetings nobody moved or cancelled follow it; "
                       "held, moved and cancelled ones keep their time.")

    @property
    def cadence(self):
        if not hasattr(self, "_cadence"):
            self._cadence = self.record(Cadence)
        return self._cadence

    def get_title(self):
        return f"Edit {self.cadence} with {self.vendor}"

    def perform(self, form):
        data = dict(form.cleaned_data)
        data.pop("tier", None)
        return services.cadence_update(Cadence.objects.get(pk=self.cadence.pk),
                                       by=self.request.user, **data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(history=record_history(self.cadence), **kwargs)


class CadenceProposeView(ConfirmView):
    """Adds the default weekly, monthly and quarterly reviews from the assigned people."""

    vendor_action = Action.EDIT
    verb = "propose"
    button_class = "btn-primary"
    explanation = ("This adds a weekly, a monthly and a quarterly review with {target} "
                   "(the ones it does not have yet), with the people assigned to the "
                   "relationship, and plans their meetings for the coming weeks. You can change "
                   "each afterwards.")

    def post(self, request, *args, **kwargs):
        try:
            added = services.cadence_propose_defaults(vendor=self.vendor, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            names = ", ".join(str(c).lower() for c in added)
            messages.success(request, f"Added {names}; check the times and people." if added
                             else "Every default review exists already.")
        return redirect(self.success_url())

    def success_url(self):
        return reverse("governance:vendor", args=[self.vendor.slug]) + "#cadences"


class CadenceArchiveView(ConfirmView):
    vendor_action = Action.EDIT
    verb = "archive"
    explanation = ("'{target}' stops: no new meetings are planned, and its future meetings "
                   "that nobody has touched are taken off the calendar. Held meetings and "
                   "their minutes stay.")

    def target(self):
        return get_object_or_404(Cadence, vendor=self.vendor, pk=self.kwargs["pk"])

    def act(self, target):
        services.cadence_archive(target, by=self.request.user)

    def success_url(self):
        return reverse("governance:vendor", args=[self.vendor.slug]) + "#cadences"


# -- a meeting ---------------------------------------------------------------------------------

class MeetingMixin(GovernanceMixin):
    @property
    def meeting(self):
        if not hasattr(self, "_meeting"):
            self._meeting = selectors.meeting_get(self.request.user, self.vendor,
                                                  self.kwargs["meeting"])
        return self._meeting

    def meeting_url(self, anchor=""):
        return reverse("governance:meeting", args=[self.vendor.slug, self.meeting.pk]) + anchor


class MeetingView(MeetingMixin, TemplateView):
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


class MeetingFormView(MeetingMixin, ServiceFormView):
    vendor_action = Action.REVIEW

    def default_success_url(self):
        return self.meeting_url()


class MeetingMoveView(MeetingFormView):
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


class MeetingCancelView(MeetingFormView):
    form_class = forms.CancelForm
    success_message = "Meeting cancelled; the next ones of the series go ahead."
    submit_label = "Yes, cancel this meeting"
    intro = ("Only this meeting is cancelled; the series goes on. Calendars that subscribed "
             "show it as cancelled.")

    def get_title(self):
        return f"Cancel {self.meeting}?"

    def perform(self, form):
        return services.meeting_cancel(self.meeting, by=self.request.user, **form.cleaned_data)


class MeetingHoldView(MeetingMixin, ConfirmView):
    vendor_action = Action.REVIEW
    verb = "mark held"
    button_class = "btn-primary"
    explanation = ("The agenda of '{target}' is frozen as it stands now, its minutes and "
                   "decisions become visible to the vendor, and it joins the vendor's "
                   "timeline.")

    def target(self):
        return self.meeting

    def post(self, request, *args, **kwargs):
        try:
            services.meeting_hold(self.meeting, by=request.user)
        except (ValidationError, Conflict) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "Meeting marked held; its agenda is kept as it was. "
                                      "Open action items will be on the next one.")
        return redirect(self.meeting_url())

    def success_url(self):
        return self.meeting_url()


class MinutesView(MeetingFormView):
    form_class = forms.MinutesForm
    success_message = "Minutes saved."

    def get_title(self):
        return f"Minutes of {self.meeting}"

    def get_initial(self):
        return {"minutes": self.meeting.minutes}

    def perform(self, form):
        return services.meeting_write_minutes(self.meeting, by=self.request.user,
                                              minutes=form.cleaned_data["minutes"])

    def default_success_url(self):
        return self.meeting_url("#minutes")


class AgendaItemCreateView(MeetingFormView):
    form_class = forms.AgendaItemForm
    success_message = "Added to the agenda."

    def get_title(self):
        return f"Add to the agenda of {self.meeting}"

    def perform(self, form):
        return services.agenda_item_add(meeting=self.meeting, by=self.request.user,
                                        **form.cleaned_data)

    def default_success_url(self):
        return self.meeting_url("#agenda")


class AgendaItemArchiveView(MeetingMixin, View):
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


class DecisionCreateView(MeetingFormView):
    form_class = forms.DecisionForm
    success_message = "Decision recorded."

    def get_title(self):
        return f"Record a decision of {self.meeting}"

    def perform(self, form):
        return services.decision_record(meeting=self.meeting, by=self.request.user,
                                        **form.cleaned_data)

    def default_success_url(self):
        return self.meeting_url("#decisions")


class AttendanceView(MeetingMixin, View):
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


class AttendanceAddView(MeetingFormView):
    form_class = forms.ParticipantForm
    success_message = "Added to this meeting's participants."
    submit_label = "Add"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "vendor": self.vendor}

    def get_title(self):
        return f"Invite someone to {self.meeting}"

    def perform(self, form):
        user, contact = form.cleaned_data["person"]
        try:
            return services.attendance_add(meeting=self.meeting, by=self.request.user,
                                           user=user, contact=contact)
        except ValidationError as error:
            raise ValidationError({"person": error.messages}) from error

    def default_success_url(self):
        return self.meeting_url("#attendance")


class MeetingIcsView(MeetingMixin, View):
    def get(self, request, *args, **kwargs):
        body = ical.calendar([self.meeting], name=f"{self.meeting.title} · {self.vendor}")
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="{self.vendor.slug}-'
                                           f'{self.meeting.period}.ics"')
        return response


# -- action items ------------------------------------------------------------------------------

def _owner(form):
    user, contact = form.cleaned_data.pop("owner")
    return {"owner_user": user, "owner_contact": contact}


class ActionItemCreateView(GovernanceMixin, FormView):
    """A new action item: on its own page, or from the meeting page (in place with htmx)."""

    vendor_action = Action.REVIEW
    form_class = forms.ActionItemForm
    template_name = "form.html"
    tab = "items"

    @property
    def meeting(self):
        pk = self.kwargs.get("meeting")
        return selectors.meeting_get(self.request.user, self.vendor, pk) if pk else None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "vendor": self.vendor,
                "auto_id": "new-action-%s" if self.request.htmx else "id_%s"}

    @staticmethod
    def initial_values():
        return {"due_on": timezone.localdate() + timedelta(days=7)}

    def get_initial(self):
        return self.initial_values()

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            services.action_item_create(vendor=self.vendor, by=self.request.user,
                                        meeting=self.meeting, **_owner(form), **{
                                            k: v for k, v in data.items() if k != "owner"})
        except ValidationError as error:
            apply_errors(form, error, ERROR_FIELDS)
            return self.form_invalid(form)
        except Conflict as error:
            messages.error(self.request, str(error))
            return redirect(self.done_url())
        if self.request.htmx and self.meeting is not None:
            return self.section(forms.ActionItemForm(vendor=self.vendor,
                                                     auto_id="new-action-%s",
                                                     initial=self.get_initial()),
                                added=data["title"])
        messages.success(self.request, f"Action item '{data['title']}' added.")
        return redirect(self.done_url())

    def form_invalid(self, form):
        if self.request.htmx and self.meeting is not None:
            return self.section(form)
        return super().form_invalid(form)

    def section(self, form, added=""):
        meeting = self.meeting
        items = list(ActionItem.objects.active().filter(meeting=meeting)
                     .select_related("owner_user", "owner_contact"))
        mark_rights(self.request.user, actions=items)
        return render(self.request, "governance/_meeting_actions.html", {
            "m": meeting, "vendor": self.vendor, "action_form": form, "added": added,
            "rights": access.rights(self.request.user, self.vendor), "may_review": True,
            "status_choices": ActionStatus.choices, "action_items": items,
            "next_url": meeting.get_absolute_url() + "#action-items"})

    def done_url(self):
        if self.meeting is not None:
            return self.meeting.get_absolute_url() + "#action-items"
        return safe_next(self.request) or reverse("governance:items", args=[self.vendor.slug])

    def get_context_data(self, **kwargs):
        where = f" from {self.meeting}" if self.meeting else ""
        return super().get_context_data(title=f"New action item{where}",
                                        cancel_url=self.done_url(), **kwargs)


class ActionItemUpdateView(ServiceFormView):
    """Our reviewers change everything; the side that owns an item reports its progress."""

    tab = "items"
    success_message = "Action item '{object}' saved."

    @property
    def item(self):
        if not hasattr(self, "_item"):
            self._item = self.record(ActionItem.objects.select_related(
                "owner_user", "owner_contact", "meeting"))
        return self._item

    @property
    def full(self) -> bool:
        return access.may(self.request.user, Action.REVIEW, self.item)

    def post(self, request, *args, **kwargs):
        if not (self.full or access.may(request.user, Action.CONTRIBUTE, self.item)):
            raise PermissionDenied("Only the side that owns this item reports its progress.")
        return super().post(request, *args, **kwargs)

    def get_form_class(self):
        if self.full:
            return forms.ActionItemForm
        return forms.ActionProgressForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.full:
            kwargs.update(vendor=self.vendor, with_status=True)
        return kwargs

    def get_initial(self):
        i = self.item
        return {"title": i.title, "due_on": i.due_on, "description": i.description,
                "owner": forms.owner_initial(i), "status": i.status, "notes": i.notes}

    def get_title(self):
        return f"Action item: {self.item}"

    def get_context_data(self, **kwargs):
        i = self.item
        intro = (f"Owner: {i.owner_name} ({i.get_side_display().lower()}) · due {i.due_on:%d %b %Y}"
                 + (f" · raised at {i.meeting}" if i.meeting_id else ""))
        context = super().get_context_data(history=record_history(i), intro=intro, **kwargs)
        if not (self.full or access.may(self.request.user, Action.CONTRIBUTE, i)):
            context["readonly"] = True
        return context

    def get_template_names(self):
        return ["governance/action_item.html"]

    def perform(self, form):
        data = dict(form.cleaned_data)
        item = ActionItem.objects.get(pk=self.item.pk)
        if self.full:
            data.update(_owner(form))
            data.pop("owner", None)
            return services.action_item_update(item, by=self.request.user, **data)
        return services.action_item_progress(item, by=self.request.user, **data)

    def default_success_url(self):
        return reverse("governance:items", args=[self.vendor.slug]) + "#action-items"


class ActionItemStatusView(GovernanceMixin, View):
    """The status of an action item, changed in place."""

    def post(self, request, *args, **kwargs):
        item = self.record(ActionItem)
        if not (access.may(request.user, Action.REVIEW, item)
                or access.may(request.user, Action.CONTRIBUTE, item)):
            raise PermissionDenied("Only the side that owns this item reports its progress.")
        form = forms.ActionStatusForm(request.POST)
        if form.is_valid():
            item = services.action_item_progress(item, by=request.user,
                                                 status=form.cleaned_data["status"])
            saved = True
        else:
            saved = False
            messages.error(request, "Choose open, in progress, done or dropped.")
        if request.htmx:
            item.may_change = True
            return render(request, "governance/_action_status.html", {
                "a": item, "vendor": self.vendor, "status_choices": ActionStatus.choices,
                "saved": saved, "next_url": safe_next(request)})
        messages.success(request, f"'{item}' is now {item.get_status_display().lower()}.")
        return redirect(safe_next(request) or reverse("governance:items",
                                                      args=[self.vendor.slug]))


# -- impediments -------------------------------------------------------------------------------

class ImpedimentCreateView(ServiceFormView):
    vendor_action = Action.CONTRIBUTE
    tab = "items"
    form_class = forms.ImpedimentForm
    success_message = "Impediment '{object}' raised."
    submit_label = "Raise"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "vendor": self.vendor}

    def get_title(self):
        return f"Raise an impediment with {self.vendor}"

    def perform(self, form):
        return services.impediment_raise(vendor=self.vendor, by=self.request.user,
                                         **_owner(form), **form.cleaned_data)

    def get_success_url(self):
        if getattr(self, "object", None) is not None:
            return self.object.get_absolute_url()
        return safe_next(self.request) or reverse("governance:items", args=[self.vendor.slug])


class ImpedimentView(GovernanceMixin, TemplateView):
    template_name = "governance/impediment.html"
    tab = "items"

    def get_context_data(self, **kwargs):
        impediment = self.record(Impediment.objects.select_related(
            "owner_user", "owner_contact", "raised_by"))
        user = self.request.user
        return super().get_context_data(
            i=impediment, p=selectors.impediment_page(impediment),
            update_form=forms.ImpedimentUpdateForm(),
            may_edit=access.may(user, Action.EDIT, impediment),
            may_contribute=access.may(user, Action.CONTRIBUTE, impediment),
            history=record_history(impediment), **kwargs)


class ImpedimentMixin(ServiceFormView):
    tab = "items"

    @property
    def impediment(self):
        if not hasattr(self, "_impediment"):
            self._impediment = self.record(Impediment)
        return self._impediment

    def default_success_url(self):
        return self.impediment.get_absolute_url()


class ImpedimentUpdateView(ImpedimentMixin):
    vendor_action = Action.EDIT
    form_class = forms.ImpedimentForm
    success_message = "Impediment saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "vendor": self.vendor}

    def get_initial(self):
        i = self.impediment
        return {"title": i.title, "description": i.description, "kind": i.kind,
                "severity": i.severity, "responsible_side": i.responsible_side,
                "owner": forms.owner_initial(i)}

    def get_title(self):
        return f"Edit impediment: {self.impediment}"

    def perform(self, form):
        return services.impediment_update(Impediment.objects.get(pk=self.impediment.pk),
                                          by=self.request.user, **_owner(form),
                                          **form.cleaned_data)


class ImpedimentStatusView(ImpedimentMixin):
    vendor_action = Action.EDIT
    form_class = forms.ImpedimentStatusForm

    def get_initial(self):
        return {"status": self.impediment.status, "resolution": self.impediment.resolution}

    def get_title(self):
        return f"Status of {self.impediment}"

    def perform(self, form):
        item = services.impediment_set_status(Impediment.objects.get(pk=self.impediment.pk),
                                              by=self.request.user, **form.cleaned_data)
        self.success_message = f"Impediment is now {item.get_status_display().lower()}."
        return item


class ImpedimentNoteView(ImpedimentMixin):
    vendor_action = Action.CONTRIBUTE
    form_class = forms.ImpedimentUpdateForm
    success_message = "Update added."
    submit_label = "Add update"

    def get_title(self):
        return f"Update on {self.impediment}"

    def perform(self, form):
        return services.impediment_add_update(self.impediment, by=self.request.user,
                                              **form.cleaned_data)

    def default_success_url(self):
        return self.impediment.get_absolute_url() + "#updates"


class ImpedimentEscalateView(ImpedimentMixin):
    vendor_action = Action.EDIT
    form_class = forms.EscalateForm
    submit_label = "Escalate"
    success_message = "Escalated. Record the outcome once you have it."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "vendor": self.vendor}

    def get_initial(self):
        step = self.impediment.next_step or 4
        user, contact = selectors.ladder_recipients(self.vendor, step)
        to = f"c{contact.pk}" if contact else (f"u{user.pk}" if user else "")
        return {"level": step, "to": to}

    def get_title(self):
        return f"Escalate: {self.impediment}"

    def get_context_data(self, **kwargs):
        i = self.impediment
        return super().get_context_data(
            intro=(f"Now: {i.escalation_label}. Open {i.age_days} days, "
                   f"{i.get_severity_display().lower()} severity. Each step is recorded with "
                   f"the date, who escalated, to whom and the outcome."), **kwargs)

    def perform(self, form):
        user, contact = form.cleaned_data.pop("to")
        return services.impediment_escalate(Impediment.objects.get(pk=self.impediment.pk),
                                            by=self.request.user, to_user=user,
                                            to_contact=contact, **form.cleaned_data)

    def default_success_url(self):
        return self.impediment.get_absolute_url() + "#escalations"


class EscalationOutcomeView(ImpedimentMixin):
    vendor_action = Action.EDIT
    form_class = forms.OutcomeForm
    success_message = "Outcome recorded."

    @property
    def escalation(self):
        return get_object_or_404(Escalation, vendor=self.vendor, impediment=self.impediment,
                                 pk=self.kwargs["escalation"])

    def get_initial(self):
        return {"outcome": self.escalation.outcome}

    def get_title(self):
        return f"Outcome of {self.escalation}"

    def perform(self, form):
        return services.escalation_record_outcome(self.escalation, by=self.request.user,
                                                  **form.cleaned_data)

    def default_success_url(self):
        return self.impediment.get_absolute_url() + "#escalations"


# -- suggestions -------------------------------------------------------------------------------

class SuggestionCreateView(ServiceFormView):
    vendor_action = Action.CONTRIBUTE
    tab = "items"
    form_class = forms.SuggestionForm
    success_message = "Suggestion '{object}' submitted."
    submit_label = "Submit"

    def get_title(self):
        return f"Submit an innovation suggestion for {self.vendor}"

    def perform(self, form):
        return services.suggestion_submit(vendor=self.vendor, by=self.request.user,
                                          **form.cleaned_data)

    def get_success_url(self):
        if getattr(self, "object", None) is not None:
            return self.object.get_absolute_url()
        return safe_next(self.request) or reverse("governance:items", args=[self.vendor.slug])


class SuggestionView(GovernanceMixin, TemplateView):
    template_name = "governance/suggestion.html"
    tab = "items"

    def get_context_data(self, **kwargs):
        s = self.record(Suggestion)
        user = self.request.user
        return super().get_context_data(
            s=s, may_decide=access.may(user, Action.EDIT, s) and bool(SUGGESTION_NEXT[s.status]),
            may_edit=access.may(user, Action.CONTRIBUTE, s) and not s.is_assessed,
            history=record_history(s), **kwargs)


class SuggestionUpdateView(ServiceFormView):
    vendor_action = Action.CONTRIBUTE
    tab = "items"
    form_class = forms.SuggestionForm
    success_message = "Suggestion saved."

    @property
    def suggestion(self):
        if not hasattr(self, "_suggestion"):
            self._suggestion = self.record(Suggestion)
            self.require(Action.CONTRIBUTE, self._suggestion)
        return self._suggestion

    def get_initial(self):
        s = self.suggestion
        return {k: getattr(s, k) for k in ("title", "description", "category",
                                           "estimated_value", "currency",
                                           "estimated_effort_days")}

    def get_title(self):
        return f"Edit suggestion: {self.suggestion}"

    def perform(self, form):
        return services.suggestion_update(Suggestion.objects.get(pk=self.suggestion.pk),
                                          by=self.request.user, **form.cleaned_data)

    def default_success_url(self):
        return self.suggestion.get_absolute_url()


class SuggestionDecideView(ServiceFormView):
    vendor_action = Action.EDIT
    tab = "items"
    form_class = forms.SuggestionDecisionForm
    submit_label = "Save decision"

    @property
    def suggestion(self):
        if not hasattr(self, "_suggestion"):
            self._suggestion = self.record(Suggestion)
        return self._suggestion

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(),
                "next_statuses": SUGGESTION_NEXT[self.suggestion.status]}

    def get_title(self):
        return f"Decide on: {self.suggestion}"

    def get_context_data(self, **kwargs):
        s = self.suggestion
        return super().get_context_data(intro=f"Now {s.get_status_display().lower()}. "
                                              f"{s.description}", **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        item = services.suggestion_transition(
            Suggestion.objects.get(pk=self.suggestion.pk), by=self.request.user,
            status=data["status"], rationale=data["rationale"],
            realised_value=data["realised_value"], lessons=data["lessons"])
        self.success_message = f"Suggestion is now {item.get_status_display().lower()}."
        return item

    def default_success_url(self):
        return self.suggestion.get_absolute_url()


# -- across vendors ----------------------------------------------------------------------------

class PortfolioView(LoginRequiredMixin, TemplateView):
    """Reviews across the vendors the user sees: what is coming, and what is waiting."""

    template_name = "governance/portfolio.html"

    def get_context_data(self, **kwargs):
        vendors = list(access.vendors(self.request.user).filter(archived_at__isnull=True)
                       .order_by("name"))
        form = forms.PortfolioFilterForm(self.request.GET, vendors=vendors)
        data = form.cleaned_data if form.is_valid() else {}
        return super().get_context_data(
            p=selectors.portfolio(self.request.user, vendor_id=data.get("vendor"),
                                  tier=data.get("tier") or ""),
            form=form, **kwargs)


class MyWorkView(LoginRequiredMixin, TemplateView):
    template_name = "governance/my_work.html"

    def get_context_data(self, **kwargs):
        work = selectors.my_work(self.request.user)
        mark_rights(self.request.user, actions=work.action_items + work.vendor_side_items)
        return super().get_context_data(w=work, feed=selectors.active_feed(self.request.user),
                                        status_choices=ActionStatus.choices,
                                        next_url=self.request.get_full_path(), **kwargs)


class CalendarView(LoginRequiredMixin, TemplateView):
    """The person's calendar feed: create (shows the secret address once), or revoke."""

    template_name = "governance/calendar.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(feed=selectors.active_feed(self.request.user),
                                        **kwargs)

    def post(self, request, *args, **kwargs):
        feed, raw = services.calendar_feed_create(user=request.user)
        url = request.build_absolute_uri(reverse("governance:calendar_feed", args=[raw]))
        response = self.render_to_response(self.get_context_data(new_url=url))
        response["Cache-Control"] = "no-store"
        return response


class CalendarRevokeView(LoginRequiredMixin, View):
    def post(self, request):
        if services.calendar_feed_revoke(user=request.user):
            messages.success(request, "Calendar feed revoked: calendars using its address "
                                      "stop receiving updates.")
        return redirect("governance:calendar")


class CalendarFeedView(View):
    """The secret feed itself: no sign-in (calendar apps cannot), 404 for anything but an
    active address, and only meetings its owner may still see."""

    def get(self, request, token):
        feed = selectors.calendar_feed_find(token)
        if feed is None:
            raise Http404("No such calendar.")
        services.calendar_feed_touch(feed)
        body = ical.calendar(selectors.calendar_meetings(feed.user),
                             name=f"Vendor reviews · {feed.user}")
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        return response
