"""The SLA part of a seeded portfolio (vendors/seed.py): per vendor an SLA made through the
services, in effect from the first day of history, with three weekly and four monthly
service levels; every closed window's measurement as the vendor's system sends it through
the bulk ingest (written by COPY, as `ingest.write` writes a large batch; now and then a
figure never comes), and every closed window evaluated as the hourly job evaluates it
(`_evaluate`: the evaluator's rule and breach handling, set-based for 50 vendors at a time;
breaches open corrective actions, missing figures are "no data"), and their monthly
compliance stored (`sla.compliance`)"""

from datetime import datetime, timedelta
from datetime import time as dtime
from decimal import Decimal as D

from django.db import transaction
from django.utils import timezone

from sla import compliance, evaluation, rules, services
from sla.choices import Comparator, EvaluationStatus, MeasurementSource, Unit, Window
from sla.models import Evaluation, Measurement, ServiceLevel
from vendors.seed import Portfolio, clock, copy_rows, copy_with_history, reserve_ids

#: key, name, unit, comparator, target, breach threshold, window, typical value, spread
LEVELS = [
    ("p1-resolution", "P1 resolution time", Unit.HOURS, Comparator.LTE, "4", "6",
     Window.WEEKLY, 3.2, 1.1),
    ("first-contact", "First-contact resolution", Unit.PERCENT, Comparator.GTE, "70", "60",
     Window.WEEKLY, 74, 5),
    ("changes-ok", "Changes without incident", Unit.PERCENT, Comparator.GTE, "95", "90",
     Window.WEEKLY, 97, 2),
    ("availability", "Service availability", Unit.PERCENT, Comparator.GTE, "99.5", "99",
     Window.MONTHLY, 99.7, 0.25),
    ("backlog", "Open incidents over 30 days", Unit.COUNT, Comparator.LTE, "10", "20",
     Window.MONTHLY, 7, 4),
    ("satisfaction", "User satisfaction", Unit.SCORE, Comparator.GTE, "4", "3.5",
     Window.MONTHLY, 4.2, 0.25),
    ("reports-on-time", "Reports delivered on time", Unit.PERCENT, Comparator.GTE, "98", "95",
     Window.MONTHLY, 99, 1.2),
]

ORDER = 10  # first: scorecards and review agendas read the SLA's evaluations
CHUNK = 50  # vendors evaluated together (about 50,000 windows)


def seed(portfolio: Portfolio) -> None:
    vera = portfolio.people["vera"]
    yesterday = portfolio.today - timedelta(days=1)
    chunk, rows, made = [], [], 0
    for n, vendor in enumerate(portfolio.vendors, start=1):
        line, ops = portfolio.owners[vendor.pk]
        with clock(portfolio.start):
            sla = services.sla_create(
                vendor=vendor, by=vera, contract=vendor.contracts.get(),
                reference=f"SLA-{vendor.slug}", name="Managed service", owner=ops,
                review_interval_months=12, monthly_charge=D(40_000), credit_cap_percent=D(10),
                # reviewed every year on its anniversary: the next review a year from this
                # month's (the one at the start of history would be years overdue)
                review_due_on=rules.add_months(rules.month_start(portfolio.today), 12))
            version = sla.versions.get()
            levels = [services.service_level_create(
                version, by=vera, key=key, name=name, measured=name, unit=unit,
                comparator=comparator, target=D(target), breach_threshold=D(breach),
                window=window, position=position)
                for position, (key, name, unit, comparator, target, breach, window, _, _)
                in enumerate(LEVELS, start=1)]
            services.version_mark_reviewed(version, by=vera)
            services.version_make_effective(version, by=vera, effective_from=portfolio.start)
        rng = portfolio.rng("sla", vendor.slug)
        reporter = portfolio.vendor_users[vendor.pk].pk
        for sl, (*_, typical, spread) in zip(levels, LEVELS, strict=True):
            for start in rules.windows_ending_between(sl.window, portfolio.start, yesterday):
                if rng.random() < 0.01:
                    continue  # now and then a figure never comes: "no data"
                value = max(0.0, rng.gauss(typical, spread))
                if sl.unit == Unit.PERCENT:
                    value = min(100.0, value)
                end = rules.window_end(sl.window, start)
                # As the vendor's system sends it (the API's bulk ingest), the morning
                # after the window closed; evaluated below, so no longer pending.
                rows.append({"vendor_id": vendor.pk, "service_level_id": sl.pk,
                             "window_start": start, "window_end": end,
                             "value": D(str(round(value, 2))),
                             "source": MeasurementSource.API.value,
                             "submitted_by_id": reporter,
                             "submitted_at": timezone.make_aware(
                                 datetime.combine(end + timedelta(days=1), dtime(6, 0))),
                             "note": "", "external_id": f"{sl.key}/{start}",
                             "csv_import_id": None, "needs_evaluation": False})
        made += 3 + len(levels)  # the SLA, its version and its service levels
        chunk.append(levels)
        if len(chunk) == CHUNK or n == len(portfolio.vendors):
            with transaction.atomic():
                made += _measurements(rows)
                made += _evaluate(portfolio, chunk, rows, yesterday)
            portfolio.made(f"SLA measurements and evaluations, {n:,}/{len(portfolio.vendors):,}"
                           " vendors", made)
            chunk, rows, made = [], [], 0


