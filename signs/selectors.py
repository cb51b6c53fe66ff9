"""Reads of warning signs — the interface other apps (the dashboards) use:

* `signs_open(user, vendor=None)` → the open, undismissed signs the user may see (vendor
  users: none, see below), worst first, as a queryset of `signs.models.Sign` with `vendor`
  loaded; one query. Each sign has `rule` (`signs.choices.Rule`), `severity`, `title`,
  `evidence` ([{"text", "url"}], links to the records that raised it), `raised_at`,
  `last_seen_at`. Render them with `{% include "signs/_signs_block.html" with signs=… %}`:
  `show_vendor=True` names each sign's vendor (portfolio blocks), `tab_vendor=vendor` links
  that vendor's Warning signs tab (a vendor's overview), `may_dismiss=rights.edit` adds the
  Dismiss buttons.
* `signs_count(user, vendor)` → how many of them a vendor shows (the header's count);
  `signs_of_page_vendor(user, vendor)` → them, read once for both (the vendor page).
* `grouped(signs)` → {vendor id: [signs]} of such a queryset, for a grid of vendors.

Signs are computed by the periodic job (`signs.services.signs_refresh`), never by a page:
`facts_for` gathers what the rules (`signs.rules`) need about every vendor in a fixed number
of queries — one per kind of fact, whatever the number of vendors — through the feature
apps' selectors.

Vendor users never see warning signs, not even about their own vendor: a sign is our
reading of the relationship (with our dismissal reasons), meant to prepare our side of a
conversation; shown to the vendor it would become a score to manage instead of a prompt
to talk. `vendors.access` scopes internal people as for every record.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from governance import selectors as governance
from healthchecks import selectors as healthchecks
from scorecards import selectors as scorecards
from signs import rules
from signs.models import Sign, Thresholds
from sla import selectors as sla
from vendors import access
from vendors import selectors as vendors
from vendors.access import Action
from vendors.choices import ContactRole
from vendors.models import Vendor

BAD_EVALUATIONS = ("breached", "at_risk")
BAD_ACTUALS = ("amber", "red")
UPHELD = ("accepted", "upheld")


def may_see_signs(user) -> bool:
    return bool(user and user.is_authenticated and not user.is_vendor_user)


def signs_open(user, vendor: Vendor | None = None) -> QuerySet[Sign]:
    """The open signs, not dismissed, of the vendors `user` sees (or of `vendor`)."""
    if not may_see_signs(user):
        return Sign.objects.none()
    rows = access.restrict(Sign.objects.shown(), user, Action.VIEW).filter(
        vendor__archived_at__isnull=True)
    if vendor is not None:
        rows = rows.filter(vendor=vendor)
    return rows.select_related("vendor")


def signs_of_page_vendor(user, vendor: Vendor) -> list[Sign]:
    """`signs_open(user, vendor)` as a list, read once per vendor object and user: the
    vendor page's header (its count) and its Overview tab's vendor 360 (the signs) are
    separate template tags of one request that share the page's vendor object (which lives
    for one request), so the second reuses the first's query."""
    cached = vendor.__dict__.get("_open_signs")
    if cached is None or cached[0] != user.pk:
        cached = vendor.__dict__["_open_signs"] = (user.pk, list(signs_open(user, vendor)))
    return cached[1]


def signs_count(user, vendor: Vendor) -> int:
    return len(signs_of_page_vendor(user, vendor))


def signs_of_vendor(user, vendor: Vendor) -> list[Sign]:
    """The vendor's tab: every open sign, dismissed ones too (shown apart)."""
    if not may_see_signs(user):
        return []
    return list(access.restrict(Sign.objects.open(), user, Action.VIEW)
                .filter(vendor=vendor).select_related("dismissed_by"))


def cleared_signs(user, vendor: Vendor, *, limit: int = 10) -> list[Sign]:
    if not may_see_signs(user):
        return []
    return list(access.restrict(Sign.objects.filter(cleared_at__isnull=False), user,
                                Action.VIEW).filter(vendor=vendor).order_by("-cleared_at")[:limit])


def portfolio(user) -> QuerySet[Sign]:
    """The portfolio page: every open sign the user sees, dismissed ones included (the
    filter hides them by default)."""
    if not may_see_signs(user):
        return Sign.objects.none()
    return (access.restrict(Sign.objects.open(), user, Action.VIEW)
            .filter(vendor__archived_at__isnull=True).select_related("vendor"))


