"""Facts in the vendor header that feature apps provide (UX.md: next review, overall RAG,
warning signs). From their AppConfig.ready():

    vendors.header.register("next_review", "governance/_header_next_review.html", order=20)

so `vendors` never imports them. The header includes each registered template with the
page's context (`vendor`, `user`, `rights`); a part loads what it shows through its own app's
template tags, in a fixed number of queries, and renders nothing when it has nothing to say.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class HeaderPart:
    key: str
    template: str
    order: int


_parts: dict[str, HeaderPart] = {}


def register(key: str, template: str, *, order: int) -> None:
    _parts[key] = HeaderPart(key, template, order)


def parts() -> list[HeaderPart]:
    return sorted(_parts.values(), key=lambda part: part.order)
