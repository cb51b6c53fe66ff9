"""The vendor's Reviews and Items tabs, and its governance timeline."""

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from governance import forms, selectors
from governance.choices import ActionStatus
from governance.views import GovernancePage, mark_rights
from vendorgov.pages import csv_response


class ReviewsTabView(GovernancePage, TemplateView):
    template_name = "governance/reviews.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(r=selectors.vendor_reviews(self.vendor), **kwargs)


class ItemsTabView(GovernancePage, TemplateView):
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


class TimelineView(GovernancePage, TemplateView):
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
