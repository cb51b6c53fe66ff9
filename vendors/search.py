"""The global search. Each kind of record people can find is a provider; `vendors` provides
its own below, feature apps add theirs from their AppConfig.ready():

    vendors.search.register("meetings", "Review meetings", find_meetings, order=50)

so `vendors` never imports them. A provider is `find(user, q, limit) -> list[Hit]`: one
query, scoped by `vendors.access`, so a search costs one query per kind of record however
much data there is.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from vendors import access
from vendors.models import Contact, Contract, StaffMember


@dataclass(frozen=True)
class Hit:
    """One record found: what it is called, where it lives, and a line of context."""

    title: str
    url: str
    detail: str = ""
    status: str = ""        # a `{% badge %}` key, shown with `status_label`
    status_label: str = ""


Finder = Callable[[object, str, int], list[Hit]]


@dataclass(frozen=True)
class Provider:
    key: str
    label: str
    find: Finder
    order: int


@dataclass(frozen=True)
class Group:
    """The hits of one provider, under its label."""

    key: str
    label: str
    hits: list


_providers: dict[str, Provider] = {}

LIMIT = 20  # hits per kind of record: a search is for finding, not for listing


def register(key: str, label: str, find: Finder, *, order: int) -> None:
    _providers[key] = Provider(key, label, find, order)


def providers() -> list[Provider]:
    return sorted(_providers.values(), key=lambda p: p.order)


def search(user, q: str, *, limit: int = LIMIT) -> list[Group]:
    """What `user` may see that matches `q`, per kind of record; kinds with no hit left out."""
    q = q.strip()
    if not q:
        return []
    groups = (Group(p.key, p.label, p.find(user, q, limit)) for p in providers())
    return [g for g in groups if g.hits]


# -- what vendors provides ---------------------------------------------------------------------

def find_vendors(user, q: str, limit: int) -> list[Hit]:
    rows = (access.vendors(user).filter(Q(name__icontains=q) | Q(description__icontains=q))
            .order_by("name")[:limit])
    return [Hit(v.name, v.get_absolute_url(),
                f"{v.get_tier_display()} · {v.get_status_display()}"
                + (" · archived" if v.is_archived else "")) for v in rows]


def find_contacts(user, q: str, limit: int) -> list[Hit]:
    rows = (access.restrict(Contact.objects.active(), user).filter(name__icontains=q)
            .select_related("vendor").order_by("name", "id")[:limit])
    return [Hit(c.name, reverse("vendors:people", args=[c.vendor.slug]) + "#contacts",
                f"{c.get_role_display()} at {c.vendor}") for c in rows]


def find_staff(user, q: str, limit: int) -> list[Hit]:
    rows = (access.restrict(StaffMember.objects.active(), user).filter(name__icontains=q)
            .select_related("vendor").order_by("name", "id")[:limit])
    return [Hit(m.name, reverse("vendors:people", args=[m.vendor.slug]) + "#roster",
                f"{m.role} at {m.vendor}") for m in rows]


def find_contracts(user, q: str, limit: int) -> list[Hit]:
    rows = (access.restrict(Contract.objects.active(), user)
            .filter(Q(reference__icontains=q) | Q(title__icontains=q))
            .select_related("vendor").order_by("reference", "id")[:limit])
    return [Hit(c.reference, reverse("vendors:contracts", args=[c.vendor.slug]),
                f"{c.title} with {c.vendor}") for c in rows]


register("vendors", "Vendors", find_vendors, order=10)
register("contacts", "Vendor contacts", find_contacts, order=20)
register("staff", "Vendor team members", find_staff, order=30)
register("contracts", "Contracts", find_contracts, order=40)
