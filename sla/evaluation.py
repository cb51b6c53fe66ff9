"""Evaluating closed windows: part of the services (writes), kept in its own module because
it works on sets. Whatever the number of vendors, service levels and windows, a run costs a
fixed number of queries (inserts are batched by the database driver).

* Each closed window of each service level in force gets one `Evaluation` (a unique key on
  service level and window), from the newest measurement for that window, or "no data".
* Which windows have data still to evaluate is durable: every new measurement carries
  `needs_evaluation`, written with it, and only the evaluation that read that row clears
  it. However long the worker is away, the next run evaluates everything that came in.
* A breach opens a corrective action, or joins the open one of the same service level when
  the window right before was breached too. When a re-evaluation (a correction, an accepted
  dispute) turns a breach into anything else, the action it opened is withdrawn, or only
  unlinked from that window while other breaches still hold it open; the reason is in its
  history.

Safe to run twice, or twice at once, from any path (the hourly run, the measurement form,
a CSV commit, a dispute decision): the evaluations of the windows being redone are locked
in one order (service level, window), so two evaluators of the same window take turns and
never deadlock, and only those windows are locked (a late value for one window waits for
nobody evaluating another). A window evaluated for the first time has no row to lock: the
unique key lets one evaluator insert it, and the other, whose insert waited for that
commit and then failed, rolls back to its savepoint and evaluates again, now seeing and
locking the row the first one wrote.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Max
from django.utils import timezone

from sla import compliance, rules
from sla.choices import (
    CORRECTIVE_ACTION_OPEN,
    VERSIONS_IN_FORCE,
    CorrectiveActionStatus,
    EvaluationStatus,
)
from sla.models import CorrectiveAction, Evaluation, Measurement, ServiceLevel
from vendorgov.history import stamp

CORRECTIVE_ACTION_DUE_DAYS = 30
# How often an evaluation that lost a race with another evaluator of the same windows is
# tried again; each retry sees the winner's committed rows, so one retry is usually enough.
ATTEMPTS = 4
# PostgreSQL's "deadlock detected" and "could not serialize": a retry resolves both.
_RETRYABLE_PGCODES = {"40P01", "40001"}
_CHUNK = 20_000  # ids per statement (SQLite caps the parameters of one statement)


@dataclass
class EvaluationResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    corrective_actions_opened: int = 0
    breaches_linked: int = 0
    corrective_actions_withdrawn: int = 0
    skipped: bool = False  # another run was evaluating the same windows

    def __str__(self):
        if self.skipped:
            return "Skipped: another run was evaluating the same windows."
        return (f"{self.created} windows evaluated, {self.updated} re-evaluated, "
                f"{self.corrective_actions_opened} corrective actions opened, "
                f"{self.breaches_linked} breaches joined an open one, "
                f"{self.corrective_actions_withdrawn} withdrawn.")


def service_levels_in_force():
    return ServiceLevel.objects.filter(
        version__status__in=VERSIONS_IN_FORCE, version__sla__archived_at__isnull=True
    ).select_related("version__sla")


def _lost_race(error: Exception) -> bool:
    """Did a concurrent evaluator of the same windows win (it inserted a window first, or the
    database broke a deadlock between the two)? Anything else is a real error."""
    if isinstance(error, IntegrityError):
        return True
    code = getattr(getattr(error, "__cause__", None), "pgcode", None)
    return code in _RETRYABLE_PGCODES


def _retrying(work):
    """Run `work()` in a savepoint, again when it lost a race to another evaluator: the
    savepoint undoes only this attempt, so the caller's transaction (a page's measurement,
    a dispute decision) goes on and the user's data is kept."""
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return work()
        except (IntegrityError, OperationalError) as error:
            if attempt == ATTEMPTS - 1 or not _lost_race(error):
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def evaluate_windows(keys: Iterable[tuple[int, date]], *, today: date | None = None,
                     by=None, reason: str = "") -> EvaluationResult:
    """Evaluate (or redo) the windows `keys` = {(service level id, window start)}; windows
    not closed yet, or not governed by that service level's version, are left alone."""
    keys = set(keys)
    if not keys:
        return EvaluationResult()
    today = today or timezone.localdate()

    def work():
        levels = {sl.pk: sl for sl in service_levels_in_force().filter(
            pk__in={sl_id for sl_id, _ in keys})}
        return _evaluate(levels, keys, today=today, by=by, reason=reason)

    return _retrying(work)


