"""A person's calendar feed: created (its secret address shown once), revoked, and served
to calendar apps without a sign-in."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from governance import ical, selectors, services


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
