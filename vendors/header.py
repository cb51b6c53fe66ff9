"""Facts in the vendor header that feature apps provide (UX.md: next review, overall RAG,
warning signs). From their AppConfig.ready():

    vendors.header.register("next_review", "governance/_header_next_review.html", order=20)

so `vendors` never imports them. The header includes each registered template with the
page's context (`vendor`, `user`, `rights`); a part loads what it shows through its own app's
template tags, in a fixed number of queries, and renders nothing when it has nothing to say.
The Overview tab keeps the header with its content (vendors/views/vendor.py): a part whose
text changes with the clock alone, not by a write or the date (the next review, once it has
ended), says until when with `holds_until(vendor)`, called after it rendered.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HeaderPart:
    key: str
    template: str
    order: int
    # When what the part shows of a vendor (after rendering it) changes with the clock alone,
    # not a write or the date: None if never. The Overview tab is kept until then.
    holds_until: Callable[[object], datetime | None] | None = None


_parts: dict[str, HeaderPart] = {}


def register(key: str, template: str, *, order: int,
             holds_until: Callable[[object], datetime | None] | None = None) -> None:
    _parts[key] = HeaderPart(key, template, order, holds_until)


def parts() -> list[HeaderPart]:
    return sorted(_parts.values(), key=lambda part: part.order)