def _measurements(rows: list[dict]) -> int:
    """What `services.measurements_submit` stores for these rows, by the same COPY
    (`ingest.write`); every value is one the ingest's checks accept (a closed window's
    start, the unit's range, two decimals)."""
    for row, pk in zip(rows, reserve_ids(Measurement, len(rows)), strict=True):
        row["id"] = pk
    return copy_rows(Measurement, rows)


def _evaluate(portfolio: Portfolio, chunk: list, measurements: list[dict], through) -> int:
    """Every closed window of these vendors, as the hourly job evaluates them
    (`evaluation.evaluations_refresh`: the windows from the version's first day through
    yesterday, reason "Window closed"), set-based: the newest measurement of each window
    (the seed sends one a window), its verdict from the same rule (`rules.classify`), the breaches'
    corrective actions opened or joined by the evaluator's own `_handle_breaches`, and the
    evaluations with their history rows written by COPY. The job's cursor moves on likewise
    and the measurements read are no longer pending, so its next run starts from today."""
    ids = [sl.pk for levels in chunk for sl in levels]
    levels = {sl.pk: sl for sl in evaluation.service_levels_in_force().filter(pk__in=ids)}
    latest = {}
    for m in measurements:  # in id order: the newest of a window wins
        latest[(m["service_level_id"], m["window_start"])] = (m["id"], m["value"])
    now, today = timezone.now(), portfolio.today
    rows, breaches = [], []
    for sl in sorted(levels.values(), key=lambda sl: sl.pk):
        version, terms = sl.version, sl.terms
        last = through if version.effective_until is None else min(through,
                                                                  version.effective_until)
        for start in rules.windows_ending_between(sl.window, version.effective_from, last):
            end = rules.window_end(sl.window, start)
            if end >= today or not version.governs(end):
                continue
            measurement_id, value = latest.get((sl.pk, start), (None, None))
            row = {"vendor_id": version.sla.vendor_id, "sla_id": version.sla_id,
                   "service_level_id": sl.pk, "window_start": start, "window_end": end,
                   "status": rules.classify(value, terms), "value": value,
                   "measurement_id": measurement_id, "excused": False, "evaluated_at": now,
                   "first_evaluated_at": now, "corrective_action_id": None}
            rows.append(row)
            if row["status"] == EvaluationStatus.BREACHED:
                breaches.append((row, Evaluation(**row)))
    result = evaluation.EvaluationResult()
    evaluation._handle_breaches([e for _, e in breaches], levels, today=today, result=result,
                                by=None)
    for row, e in breaches:
        row["corrective_action_id"] = e.corrective_action_id
    made = copy_with_history(Evaluation, rows, reason="Window closed")
    ServiceLevel.objects.filter(pk__in=ids).update(evaluated_through=through)
    # Their monthly compliance, stored as the evaluator stores it (`sla.compliance`).
    stored = compliance.compliance_refresh({(r["vendor_id"], rules.month_start(r["window_end"]))
                                            for r in rows})
    return made + result.corrective_actions_opened * 2 + stored
