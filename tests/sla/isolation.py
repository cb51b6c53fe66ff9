"""The SLA part of the isolation table (tests/test_isolation.py): every SLA page and API
route, aimed at vendor B's records, must give Alice (vendor A) nothing of B."""

import datetime

from sla import models
from sla.choices import EvaluationStatus
from tests.sla.factories import CalendarFactory, ServiceLevelFactory, SLAFactory, VersionFactory


def records(vendor, tag) -> dict:
    calendar = CalendarFactory(vendor=vendor, name=f"{tag} hours", holidays=f"2025-12-25 {tag}")
    sla = SLAFactory(vendor=vendor, reference=f"{tag}-SLA", name=f"{tag} agreement",
                     description=tag)
    version = VersionFactory(sla=sla, summary=f"{tag} terms")
    sl = ServiceLevelFactory(version=version, key=f"{tag.lower()}-level", name=f"{tag} level",
                             measured=f"{tag} uptime")
    start = datetime.date(2025, 3, 1)
    measurement = models.Measurement.objects.create(
        vendor=vendor, service_level=sl, window_start=start,
        window_end=datetime.date(2025, 3, 31), value=98, source="api", note=f"{tag} note",
        external_id=f"{tag}-1")
    action = models.CorrectiveAction.objects.create(
        vendor=vendor, sla=sla, title=f"{tag} breach", description=f"{tag} what happened",
        due_on=datetime.date(2025, 5, 1))
    evaluation = models.Evaluation.objects.create(
        vendor=vendor, sla=sla, service_level=sl, window_start=start,
        window_end=datetime.date(2025, 3, 31), status=EvaluationStatus.BREACHED, value=98,
        measurement=measurement, corrective_action=action)
    dispute = models.Dispute.objects.create(vendor=vendor, evaluation=evaluation,
                                            reason=f"{tag} reason")
    csv_import = models.MeasurementImport.objects.create(
        vendor=vendor, filename=f"{tag}.csv", content=f"sla,service_level\n{tag},x\n",
        row_count=1)
    return {"sla_calendar": calendar, "sla": sla, "sla_version": version, "sla_level": sl,
            "sla_measurement": measurement, "sla_action": action, "sla_evaluation": evaluation,
            "sla_dispute": dispute, "sla_import": csv_import}


def slug(w):
    return [{"slug": w.b.slug}]


def with_pk(kind):
    return lambda w: [{"slug": w.b.slug, "pk": w.b_records[kind].pk}]


def version(w):
    v = w.b_records["sla_version"]
    return [{"slug": w.b.slug, "pk": v.sla_id, "number": v.number}]


def api(kind):
    return lambda w: [{"pk": w.b_records[kind].pk}]


def none(w):
    return [{}]


ROUTES = {
    "sla:portfolio": ("open", none),
    "sla:vendor": ("b", slug),
    "sla:sla_create": ("b", slug),
    "sla:sla_detail": ("b", with_pk("sla")),
    "sla:sla_update": ("b", with_pk("sla")),
    "sla:sla_archive": ("b", with_pk("sla")),
    "sla:sla_restore": ("b", with_pk("sla")),
    "sla:review_create": ("b", with_pk("sla")),
    "sla:version_draft": ("b", with_pk("sla")),
    "sla:version_update": ("b", version),
    "sla:version_review": ("b", version),
    "sla:version_effective": ("b", version),
    "sla:service_level_create": ("b", version),
    "sla:service_level": ("b", with_pk("sla_level")),
    "sla:service_level_update": ("b", with_pk("sla_level")),
    "sla:service_level_remove": ("b", with_pk("sla_level")),
    "sla:measurement_create": ("b", slug),
    "sla:import": ("b", slug),
    "sla:import_template": ("b", slug),
    "sla:import_preview": ("b", with_pk("sla_import")),
    "sla:evaluation": ("b", with_pk("sla_evaluation")),
    "sla:dispute_create": ("b", with_pk("sla_evaluation")),
    "sla:dispute_decide": ("b", with_pk("sla_dispute")),
    "sla:corrective_actions": ("b", slug),
    "sla:corrective_action": ("b", with_pk("sla_action")),
    "sla:report": ("b", slug),
    "sla:report_print": ("b", slug),
    "sla:calendar_create": ("b", slug),
    "sla:calendar": ("b", with_pk("sla_calendar")),
    "sla:calendar_update": ("b", with_pk("sla_calendar")),
    "sla-list": ("open", none),
    "sla-detail": ("b", api("sla")),
    "sla-service-level-list": ("open", none),
    "sla-service-level-detail": ("b", api("sla_level")),
    "sla-measurement-list": ("open", none),
    "sla-measurement-detail": ("b", api("sla_measurement")),
    "sla-measurement-bulk": ("open", none),
    "sla-evaluation-list": ("open", none),
    "sla-evaluation-detail": ("b", api("sla_evaluation")),
    "sla-evaluation-dispute": ("b", api("sla_evaluation")),
    "sla-dispute-list": ("open", none),
    "sla-dispute-detail": ("b", api("sla_dispute")),
    "sla-dispute-decide": ("b", api("sla_dispute")),
    "sla-corrective-action-list": ("open", none),
    "sla-corrective-action-detail": ("b", api("sla_action")),
    "sla-corrective-action-progress": ("b", api("sla_action")),
    "sla-calendar-list": ("open", none),
    "sla-calendar-detail": ("b", api("sla_calendar")),
}
