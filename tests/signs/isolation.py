"""The warning-sign part of the isolation table (tests/test_isolation.py). Vendor users
never see warning signs, their own vendor's included: portfolio pages are refused, the
API list is empty for them, and B's signs are 404 by every route."""

from signs.choices import Rule, Severity
from signs.models import Sign


def records(vendor, tag) -> dict:
    sign = Sign.objects.create(
        vendor=vendor, rule=Rule.RESOURCES_NOT_REPLACED, severity=Severity.MEDIUM,
        title=f"{tag} staffing request open", strength=1,
        evidence=[{"text": f"{tag} replace a person", "url": f"/vendors/{vendor.slug}/people/"}])
    return {"sign": sign}


def slug(w):
    return [{"slug": w.b.slug}]


def sign(w):
    return [{"slug": w.b.slug, "pk": w.b_records["sign"].pk}]


def api(w):
    return [{"pk": w.b_records["sign"].pk}]


def none(w):
    return [{}]


ROUTES = {
    "signs:portfolio": ("denied", none),
    "signs:thresholds": ("denied", none),
    "signs:vendor": ("b", slug),
    "signs:refresh": ("b", slug),
    "signs:dismiss": ("b", sign),
    "sign-list": ("open", none),
    "sign-detail": ("b", api),
}