def sign_get(user, vendor: Vendor, pk) -> Sign:
    if not may_see_signs(user):
        raise Http404("No such warning sign.")
    return get_object_or_404(access.restrict(Sign.objects.open(), user, Action.VIEW),
                             vendor=vendor, pk=pk)


def thresholds() -> Thresholds:
    """The portfolio's thresholds; the defaults (unsaved) until a vendor manager sets them."""
    return Thresholds.objects.filter(pk=1).first() or Thresholds(pk=1)


# -- the facts of every vendor, for the periodic job ---------------------------------------------


@dataclass(frozen=True)
class Windows:
    today: date
    recent_start: date
    baseline_start: date
    lookback_start: date

    @classmethod
    def of(cls, today: date, limits: rules.Limits) -> "Windows":
        recent = today - timedelta(days=limits.recent_days)
        return cls(today, recent, recent - timedelta(days=limits.baseline_days),
                   today - timedelta(days=limits.lookback_days))

    @staticmethod
    def moment(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min))


def _url(name: str, slug: str, **kwargs) -> str:
    return reverse(name, kwargs={"slug": slug, **kwargs})


def facts_for(vendor_list: list[Vendor], today: date, limits: rules.Limits
              ) -> dict[int, rules.Facts]:
    """What the rules need about each vendor, in a fixed number of queries."""
    w = Windows.of(today, limits)
    ids = [v.pk for v in vendor_list]
    slug = {v.pk: v.slug for v in vendor_list}
    facts = {v.pk: rules.Facts(vendor_id=v.pk, links={
        "reviews": _url("governance:vendor", v.slug),
        "suggestions": _url("governance:items", v.slug) + "#suggestions",
        "people": _url("vendors:people", v.slug)}) for v in vendor_list}
    recent_at, baseline_at, lookback_at = (w.moment(w.recent_start), w.moment(w.baseline_start),
                                           w.moment(w.lookback_start))
    now_at = w.moment(today + timedelta(days=1))

    # keeps missing the point
    for e in sla.latest_windows(ids, count=limits.of_last_windows):
        facts[e.vendor_id].windows.append(rules.Window(
            series=f"{e.service_level.name} ({e.sla.reference})", label=e.label,
            breached=e.status == "breached" and not e.excused,
            url=_url("sla:evaluation", slug[e.vendor_id], pk=e.pk)))
    for a in sla.corrective_actions_rejected(ids, since=w.lookback_start):
        facts[a.vendor_id].rejected_actions.append(rules.Dated(
            a.closed_on, a.title, _url("sla:corrective_action", slug[a.vendor_id], pk=a.pk)))
    for i in governance.impediments_since(ids, since=w.lookback_start):
        facts[i.vendor_id].impediments.append(rules.Impediment(
            i.kind, i.get_kind_display(), i.title, i.raised_on, i.resolved_on,
            _url("governance:impediment", slug[i.vendor_id], pk=i.pk)))

    # interest dropped
    roles = dict(ContactRole.choices)
    for row in governance.vendor_side_attendance(
            ids, windows={"recent": (recent_at, now_at), "baseline": (baseline_at, recent_at)}):
        one = facts[row["vendor_id"]]
        for key in ("recent", "baseline"):
            present, recorded = one.attendance.get(key, (0, 0))
            one.attendance[key] = (present + row[key][0], recorded + row[key][1])
        one.attendance_by_person[f"{row['name']} ({roles.get(row['role'], row['role'])})"] = {
            key: row[key] for key in ("recent", "baseline")}
    for vid, counts in governance.vendor_suggestion_counts(
            ids, windows={"recent": (w.recent_start, today + timedelta(days=1)),
                          "baseline": (w.baseline_start, w.recent_start)}).items():
        facts[vid].suggestions = counts
    for c in vendors.staffing_requests_answered(ids, resolved_since=w.baseline_start):
        key = "recent" if c.resolved_on >= w.recent_start else "baseline"
        facts[c.vendor_id].answer_days.setdefault(key, []).append(
            (c.resolved_on - c.requested_on).days)

    # resources not replaced
    for c in vendors.staffing_requests_waiting(
            ids, requested_on_or_before=today - timedelta(days=limits.staffing_open_days + 1)):
        facts[c.vendor_id].staffing_waiting.append(rules.Dated(
            c.requested_on, f"{c}", _url("vendors:people", slug[c.vendor_id])
            + "#staffing"))
    for s in vendors.staff_who_left(ids, since=w.lookback_start, today=today):
        facts[s.vendor_id].people_left.append(rules.Dated(
            s.ended_on, f"{s.name} ({s.role}) left the team",
            _url("vendors:people", slug[s.vendor_id]) + "#staff"))
    for c in vendors.contacts_archived(ids, since=lookback_at):
        facts[c.vendor_id].people_left.append(rules.Dated(
            timezone.localtime(c.archived_at).date(),
            f"{c.name} ({c.get_role_display()}) removed from the contacts",
            _url("vendors:people", slug[c.vendor_id]) + "#contacts"))
    for f in facts.values():
        f.people_left.sort(key=lambda r: r.day)

    # only good news
    for a in scorecards.actuals_with_both_values(
            ids, ended_since=today - timedelta(days=limits.lookback_days)):
        m = a.measure
        sign = 1 if a.direction == "higher" else -1
        advantage = float((a.vendor_value - a.internal_value) * sign)
        facts[a.vendor_id].gaps.append(rules.Gap(
            measure=m.name, period=a.period.label,
            reported_better=a.reported_better_than_measured, advantage=round(advantage, 4),
            text=(f"{m.name} · {a.period.label}: the vendor reported {_num(a.vendor_value)}"
                  f" {m.unit} ({a.vendor_rag.label.lower()}), we measured "
                  f"{_num(a.internal_value)} {m.unit} ({a.rag.label.lower()})"),
            url=_url("scorecards:measure", slug[a.vendor_id], pk=m.pk)
            + f"?period={a.period.label}"))
    for d in sla.disputes_raised(ids, since=lookback_at):
        e = d.evaluation
        bad = e.status in BAD_EVALUATIONS or d.status in UPHELD
        facts[d.vendor_id].disputes.append(rules.DisputeFact(
            bad, f"SLA dispute of {e.service_level.name} · {e.label} "
                 f"({e.get_status_display().lower()}), raised "
                 f"{rules.day_label(timezone.localtime(d.raised_at).date())}",
            _url("sla:evaluation", slug[d.vendor_id], pk=e.pk)))
    for d in scorecards.disputes_raised(ids, since=lookback_at):
        a = d.actual
        bad = a.rag.value in BAD_ACTUALS or d.status in UPHELD
        facts[d.vendor_id].disputes.append(rules.DisputeFact(
            bad, f"Scorecard dispute of {a.measure.name} · {a.period.label} "
                 f"({a.rag.label.lower()}), raised "
                 f"{rules.day_label(timezone.localtime(d.raised_at).date())}",
            _url("scorecards:measure", slug[d.vendor_id], pk=a.measure_id)
            + f"?period={a.period.label}"))

    # governance slipping
    for m in governance.reviews_between(ids, first=w.moment(min(w.recent_start,
                                                                 w.lookback_start)),
                                        last=w.moment(today)):
        day = timezone.localtime(m.starts_at).date()
        url = _url("governance:meeting", slug[m.vendor_id], meeting=m.pk)
        if m.status == "cancelled" and day >= w.recent_start:
            facts[m.vendor_id].cancelled_reviews.append(rules.Dated(day, m.title, url))
        elif m.status == "scheduled":
            facts[m.vendor_id].unheld_reviews.append(rules.Dated(day, m.title, url))
    for vid, due in healthchecks.overdue_by_vendor(vendor_list, today=today).items():
        facts[vid].health_check_due = rules.Dated(due, "Health check",
                                                  _url("healthchecks:vendor", slug[vid]))
    for s in sla.slas_review_overdue(ids, today=today):
        facts[s.vendor_id].sla_reviews_due.append(rules.Dated(
            s.review_due_on, f"SLA {s.reference} · {s.name}",
            _url("sla:sla_detail", slug[s.vendor_id], pk=s.pk)))
    for a in governance.action_items_carried_over(ids, more_than=limits.carried_over_times):
        facts[a.vendor_id].carried_items.append(rules.Dated(
            a.due_on, a.title, _url("governance:action_item_update", slug[a.vendor_id],
                                    pk=a.pk), count=a.carried))
    return facts


def _num(value) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def grouped(signs) -> dict[int, list[Sign]]:
    """{vendor id: its signs, in the order given} (no query beyond the one of `signs`)."""
    by_vendor = defaultdict(list)
    for s in signs:
        by_vendor[s.vendor_id].append(s)
    return by_vendor
