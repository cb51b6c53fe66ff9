"""Helpers for testing reminder kinds without the engine: an outbox that records what a
kind finds under the engine's unique key (kind, occasion, recipient key), answers
`registry.sent_to` from what it recorded, drops what `still_current` says is stale, as
the engine does just before sending, and settles what a kind's find says is settled once
recorded (`registry.Found`), as the engine does."""

from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reminders import registry


class Outbox:
    def __init__(self):
        self.rows: dict[tuple[str, str, str], registry.Due] = {}
        self.first_seen: dict[tuple[str, str, str], datetime] = {}

    def lookup(self, kind_key: str, occasions: list[str]) -> dict[str, set[str]]:
        wanted = set(occasions)
        found: dict[str, set[str]] = {}
        for (kind, occasion, key) in self.rows:
            if kind == kind_key and occasion in wanted:
                found.setdefault(occasion, set()).add(key)
        return found

    def sweep(self, now: datetime, keys=None, *, offsets=None) -> list[registry.Due]:
        """Find every kind (or those of `keys`) at `now`, record what is new, send it if it
        is still current; returns what was sent."""
        sent = []
        for kind in registry.kinds():
            if keys is not None and kind.key not in keys:
                continue
            offset = (offsets or {}).get(kind.key, kind.default_offset)
            new = []
            found = kind.find(now, offset)
            for due in found:
                unique = (kind.key, due.occasion, due.recipient.key)
                if unique not in self.rows:
                    new.append((unique, due))
            if new and kind.still_current:
                current = kind.still_current(sorted({d.occasion for _, d in new}))
                new = [(u, d) for u, d in new if d.occasion in current]
            for unique, due in new:
                self.rows[unique] = due
                self.first_seen[unique] = now
                sent.append(due)
            if (settle := registry.settle_of(found)) is not None:
                settle()  # as the engine does once it has recorded them
        return sent

    def count(self, kind_key: str | None = None) -> Counter:
        return Counter(k for k, _, _ in self.rows if kind_key in (None, k))

    def of(self, kind_key: str) -> list[registry.Due]:
        return [d for (k, _, _), d in self.rows.items() if k == kind_key]


@contextmanager
def outbox():
    box = Outbox()
    engine = registry._sent_lookup  # the engine's own, given back afterwards
    registry.provide_sent_lookup(box.lookup)
    try:
        yield box
    finally:
        registry.provide_sent_lookup(engine)


def find_queries(kind_key: str, now: datetime, offset=None) -> tuple[int, list]:
    """(queries, dues) of one `find` of a kind."""
    kind = registry.get(kind_key)
    with CaptureQueriesContext(connection) as queries:
        dues = list(kind.find(now, kind.default_offset if offset is None else offset))
    return len(queries), dues


def settling_then_failing(kind: registry.Kind) -> registry.Kind:
    """`kind` recorded from its Python `find` (as on SQLite: no `find_sql`), whose settle
    writes its stamps and then fails as if the database went away before the commit: the
    recording transaction must roll the rows and the stamps back together."""

    def find(now, offset):
        found = kind.find(now, offset)
        settle = registry.settle_of(found)
        assert settle is not None, f"{kind.key} settles nothing here"

        def settle_then_fail():
            settle()
            raise ConnectionError("the database went away before the commit")

        return registry.Found(found, settle=settle_then_fail)

    return replace(kind, find=find, find_sql=None, settle_sql=None)


ITEM_STAMPS = ("reminded_due_on", "reminded_due_to", "reminded_overdue_on",
               "reminded_overdue_to", "reminded_escalation_on")
IMPEDIMENT_STAMPS = ("reminded_step", "reminded_since")


def item_stamps() -> dict:
    """Every action item's and impediment's reminder stamps (governance/reminders.py,
    "Settled items"): {("action_item" | "impediment", id): stamps}."""
    from governance.models import ActionItem, Impediment

    found = {("action_item", pk): rest
             for pk, *rest in ActionItem.objects.values_list("pk", *ITEM_STAMPS)}
    found.update({("impediment", pk): rest
                  for pk, *rest in Impediment.objects.values_list("pk", *IMPEDIMENT_STAMPS)})
    return found


_RESET = {
    "governance.action_item_due": ("action_item", {"reminded_due_on": None,
                                                   "reminded_due_to": ""}),
    "governance.action_item_overdue": ("action_item", {"reminded_overdue_on": None,
                                                       "reminded_overdue_to": ""}),
    "governance.action_item_escalation": ("action_item", {"reminded_escalation_on": None}),
    "governance.impediment_escalation": ("impediment", {"reminded_step": None,
                                                        "reminded_since": None}),
}


def unsettle(*kind_keys: str) -> None:
    """No action item or impediment stamped for these kinds (all four when none is named):
    the state before any sweep recorded one. A test that deletes reminder rows, which the
    product never does, resets their stamps too."""
    from governance.models import ActionItem, Impediment

    models = {"action_item": ActionItem, "impediment": Impediment}
    for key in kind_keys or _RESET:
        if key in _RESET:
            model, fields = _RESET[key]
            models[model].objects.update(**fields)
