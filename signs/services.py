"""Writes of warning signs: the periodic refresh, dismissals and the thresholds."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from signs import rules, selectors
from signs.choices import SEVERITY_RANK
from signs.models import Sign, Thresholds
from vendorgov import history
from vendorgov.errors import Conflict
from vendors.models import Vendor

# Runs of the refresh take turns (a PostgreSQL advisory lock held to the end of the
# transaction): each reads the open signs and writes the difference, so two at once would
# otherwise both raise what neither had seen. The partial unique constraint on open signs
# stays the last word (a run that still meets one skips the row: ON CONFLICT DO NOTHING).
# SQLite has one writer at a time anyway.
LOCK_KEY = 0x5167_6E73


@dataclass
class Refresh:
    """What one run did, by (vendor id, rule)."""

    raised: list[tuple[int, str]] = field(default_factory=list)
    changed: list[tuple[int, str]] = field(default_factory=list)
    returned: list[tuple[int, str]] = field(default_factory=list)  # dismissal lifted/expired
    cleared: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self):
        return (f"signs: {len(self.raised)} raised, {len(self.changed)} changed, "
                f"{len(self.returned)} back after a dismissal, {len(self.cleared)} cleared")


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _evidence(finding: rules.Finding) -> list[dict]:
    return [link.as_json() for link in finding.evidence]


def _apply(sign: Sign, finding: rules.Finding) -> bool:
    """Bring an open sign up to date with what was found; True when something people see
    changed (worth a history row)."""
    new = {"severity": finding.severity, "severity_rank": SEVERITY_RANK[finding.severity],
           "title": finding.title[:500], "evidence": _evidence(finding),
           "strength": finding.strength}
    changed = any(getattr(sign, name) != value for name, value in new.items())
    for name, value in new.items():
        setattr(sign, name, value)
    return changed


def _undismiss(sign: Sign) -> None:
    sign.dismissed_at = sign.dismissed_by = sign.dismissed_until = None
    sign.dismissed_strength = None
    sign.dismissal_reason = ""


@transaction.atomic
def signs_refresh(*, vendor: Vendor | None = None, today: date | None = None) -> Refresh:
    """Compute every vendor's signs (or one vendor's) from the data and store them: raise
    the new ones, update those still found, clear those no longer found. A dismissed sign
    comes back when its dismissal has expired or its evidence grew past what it was when
    dismissed. Safe to run twice, also at the same time. A fixed number of queries whatever
    the number of vendors."""
    now = timezone.now()
    today = today or timezone.localdate()
    _lock()
    limits = selectors.thresholds().limits
    vendors = Vendor.objects.filter(archived_at__isnull=True)
    if vendor is not None:
        vendors = vendors.filter(pk=vendor.pk)
    vendor_list = list(vendors.only("pk", "slug", "created_at", "criticality"))
    facts = selectors.facts_for(vendor_list, today, limits)
    found = {(f.vendor_id, f.rule.value): f for one in facts.values()
             for f in rules.evaluate(one, today, limits)}
    # A whole run also clears the signs of vendors archived since: they are no longer judged.
    mine = Sign.objects.open() if vendor is None else Sign.objects.open().filter(vendor=vendor)
    existing = {(s.vendor_id, s.rule): s for s in mine}
    done = Refresh()

    new = [Sign(vendor_id=key[0], rule=key[1], severity=f.severity,
                severity_rank=SEVERITY_RANK[f.severity], title=f.title[:500],
                evidence=_evidence(f), strength=f.strength, raised_at=now, last_seen_at=now)
           for key, f in found.items() if key not in existing]
    if new:
        Sign.objects.bulk_create(new, ignore_conflicts=True)
        created = list(Sign.objects.open().filter(vendor_id__in={s.vendor_id for s in new},
                                                  raised_at=now))
        Sign.history.bulk_history_create(created, default_change_reason="Raised",
                                         default_date=now)
        done.raised = [(s.vendor_id, s.rule) for s in created]

    changed, reasons = [], {}
    for key, sign in existing.items():
        f = found.get(key)
        if f is None:
            sign.cleared_at = now
            changed.append(sign)
            reasons[sign.pk] = "Cleared: no longer found"
            done.cleared.append(key)
            continue
        why = []
        if _apply(sign, f):
            why.append("Evidence changed")
            done.changed.append(key)
        if sign.dismissed_until is not None:
            if sign.dismissed_until < today:
                _undismiss(sign)
                why.append("Dismissal expired")
                done.returned.append(key)
            elif sign.strength > (sign.dismissed_strength or 0):
                _undismiss(sign)
                why.append("Evidence grew since it was dismissed: back")
                done.returned.append(key)
        if why:
            changed.append(sign)
            reasons[sign.pk] = "; ".join(why)
    if changed:
        Sign.objects.bulk_update(changed, ["severity", "severity_rank", "title", "evidence",
                                           "strength", "cleared_at", "dismissed_at",
                                           "dismissed_by", "dismissal_reason",
                                           "dismissed_until", "dismissed_strength"])
        for sign in changed:
            sign._change_reason = reasons[sign.pk]
        Sign.history.bulk_history_create(changed, update=True, default_date=now)
    still = [s.pk for key, s in existing.items() if key in found]
    if still:
        Sign.objects.filter(pk__in=still).update(last_seen_at=now)
    return done


@transaction.atomic
def sign_dismiss(sign: Sign, *, by, reason: str, days: int | None = None) -> Sign:
    """Hide an open sign for `days` (the thresholds' dismissal period by default), with
    the reason kept in its history. It comes back when the dismissal expires, or earlier
    when its evidence grows past what it is now."""
    sign = Sign.objects.select_for_update().get(pk=sign.pk)
    if not sign.is_open:
        raise Conflict("This warning sign has cleared already: nothing to dismiss.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this sign does not need action now."})
    days = days or selectors.thresholds().dismissal_days
    if not 1 <= days <= 3650:
        raise ValidationError({"days": "Between 1 and 3650 days."})
    sign.dismissed_at = timezone.now()
    sign.dismissed_by = by
    sign.dismissal_reason = reason
    sign.dismissed_until = timezone.localdate() + timedelta(days=days)
    sign.dismissed_strength = sign.strength
    return history.save(sign, by=by, change_reason=f"Dismissed for {days} days: {reason}"[:100])


@transaction.atomic
def thresholds_update(*, by, **fields) -> Thresholds:
    """Change the portfolio's thresholds; the next refresh applies them."""
    current = Thresholds.objects.select_for_update().filter(pk=1).first() or Thresholds(pk=1)
    for name, value in fields.items():
        setattr(current, name, value)
    current.updated_at = timezone.now()
    return history.save(current, by=by, change_reason="Thresholds changed")
