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


def _hit(record, url_name: str, detail: str) -> Hit:
    """A governance record as a search result: its title, its page and its status."""
    return Hit(record.title, reverse(url_name, args=[record.vendor.slug, record.pk]), detail,
               status=f"gov_{record.status}", status_label=record.get_status_display())


def _meeting_detail(m: Meeting) -> str:
    start = m.local_start
    return (f"{m.get_tier_display()} review with {m.vendor} · {formats.day(start)}, "
            f"{start:%H:%M %Z} · {relative(m.starts_at)}")


def _action_item_detail(a: ActionItem) -> str:
    late = a.days_overdue
    return (f"{a.vendor} · {a.owner_name} ({a.get_side_display().lower()}) · due "
            f"{formats.day(a.due_on)}"
            + (f" · overdue by {late} day{'s' if late != 1 else ''}" if late else ""))


def find_meetings(user, q: str, limit: int) -> list[Hit]:
    rows = _current_first(_scoped(Meeting.objects.visible(), user, q),
                          Q(ends_at__gte=timezone.now()), "starts_at")[:limit]
    return [_hit(m, "governance:meeting", _meeting_detail(m)) for m in rows]


def find_action_items(user, q: str, limit: int) -> list[Hit]:
    rows = _current_first(_scoped(ActionItem.objects.active(), user, q)
                          .select_related("owner_user", "owner_contact"),
                          Q(status__in=ACTION_OPEN), "due_on")[:limit]
    return [_hit(a, "governance:action_item_update", _action_item_detail(a)) for a in rows]


def find_impediments(user, q: str, limit: int) -> list[Hit]:
    rows = _current_first(_scoped(Impediment.objects.active(), user, q),
                          Q(status__in=IMPEDIMENT_OPEN), "raised_on")[:limit]
    return [_hit(i, "governance:impediment",
                 f"{i.vendor} · {i.get_severity_display()} {i.get_kind_display().lower()} "
                 f"impediment · raised {formats.day(i.raised_on)}") for i in rows]


def find_suggestions(user, q: str, limit: int) -> list[Hit]:
    rows = _current_first(_scoped(Suggestion.objects.active(), user, q),
                          Q(status__in=SUGGESTION_UNASSESSED), "submitted_on")[:limit]
    return [_hit(s, "governance:suggestion",
                 f"{s.vendor} · {s.get_category_display()} · from "
                 f"{s.get_source_side_display().lower()} · submitted "
                 f"{formats.day(s.submitted_on)}") for s in rows]
