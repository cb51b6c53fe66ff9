"""Evaluating closed windows: part of the services (writes), kept in its own module because
it works on sets. Whatever the number of vendors, service levels and windows, a run costs a
fixed number of queries (inserts are batched by the database driver).

* Each closed window of each service level in force gets one `Evaluation` (a unique key on
  service level and window), from the newest measurement for that window, or "no data".
* When newer data arrives for an evaluated window, the evaluation is redone.
* A breach opens a corrective action, or joins the open one of the same service level when
  the window right before was breached too.

Safe to run twice, or twice at once: the unique key lets only one run insert a window's
evaluation (the other run's transaction fails and changes nothing), and rows being redone
are locked first.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from sla import rules
from sla.choices import (
    CORRECTIVE_ACTION_OPEN,
    VERSIONS_IN_FORCE,
    CorrectiveActionStatus,
    EvaluationStatus,
)
from sla.models import CorrectiveAction, Evaluation, Measurement, ServiceLevel

CORRECTIVE_ACTION_DUE_DAYS = 30
# Measurements this recent are looked at again by the periodic run, in case an evaluation
# was not redone when they arrived (the API leaves that to the background).
RECENT_DATA = timedelta(days=2)


@dataclass
class EvaluationResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    corrective_actions_opened: int = 0
    breaches_linked: int = 0
    skipped: bool = False  # another run was evaluating the same windows

    def __str__(self):
        if self.skipped:
            return "Skipped: another run was evaluating the same windows."
        return (f"{self.created} windows evaluated, {self.updated} re-evaluated, "
                f"{self.corrective_actions_opened} corrective actions opened, "
                f"{self.breaches_linked} breaches joined an open one.")


def service_levels_in_force():
    return ServiceLevel.objects.filter(
        version__status__in=VERSIONS_IN_FORCE, version__sla__archived_at__isnull=True
    ).select_related("version__sla")


@transaction.atomic
def evaluate_windows(keys: Iterable[tuple[int, date]], *, today: date | None = None,
                     by=None, reason: str = "") -> EvaluationResult:
    """Evaluate (or redo) the windows `keys` = {(service level id, window start)}; windows
    not closed yet, or not governed by that service level's version, are left alone."""
    keys = set(keys)
    levels = {sl.pk: sl for sl in service_levels_in_force().filter(
        pk__in={sl_id for sl_id, _ in keys})} if keys else {}
    return _evaluate(levels, keys, today=today or timezone.localdate(), by=by, reason=reason)


