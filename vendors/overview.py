"""Parts of the vendor's Overview tab that other apps provide (the vendor 360 of the
dashboards app). From their AppConfig.ready():

    vendors.overview.register("vendor_360", "dashboards/_vendor360.html", order=10)

so `vendors` never imports them. The Overview tab includes each registered template with the
page's context (`vendor`, `user`, `rights`, `o`); a part loads what it shows through its own
app's template tags, in a fixed number of queries, and renders nothing when it has nothing
to say.
The tab is kept until a table it read is written (vendors/views/vendor.py): a part that also
changes with the clock alone, not the date, says until when with `holds_until(vendor)`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OverviewPart:
    key: str
    template: str
    order: int
    # When what the part shows of a vendor (after rendering it) changes with the clock alone,
    # not a write or the date: None if never. The Overview tab is kept until then.
    holds_until: Callable[[object], datetime | None] | None = None


_parts: dict[str, OverviewPart] = {}


def register(key: str, template: str, *, order: int,
             holds_until: Callable[[object], datetime | None] | None = None) -> None:
    _parts[key] = OverviewPart(key, template, order, holds_until)


def parts() -> list[OverviewPart]:
    return sorted(_parts.values(), key=lambda part: part.order)
