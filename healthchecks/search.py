"""What the global search finds of health checks: cycles by vendor name or month, one
scoped query."""

from django.db.models import Q

from healthchecks.models import Cycle
from vendorgov import formats
from vendors import access
from vendors.search import Hit


def find_cycles(user, q: str, limit: int) -> list[Hit]:
    words = q.lower()
    match = Q(vendor__name__icontains=q)
    if "health" in words or "check" in words:
        match |= Q(pk__isnull=False)
    rows = (access.restrict(Cycle.objects.all(), user).filter(match).select_related("vendor")
            .order_by("-due_on", "-pk")[:limit])
    return [Hit(f"Health check of {c.vendor} ({c.due_on:%b %Y})", c.get_absolute_url(),
                f"Due {formats.day(c.due_on)}", status=f"hc_{c.status}",
                status_label=c.get_status_display()) for c in rows]
