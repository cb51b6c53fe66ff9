"""The health-check review's agenda section (registered with `governance.agenda.provide`):
results by dimension, the perception gaps largest first, the findings and the proposed
principle revisions of the cycle the meeting reviews. A fixed number of queries."""

from django.urls import reverse

from governance.agenda import AgendaContext, entry, section
from healthchecks import selectors
from healthchecks.choices import Dimension, RevisionStatus
from healthchecks.models import Cycle

LABELS = dict(Dimension.choices)


def _cycle_of(ctx: AgendaContext) -> Cycle | None:
    return (Cycle.objects.filter(review_meeting=ctx.meeting).first()
            or Cycle.objects.open().filter(vendor=ctx.vendor).first())


def health_check_review(ctx: AgendaContext) -> dict:
    cycle = _cycle_of(ctx)
    if cycle is None:
        return section("health_check_review", "Health check", [],
                       empty="No health check is under way for this vendor.")
    url = reverse("healthchecks:cycle", args=[ctx.vendor.slug, cycle.pk])
    results = selectors.results(cycle)
    entries = []
    for d in results.dimensions:
        if d.overall.shown:
            change = f" · {d.change:+.2f} since last time" if d.change is not None else ""
            entries.append(entry(f"{LABELS[d.dimension]}: {d.overall.mean:.2f} of 5",
                                 url=url + "#results",
                                 detail=f"{d.overall.n} respondents, spread ±"
                                        f"{d.overall.stdev:.2f}{change}"))
    for gap in results.gaps[:3]:
        entries.append(entry(f"Perception gap on {LABELS[gap.dimension].lower()}: "
                             f"{gap.size:.2f}", url=url + "#gaps",
                             detail=f"Our view {gap.ours:.2f}, the vendor's {gap.vendor:.2f}",
                             flag="Largest gap" if gap is results.gaps[0] else ""))
    for f in cycle.findings.active():
        entries.append(entry(f"Finding: {f.text}", url=url + "#findings",
                             status=f"hc_{f.severity}", status_label=f.get_severity_display(),
                             detail=f"Concerns {f.get_concerns_display().lower()}"))
    for r in cycle.revisions.filter(status=RevisionStatus.PROPOSED).select_related("principle"):
        entries.append(entry(f"Proposed principle revision: {r.title or r.principle}",
                             url=url + "#revisions", detail=r.get_kind_display()))
    return section("health_check_review",
                   f"Health check of {cycle.due_on:%B %Y}: results, gaps, findings, "
                   f"revisions", entries,
                   empty="No results yet: nobody has submitted answers.",
                   how="Mean score (1–5) per dimension over every respondent who submitted; "
                       "groups with fewer than 3 answers are not shown separately. A "
                       "perception gap is our people's mean minus the vendor's.")
