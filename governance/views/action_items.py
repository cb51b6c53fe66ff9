"""Action items: added on their own page or during a meeting (in place, with htmx),
edited by our reviewers, progressed by the side that owns them."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View

from governance import forms, selectors, services
from governance.choices import ActionStatus
from governance.models import ActionItem
from governance.views import GovernancePage, mark_rights, owner_fields
from vendorgov import formats
from vendorgov.pages import FormPage, safe_next
from vendors import access
from vendors.access import Action
from vendors.selectors import record_history


class ActionItemPage(GovernancePage):
    tab = "items"

    def done_url(self):
        return reverse("governance:items", args=[self.vendor.slug]) + "#action-items"


class ActionItemCreateView(ActionItemPage, FormPage):
    """A new action item: on its own page, or from the meeting page (in place with htmx)."""

    vendor_action = Action.REVIEW
    form_class = forms.ActionItemForm
    success_message = "Action item '{object}' added."

    @cached_property
    def meeting(self):
        pk = self.kwargs.get("meeting")
        return selectors.meeting_get(self.request.user, self.vendor, pk) if pk else None

    @property
    def in_meeting(self) -> bool:
        """Added from the meeting page with htmx: answer with the meeting's section."""
        return bool(self.request.htmx) and self.meeting is not None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "vendor": self.vendor,
                "auto_id": "new-action-%s" if self.request.htmx else "id_%s"}

    @staticmethod
    def initial_values():
        return {"due_on": timezone.localdate() + timedelta(days=7)}

    def get_initial(self):
        return self.initial_values()

    def get_title(self):
        return "New action item" + (f" from {self.meeting}" if self.meeting else "")

    def perform(self, form):
        owner = owner_fields(form)
        return services.action_item_create(vendor=self.vendor, by=self.request.user,
                                           meeting=self.meeting, **owner, **form.cleaned_data)

    def saved(self, form):
        if self.in_meeting:
            return self.section(forms.ActionItemForm(vendor=self.vendor,
                                                     auto_id="new-action-%s",
                                                     initial=self.get_initial()),
                                added=self.object.title)
        return super().saved(form)

    def form_invalid(self, form):
        if self.in_meeting:
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
        return reverse("governance:items", args=[self.vendor.slug])


class ActionItemUpdateView(ActionItemPage, FormPage):
    """Our reviewers change everything; the side that owns an item reports its progress."""

    template_name = "governance/action_item.html"
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

    def get_intro(self):
        i = self.item
        due = formats.date(i.due_on, padded=True)
        return (f"Owner: {i.owner_name} ({i.get_side_display().lower()}) · due {due}"
                + (f" · raised at {i.meeting}" if i.meeting_id else ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(history=record_history(self.item), **kwargs)
        if not (self.full or access.may(self.request.user, Action.CONTRIBUTE, self.item)):
            context["readonly"] = True
        return context

    def perform(self, form):
        data = dict(form.cleaned_data)
        item = ActionItem.objects.get(pk=self.item.pk)
        if self.full:
            data.update(owner_fields(form))
            data.pop("owner", None)
            return services.action_item_update(item, by=self.request.user, **data)
        return services.action_item_progress(item, by=self.request.user, **data)


class ActionItemStatusView(ActionItemPage, View):
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
