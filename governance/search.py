"""What the global search finds of governance (registered in `GovernanceConfig.ready()`):
review meetings by title, action items, impediments and innovation suggestions. Each finder
is one query, scoped by `vendors.access`."""

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from governance.choices import ACTION_OPEN, IMPEDIMENT_OPEN, SUGGESTION_UNASSESSED
from governance.models import ActionItem, Impediment, Meeting, Suggestion
from vendorgov import formats
from vendorgov.templatetags.vg import relative
from vendors import access
from vendors.search import Hit


def _current_first(queryset: QuerySet, current: Q, field: str) -> QuerySet:
    """Rows that still need attention first, soonest `field` first; then the rest, latest
    first (one ORDER BY, so still one query)."""
    return queryset.order_by(Case(When(current, then=Value(0)), default=Value(1)),
                             Case(When(current, then=F(field))).asc(),
                             F(field).desc(), "id")


def _scoped(queryset: QuerySet, user, q: str) -> QuerySet:
    return access.restrict(queryset, user).filter(title__icontains=q).select_related("vendor")


def find_meetings(user, q: str, limit: int) -> list[Hit]:
    rows = _current_first(_scoped(Meeting.objects.visible(), user, q),
                          Q(ends_at__gte=timezone.now()), "starts_at")[:limit]
    hits = []
    for m in rows:
        start = m.local_start
        hits.append(Hit(
            m.title, reverse("governance:meeting", args=[m.vendor.slug, m.pk]),
            f"{m.get_tier_display()} review with {m.vendor} · {formats.day(start)}, "
            f"{start:%H:%M %Z} · {relative(m.starts_at)}",
            status=f"gov_{m.status}", status_label=m.get_status_display()))
    return hits


def find_action_items(user, q: str, limit: int) -> list[Hit]:
    rows = _current_first(_scoped(ActionItem.objects.active(), user, q)
                          .select_related("owner_user", "owner_contact"),
                          Q(status__in=ACTION_OPEN), "due_on")[:limit]
    hits = []
    for a in rows:
        late = a.days_overdue
        hits.append(Hit(
            a.title, reverse("governance:action_item_update", args=[a.vendor.slug, a.pk]),
            f"{a.vendor} · {a.owner_name} ({a.get_side_display().lower()}) · due "
            f"{formats.day(a.due_on)}" + (f" · overdue by {late} day{'s' if late != 1 else ''}"
                                   if late else ""),
            status=f"gov_{a.status}", status_label=a.get_status_display()))
    return hits


def find_impediments(user, q: str, limit: int) -> list[Hit]:
    rows = _current_first(_scoped(Impediment.objects.active(), user, q),
                          Q(status__in=IMPEDIMENT_OPEN), "raised_on")[:limit]
    return [Hit(i.title, reverse("governance:impediment", args=[i.vendor.slug, i.pk]),
                f"{i.vendor} · {i.get_severity_display()} {i.get_kind_display().lower()} "
                f"impediment · raised {formats.day(i.raised_on)}",
                status=f"gov_{i.status}", status_label=i.get_status_display())
            for i in rows]


def find_suggestions(user, q: str, limit: int) -> list[Hit]:
    rows = _current_first(_scoped(Suggestion.objects.active(), user, q),
                          Q(status__in=SUGGESTION_UNASSESSED), "submitted_on")[:limit]
    return [Hit(s.title, reverse("governance:suggestion", args=[s.vendor.slug, s.pk]),
                f"{s.vendor} · {s.get_category_display()} · from "
                f"{s.get_source_side_display().lower()} · submitted {formats.day(s.submitted_on)}",
                status=f"gov_{s.status}", status_label=s.get_status_display())
            for s in rows]