@transaction.atomic
def evaluate_pending(*, service_level_ids: Iterable[int] | None = None,
                     today: date | None = None) -> EvaluationResult:
    """Evaluate every window with data not evaluated yet (of `service_level_ids` only, when
    given): what the API enqueues after storing a batch, and part of the hourly run."""
    today = today or timezone.localdate()
    ids = None if service_level_ids is None else set(service_level_ids)

    def work():
        keys = _pending_keys(ids)
        levels = {sl.pk: sl for sl in service_levels_in_force().filter(
            pk__in={sl_id for sl_id, _ in keys})} if keys else {}
        return _evaluate(levels, keys, today=today, by=None,
                         reason="Re-evaluated with newer data")

    return _retrying(work)


def _pending_keys(service_level_ids: set[int] | None) -> set[tuple[int, date]]:
    pending = Measurement.objects.filter(needs_evaluation=True)
    if service_level_ids is not None:
        pending = pending.filter(service_level_id__in=service_level_ids)
    return set(pending.values_list("service_level_id", "window_start").distinct())


def evaluations_refresh(*, today: date | None = None) -> EvaluationResult:
    """The periodic job: every window closed since the last run, and every window with data
    not evaluated yet, however old (see the module docstring). Safe to run twice."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            def work():
                levels = {sl.pk: sl for sl in service_levels_in_force()}
                keys, cursors = _pending_keys(None), {}
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
                    keys.update((sl.pk, s) for s in rules.windows_ending_between(
                        sl.window, first, last))
                    cursors[sl.pk] = last
                result = _evaluate(levels, keys, today=today, by=None, reason="Window closed")
                by_day = defaultdict(list)
                for sl_id, day in cursors.items():
                    by_day[day].append(sl_id)
                for day, ids in by_day.items():
                    ServiceLevel.objects.filter(pk__in=ids).update(evaluated_through=day)
                return result

            return _retrying(work)
    except IntegrityError:
        # Lost the race to other runs on every attempt; their work stands, and whatever
        # is still pending stays marked for the next run.
        return EvaluationResult(skipped=True)


def _evaluate(levels: dict[int, ServiceLevel], keys: set, *, today: date, by,
              reason: str) -> EvaluationResult:
    result = EvaluationResult()
    wanted, settled = {}, set()
    for sl_id, start in keys:
        sl = levels.get(sl_id)
        if sl is None:
            settled.add((sl_id, start))  # not in force (archived, draft): nothing to evaluate
            continue
        end = rules.window_end(sl.window, start)
        if end >= today:
            continue  # not closed yet: its data stays pending until it is
        settled.add((sl_id, start))
        if sl.version.governs(end) and rules.is_window_start(sl.window, start):
            wanted[(sl_id, start)] = end
    if not settled:
        return result
    sl_ids = sorted({sl_id for sl_id, _ in wanted})
    starts = sorted({start for _, start in wanted})

    # Lock only these windows' rows (the candidates are the ids x starts the keys name), in
    # one order, so two evaluators never hold each other's rows crosswise.
    existing = {(e.service_level_id, e.window_start): e for e in Evaluation.objects
                .select_for_update().filter(service_level_id__in=sl_ids,
                                            window_start__in=starts)
                .order_by("service_level_id", "window_start")} if wanted else {}
    # What is pending is read after the lock and before the values: a measurement that
    # commits later is not cleared here, so the next run evaluates it.
    pending = [pk for pk, sl_id, start in Measurement.objects.filter(
        needs_evaluation=True, service_level_id__in={k[0] for k in settled},
        window_start__in={k[1] for k in settled}).values_list(
        "pk", "service_level_id", "window_start") if (sl_id, start) in settled]
    newest = (Measurement.objects.filter(service_level_id__in=sl_ids, window_start__in=starts)
              .values("service_level_id", "window_start").annotate(newest=Max("id"))
              .values("newest"))
    latest = {(sl_id, start): (pk, value) for pk, sl_id, start, value in
              Measurement.objects.filter(pk__in=newest).values_list(
                  "pk", "service_level_id", "window_start", "value")} if wanted else {}

    now = timezone.now()
    new, changed, released = [], [], []
    for key, end in sorted(wanted.items()):
        sl = levels[key[0]]
        measurement_id, value = latest.get(key, (None, None))
        status = rules.classify(value, sl.terms)
        evaluation = existing.get(key)
        if evaluation is None:
            new.append(Evaluation(vendor_id=sl.version.sla.vendor_id, sla_id=sl.version.sla_id,
                                  service_level=sl, window_start=key[1], window_end=end,
                                  status=status, value=value, measurement_id=measurement_id,
                                  evaluated_at=now, first_evaluated_at=now))
        elif evaluation.measurement_id != measurement_id:
            was_breach = breaches(evaluation)
            evaluation.status, evaluation.value = status, value
            evaluation.measurement_id, evaluation.evaluated_at = measurement_id, now
            changed.append(evaluation)
            if was_breach and not breaches(evaluation) and evaluation.corrective_action_id:
                released.append(evaluation)
        else:
            result.unchanged += 1

    result.corrective_actions_withdrawn = release_corrective_actions(
        released, levels=levels, today=today, by=by, reason=reason or "Re-evaluated")
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
    for offset in range(0, len(pending), _CHUNK):
        Measurement.objects.filter(pk__in=pending[offset:offset + _CHUNK]).update(
            needs_evaluation=False)
    # The months these windows count in, stored again in this transaction (after the
    # evaluations' own row locks, as every writer takes them: see `sla.compliance`).
    compliance.compliance_refresh(compliance.months_of(new + changed))
    result.created, result.updated = len(new), len(changed)
    return result


def breaches(evaluation: Evaluation) -> bool:
    """Does this evaluation count as a breach (one that holds a corrective action open)?"""
    return evaluation.status == EvaluationStatus.BREACHED and not evaluation.excused


def release_corrective_actions(released: list[Evaluation], *, levels=None, today: date,
                               by, reason: str) -> int:
    """`released`: evaluations that held a corrective action for their breach and breach no
    more (re-evaluated as met, at risk or no data, or excused). An open action that no other
    breach holds is closed as withdrawn; one that other breaches still hold is only unlinked
    from these windows. Either way the reason is in the action's history. Actions already
    closed (verified, rejected) keep what people decided. The caller saves the evaluations;
    returns how many actions were withdrawn."""
    if not released:
        return 0
    by_action = defaultdict(list)
    for e in released:
        by_action[e.corrective_action_id].append(e)
    held = set(Evaluation.objects.filter(
        corrective_action_id__in=list(by_action), status=EvaluationStatus.BREACHED,
        excused=False).exclude(pk__in=[e.pk for e in released if e.pk]).values_list(
        "corrective_action_id", flat=True))
    withdrawn = 0
    for action in (CorrectiveAction.objects.select_for_update()
                   .filter(pk__in=list(by_action)).order_by("pk")):
        if action.status not in CORRECTIVE_ACTION_OPEN:
            continue
        evaluations = by_action[action.pk]
        windows = ", ".join(_label(e, levels) for e in evaluations)
        if action.pk in held:
            for e in evaluations:
                e.corrective_action_id = None
            stamp(action, by, f"Unlinked from {windows}: no longer breached; other breaches "
                              f"hold it open ({reason})"[:100])
        else:
            action.status, action.closed_on = CorrectiveActionStatus.WITHDRAWN, today
            note = (f"Withdrawn: {windows} no longer breached ({reason}).")
            action.verification_note = (f"{action.verification_note}\n\n{note}".strip())
            stamp(action, by, note[:100])
            withdrawn += 1
        action.save()
    return withdrawn


def _label(e: Evaluation, levels) -> str:
    sl = (levels or {}).get(e.service_level_id) or e.service_level
    return f"{sl.name} {rules.window_label(sl.window, e.window_start)}"


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
