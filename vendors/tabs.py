"""The tabs of a vendor's page. Feature apps add theirs from their AppConfig.ready():

    vendors.tabs.register("scorecard", "Scorecard", "scorecards:vendor", order=20)

so `vendors` never imports them. Each tab's URL takes the vendor's slug.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class VendorTab:
    key: str
    label: str
    url_name: str
    order: int
    internal_only: bool = False  # hidden from vendor users (e.g. our warning signs)


_tabs: dict[str, VendorTab] = {}


def register(key: str, label: str, url_name: str, *, order: int,
             internal_only: bool = False) -> None:
    _tabs[key] = VendorTab(key, label, url_name, order, internal_only)


def get(key: str) -> VendorTab:
    return _tabs[key]


def tabs() -> list[VendorTab]:
    return sorted(_tabs.values(), key=lambda tab: tab.order)


# UX.md's order: Overview, Scorecard, SLAs, Reviews, Items, Health checks, People, Contract,
# History; the feature apps fill the gaps (20–60).
register("overview", "Overview", "vendors:detail", order=10)
register("people", "People & staffing", "vendors:people", order=70)
register("contracts", "Contracts", "vendors:contracts", order=80)
register("history", "History", "vendors:history", order=90)
