"""Parts of the vendor's Overview tab that other apps provide (the vendor 360 of the
dashboards app). From their AppConfig.ready():

    vendors.overview.register("vendor_360", "dashboards/_vendor360.html", order=10)

so `vendors` never imports them. The Overview tab includes each registered template with the
page's context (`vendor`, `user`, `rights`, `o`); a part loads what it shows through its own
app's template tags, in a fixed number of queries, and renders nothing when it has nothing
to say.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class OverviewPart:
    key: str
    template: str
    order: int


_parts: dict[str, OverviewPart] = {}


def register(key: str, template: str, *, order: int) -> None:
    _parts[key] = OverviewPart(key, template, order)


def parts() -> list[OverviewPart]:
    return sorted(_parts.values(), key=lambda part: part.order)