def evaluations_refresh(*, today: date | None = None) -> EvaluationResult:
    """The periodic job: every window closed since the last run, and windows whose data
    changed recently. Safe to run twice."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            levels = {sl.pk: sl for sl in service_levels_in_force()}
            keys, cursors = set(), {}
            for sl in levels.values():
                version = sl.version
                last = today - timedelta(days=1)
                if version.effective_until is not None:
                    last = min(last, version.effective_until)
                first = version.effective_from
                if sl.evaluated_through is not None:
                    first = max(first, sl.evaluated_through + timedelta(days=1))
                if first > last:
                    continue
                keys.update((sl.pk, s) for s in rules.windows_ending_between(sl.window, first,
                                                                             last))
                cursors[sl.pk] = last
            since = timezone.now() - RECENT_DATA
            keys.update(key for key in Measurement.objects.filter(
                submitted_at__gte=since, service_level__in=list(levels)).values_list(
                "service_level_id", "window_start").distinct() if key[0] in levels)
            result = _evaluate(levels, keys, today=today, by=None, reason="Window closed")
            by_day = defaultdict(list)
            for sl_id, day in cursors.items():
                by_day[day].append(sl_id)
            for day, ids in by_day.items():
                ServiceLevel.objects.filter(pk__in=ids).update(evaluated_through=day)
            return result
    except IntegrityError:
        # Another run inserted the same windows first; its work stands.
        return EvaluationResult(skipped=True)


def _evaluate(levels: dict[int, ServiceLevel], keys: set, *, today: date, by,
              reason: str) -> EvaluationResult:
    result = EvaluationResult()
    wanted = {}
    for sl_id, start in keys:
        sl = levels.get(sl_id)
        if sl is None:
            continue
        end = rules.window_end(sl.window, start)
        if end < today and sl.version.governs(end) and rules.is_window_start(sl.window, start):
            wanted[(sl_id, start)] = end
    if not wanted:
        return result
    first, last = min(s for _, s in wanted), max(s for _, s in wanted)
    sl_ids = sorted({sl_id for sl_id, _ in wanted})

    existing = {(e.service_level_id, e.window_start): e for e in Evaluation.objects
                .select_for_update().filter(service_level_id__in=sl_ids,
                                            window_start__range=(first, last))}
    newest = (Measurement.objects.filter(service_level_id__in=sl_ids,
                                         window_start__range=(first, last))
              .values("service_level_id", "window_start").annotate(newest=Max("id"))
              .values("newest"))
    latest = {(sl_id, start): (pk, value) for pk, sl_id, start, value in
              Measurement.objects.filter(pk__in=newest).values_list(
                  "pk", "service_level_id", "window_start", "value")}

    now = timezone.now()
    new, changed = [], []
    for key, end in sorted(wanted.items(), key=lambda item: item[0][1]):
        sl = levels[key[0]]
        measurement_id, value = latest.get(key, (None, None))
        status = rules.classify(value, sl.terms)
        evaluation = existing.get(key)
        if evaluation is None:
            new.append(Evaluation(vendor_id=sl.version.sla.vendor_id, sla_id=sl.version.sla_id,
                                  service_level=sl, window_start=key[1], window_end=end,
                                  status=status, value=value, measurement_id=measurement_id,
                                  evaluated_at=now))
        elif evaluation.measurement_id != measurement_id:
            evaluation.status, evaluation.value = status, value
            evaluation.measurement_id, evaluation.evaluated_at = measurement_id, now
            changed.append(evaluation)
        else:
            result.unchanged += 1

    _handle_breaches(new + changed, levels, today=today, result=result, by=by)

    Evaluation.objects.bulk_create(new)
    Evaluation.history.bulk_history_create(new, default_user=by,
                                           default_change_reason=reason or "Evaluated")
    if changed:
        Evaluation.objects.bulk_update(changed, ["status", "value", "measurement",
                                                 "evaluated_at", "corrective_action"])
        Evaluation.history.bulk_history_create(
            changed, update=True, default_user=by,
            default_change_reason=reason or "Re-evaluated with newer data")
    result.created, result.updated = len(new), len(changed)
    return result


def _handle_breaches(evaluations: list[Evaluation], levels: dict[int, ServiceLevel], *,
                     today: date, result: EvaluationResult, by) -> None:
    """Open a corrective action for each new breach, or join the open action of the same
    service level when its window right before was breached too."""
    breaches = sorted((e for e in evaluations if e.status == EvaluationStatus.BREACHED
                       and not e.excused and e.corrective_action_id is None),
                      key=lambda e: e.window_start)
    if not breaches:
        return

    def previous_key(e):
        sl = levels[e.service_level_id]
        return (e.sla_id, sl.key, rules.previous_window(sl.window, e.window_start))

    wanted = {previous_key(e) for e in breaches}
    earlier = {}
    for sla_id, key, start, action_id in (Evaluation.objects.filter(
            sla_id__in={w[0] for w in wanted}, window_start__in={w[2] for w in wanted},
            status=EvaluationStatus.BREACHED, excused=False,
            corrective_action__status__in=CORRECTIVE_ACTION_OPEN).values_list(
            "sla_id", "service_level__key", "window_start", "corrective_action_id")):
        if (sla_id, key, start) in wanted:
            earlier[(sla_id, key, start)] = action_id

    planned: dict[tuple, CorrectiveAction] = {}  # (sla, key, window start) -> action
    opened: list[CorrectiveAction] = []
    links: list[tuple[Evaluation, object]] = []
    for e in breaches:
        sl = levels[e.service_level_id]
        before = previous_key(e)
        target = planned.get(before) or earlier.get(before)
        if target is None:
            target = _new_corrective_action(e, sl, today)
            opened.append(target)
        else:
            result.breaches_linked += 1
        planned[(e.sla_id, sl.key, e.window_start)] = target
        links.append((e, target))

    CorrectiveAction.objects.bulk_create(opened)
    CorrectiveAction.history.bulk_history_create(
        opened, default_user=by, default_change_reason="Opened automatically for a breach")
    for evaluation, target in links:
        evaluation.corrective_action_id = target if isinstance(target, int) else target.pk
    result.corrective_actions_opened = len(opened)


def _new_corrective_action(e: Evaluation, sl: ServiceLevel, today: date) -> CorrectiveAction:
    sla = sl.version.sla
    label = rules.window_label(sl.window, e.window_start)
    return CorrectiveAction(
        vendor_id=sla.vendor_id, sla_id=sla.pk, owner_id=sla.owner_id,
        title=f"{sl.name} breached in {label}"[:200],
        description=(f"{sl.name} was breached in {label}: "
                     f"{rules.explain(e.value, sl.terms)} Rule: {sl.rule} Opened "
                     "automatically when the window was evaluated; say what will be done, "
                     "find the root cause and who was responsible."),
        due_on=today + timedelta(days=CORRECTIVE_ACTION_DUE_DAYS),
        status=CorrectiveActionStatus.OPEN, opened_on=today)
