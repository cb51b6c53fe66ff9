"""Health checks in a vendor's timeline (`governance.selectors.timeline_provide`): each
move of a cycle, one query."""

from django.urls import reverse
from django.utils import timezone

from governance.selectors import TimelineEvent
from healthchecks.models import Transition
from vendors import access


def events(user, vendor, since, until) -> list:
    rows = (access.restrict(Transition.objects.filter(vendor=vendor), user)
            .filter(at__date__gte=since, at__date__lte=until).select_related("cycle", "by"))
    out = []
    for t in rows:
        day = timezone.localtime(t.at).date()
        out.append(TimelineEvent(
            day, "health_checks",
            f"Health check of {t.cycle.due_on:%B %Y}: {t.get_to_status_display().lower()}",
            detail=(f"By {t.by}" if t.by else "") + (f". Skipped a step: {t.reason}"
                                                      if t.skipped else
                                                      (f". {t.reason}" if t.reason else "")),
            url=reverse("healthchecks:cycle", args=[vendor.slug, t.cycle_id]),
            status=f"hc_{t.to_status}", status_label=t.get_to_status_display(), order=9))
    return out
