"""Writes to scorecards: templates, a vendor's scorecard, periods, actuals and disputes.

Keyword-only, validated, atomic. Callers check rights with `vendors.access` first; these
enforce the rules of the data itself and raise ValidationError({field: message}) when one
is broken. History (who, when, why) is kept by django-simple-history.
"""

import datetime
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from scorecards import scoring, selectors, sla_feed
from scorecards.choices import (
    AVAILABLE_DATA_SOURCES,
    ENTERED_DATA_SOURCES,
    ActualSource,
    ActualStatus,
    DataSource,
    DisputeOutcome,
    DisputeStatus,
)
from scorecards.models import (
    Actual,
    Dispute,
    Measure,
    Objective,
    Period,
    Perspective,
    Scorecard,
    ScorecardTemplate,
    ScoredPeriod,
    TemplateMeasure,
    TemplateObjective,
    TemplatePerspective,
    period_bounds,
)
from sla import selectors as sla_selectors
from vendorgov import formats
from vendorgov.history import save as _save
from vendorgov.history import stamp as _stamp
from vendors.choices import Side
from vendors.models import Vendor

UNSET = object()
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".csv", ".txt", ".xlsx",
                       ".xls", ".docx", ".doc", ".pptx", ".odt", ".ods", ".zip", ".eml",
                       ".msg"}

# Which kind of part sits under which, for templates and vendor scorecards alike.
TEMPLATE_PARTS = {"perspectives": TemplatePerspective, "objectives": TemplateObjective,
                  "measures": TemplateMeasure}
SCORECARD_PARTS = {"perspectives": Perspective, "objectives": Objective, "measures": Measure}


def _check_data_source(fields: dict) -> None:
    source = fields.get("data_source")
    if source is not None and source not in AVAILABLE_DATA_SOURCES:
        raise ValidationError({"data_source": "Choose a data source from the list."})


def _save_part(part: Model, *, by=None, change_reason: str = "") -> Model:
    """Validate and save a part; a measure's SLA link is checked with the rest of its
    validation, and its errors are reported together with those."""
    link = selectors.sla_link_errors(part) if isinstance(part, Measure) else {}
    if link:
        errors = {}
        try:
            part.full_clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        raise ValidationError(ValidationError(link).update_error_dict(errors))
    return _save(part, by=by, change_reason=change_reason)


# -- templates -------------------------------------------------------------------------------


@transaction.atomic
def template_create(*, by=None, **fields) -> ScorecardTemplate:
    return _save(ScorecardTemplate(**fields), by=by)


@transaction.atomic
def part_create(model: type[Model], *, by=None, **fields) -> Model:
    """A perspective, objective or measure, of a template or of a vendor's scorecard. A
    vendor's part takes its vendor from its parent."""
    _check_data_source(fields)
    part = model(**fields)
    parent = (getattr(part, "scorecard", None) if model is Perspective
              else getattr(part, "perspective", None) if model is Objective
              else getattr(part, "objective", None) if model is Measure else None)
    if parent is not None:
        part.vendor_id = parent.vendor_id
    if model is Measure and part.objective_id and part.objective.is_archived:
        raise ValidationError({"objective": "This objective is retired; restore it first."})
    part = _save_part(part, by=by)
    if model is Measure and part.data_source == DataSource.SLA:
        actuals_derive_from_sla(measure_ids=[part.pk])
    _rescore_part(part)
    return part


@transaction.atomic
def part_update(part: Model, *, by=None, change_reason: str = "", **fields) -> Model:
    _check_data_source(fields)
    if isinstance(part, Measure) and fields.get("data_source", DataSource.SLA) != \
            DataSource.SLA and "service_level" not in fields:
        fields["service_level"] = None  # no longer fed from an SLA: the link goes with it
    for name, value in fields.items():
        setattr(part, name, value)
    part = _save_part(part, by=by, change_reason=change_reason)
    if isinstance(part, Measure):
        _refresh_open_rules(part, by=by)
        if part.data_source == DataSource.SLA:
            actuals_derive_from_sla(measure_ids=[part.pk])
    _rescore_part(part)
    return part


@transaction.atomic
def part_retire(part: Model, *, by=None) -> Model:
    """Retire a part: it keeps its history and past results, takes no new actuals and
    leaves the scores of the periods that end after today. Idempotent."""
    if part.archived_at is None:
        part.archived_at = timezone.now()
        _save(part, by=by, change_reason="Retired")
        _rescore_part(part)
    return part


@transaction.atomic
def part_restore(part: Model, *, by=None) -> Model:
    if part.archived_at is not None:
        part.archived_at = None
        _save(part, by=by, change_reason="Restored")
        _rescore_part(part)
    return part


@transaction.atomic
def template_apply(template: ScorecardTemplate, *, vendor: Vendor, by=None,
                   starts_on: datetime.date | None = None, name: str = "") -> Scorecard:
    """Copy the template's active perspectives, objectives and measures into the vendor's
    own scorecard, and open its periods up to today."""
    if Scorecard.objects.filter(vendor=vendor).exists():
        raise ValidationError({"vendor": f"{vendor} already has a scorecard; change it "
                                         f"there instead."})
    if template.is_archived:
        raise ValidationError({"template": "This template is retired."})
    starts_on = starts_on or timezone.localdate()
    scorecard = _save(Scorecard(vendor=vendor, template=template, period_type=template.period_type,
                                starts_on=starts_on, name=name or f"{vendor} scorecard"), by=by)
    for tp in template.perspectives.active():
        perspective = _save(Perspective(vendor=vendor, scorecard=scorecard, name=tp.name,
                                        description=tp.description, weight=tp.weight,
                                        position=tp.position), by=by)
        for to in tp.objectives.active():
            objective = _save(Objective(vendor=vendor, perspective=perspective, name=to.name,
                                        description=to.description, weight=to.weight,
                                        position=to.position), by=by)
            for tm in to.measures.active():
                _save(Measure(vendor=vendor, objective=objective, template_measure=tm,
                              active_from=starts_on,
                              **{f: getattr(tm, f) for f in MEASURE_FIELDS}), by=by)
    scorecard_periods_ensure(scorecard=scorecard)
    return scorecard


MEASURE_FIELDS = ["name", "definition", "unit", "direction", "target", "amber_threshold",
                  "red_threshold", "min_value", "max_value", "weight", "owner", "data_source",
                  "frequency", "position"]


# -- periods ---------------------------------------------------------------------------------


@transaction.atomic
def scorecard_periods_ensure(*, scorecard: Scorecard,
                             until: datetime.date | None = None) -> list[Period]:
    """Create the scorecard's periods from its first through the one holding `until`
    (today by default). Safe to run twice."""
    until = until or timezone.localdate()
    existing = set(scorecard.periods.values_list("label", flat=True))
    created = []
    day = scorecard.starts_on
    while day <= until:
        label, start, end = period_bounds(scorecard.period_type, day)
        if label not in existing:
            created.append(_save(Period(vendor_id=scorecard.vendor_id, scorecard=scorecard,
                                        label=label, starts_on=start, ends_on=end)))
        day = end + datetime.timedelta(days=1)
    period_scores_refresh(period_ids=[p.pk for p in created])
    return created


@transaction.atomic
def period_lock(period: Period, *, by=None, note: str = "") -> Period:
    """Lock a period once its quarterly review is held. Its actuals' rules are frozen; later
    changes need a reason and stay in the history. Locking twice changes nothing."""
    if period.is_locked:
        return period
    if not period.has_ended:
        raise ValidationError({"period": f"{period} has not ended yet; lock it after its "
                                         f"review."})
    period.locked_at = timezone.now()
    period.locked_by = _person(by)
    period.lock_note = note
    return _save(period, by=by, change_reason=note or "Locked after the quarterly review")


# -- actuals ---------------------------------------------------------------------------------


def _side(by) -> str:
    return Side.VENDOR if getattr(by, "is_vendor_user", False) else Side.OURS


def _fmt(value) -> str:
    return f"{Decimal(value).normalize():f}"


def _check_range(measure: Measure, field: str, value) -> dict:
    if value is None:
        return {}
    low, high = measure.min_value, measure.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        unit = f" {measure.unit}" if measure.unit else ""
        return {field: f"{_fmt(value)} is out of range: {measure.name} takes "
                       f"{measure.range_text}{unit}."}
    return {}


def _check_evidence(upload) -> dict:
    if not upload or not hasattr(upload, "size"):
        return {}
    extension = os.path.splitext(upload.name)[1].lower()
    if extension not in EVIDENCE_EXTENSIONS:
        return {"evidence_file": "Upload a document, spreadsheet, image, PDF or zip file "
                                 f"({', '.join(sorted(EVIDENCE_EXTENSIONS))})."}
    if upload.size > EVIDENCE_MAX_BYTES:
        return {"evidence_file": "The file is larger than 10 MB; link to it instead."}
    return {}


def _comment_needed(actual: Actual) -> dict:
    """An amber or red result needs a comment that explains it."""
    status = actual.rag
    if status in (scoring.Status.AMBER, scoring.Status.RED) and not actual.comment.strip():
        bound = actual.amber_threshold if status == scoring.Status.AMBER else actual.red_threshold
        worse = "below" if actual.direction == "higher" else "above"
        return {"comment": f"{_fmt(actual.value)} is {status.label.lower()} ({worse} the "
                           f"{status.label.lower()} threshold of {_fmt(bound)}): add a "
                           f"comment that explains it."}
    return {}


def _copy_rule(actual: Actual, measure: Measure) -> None:
    actual.direction = measure.direction
    actual.target = measure.target
    actual.amber_threshold = measure.amber_threshold
    actual.red_threshold = measure.red_threshold


def _refresh_open_rules(measure: Measure, *, by=None) -> None:
    """Actuals of periods still open follow the measure's new target and thresholds."""
    for actual in measure.actuals.filter(period__locked_at__isnull=True):
        before = (actual.direction, actual.target, actual.amber_threshold, actual.red_threshold)
        _copy_rule(actual, measure)
        if before != (actual.direction, actual.target, actual.amber_threshold,
                      actual.red_threshold):
            _stamp(actual, by, "The measure's target or thresholds changed")
            actual.save()


def _check_measure_takes_actuals(measure: Measure, period: Period, *, creating: bool) -> dict:
    if measure.is_archived:
        return {"measure": f"'{measure}' was retired on "
                           f"{formats.date(timezone.localdate(measure.archived_at))}; it takes no "
                           f"new actuals."}
    if measure.data_source not in ENTERED_DATA_SOURCES:
        return {"measure": f"'{measure}' is fed from an SLA service level, not entered."}
    if not creating:
        return {}
    if period.vendor_id != measure.vendor_id or period.scorecard_id != \
            measure.objective.perspective.scorecard_id:
        return {"period": "This period belongs to another scorecard."}
    if not measure.counts_in(period):
        return {"period": f"'{measure}' counts from {formats.date(measure.active_from)}, after "
                          f"{period} ended."}
    if not period.has_started:
        return {"period": f"{period} has not started yet."}
    return {}


@transaction.atomic
def actual_record(*, measure: Measure, period: Period, by, vendor_value=UNSET,
                  internal_value=UNSET, comment=UNSET, evidence_url=UNSET,
                  evidence_file=UNSET, reason: str = "", submit: bool = False,
                  create_only: bool = False) -> Actual:
    """Record (create or change) the actual of `measure` for `period`.

    The vendor's people report `vendor_value` and may change only drafts of open periods;
    our people may record both values and correct anything, with a `reason` when the
    period is locked or the actual approved (an approved actual whose value changes goes
    back to 'submitted'). `submit` moves a draft to 'submitted'. With `create_only` an
    existing actual is a conflict (IntegrityError, which the API answers with 409).
    """
    side = _side(by)
    existing = Actual.objects.select_for_update().filter(measure=measure, period=period).first()
    if existing is not None and create_only:
        raise IntegrityError("one_actual_per_measure_and_period")
    actual = existing or Actual(vendor_id=measure.vendor_id, measure=measure, period=period,
                                reported_by=_person(by), reported_side=side)

    changes = {k: v for k, v in {"vendor_value": vendor_value, "internal_value": internal_value,
                                 "comment": comment, "evidence_url": evidence_url,
                                 "evidence_file": evidence_file}.items() if v is not UNSET}
    if "comment" in changes:
        changes["comment"] = (changes["comment"] or "").strip()
    if "evidence_url" in changes:
        changes["evidence_url"] = changes["evidence_url"] or ""
    if not changes.get("evidence_file"):
        changes.pop("evidence_file", None)  # no new upload keeps the file we have
    changed = {k: v for k, v in changes.items() if getattr(actual, k) != v}
    if existing is not None and not changed and not (submit and actual.status ==
                                                     ActualStatus.DRAFT):
        return actual

    errors = _check_measure_takes_actuals(measure, period, creating=existing is None)
    if side == Side.VENDOR and measure.data_source != DataSource.VENDOR and not errors:
        errors["measure"] = (f"We measure '{measure}' ourselves; if you disagree with our "
                             f"value, dispute it.")
    if side == Side.VENDOR:
        if "internal_value" in changed:
            errors["internal_value"] = ("Only we record our own measurement; report yours as "
                                        "vendor_value.")
        if period.is_locked:
            errors["period"] = (f"{period} is locked: its quarterly review was held. Ask your "
                                f"relationship owner to correct it.")
        elif existing is not None and existing.status != ActualStatus.DRAFT:
            errors["status"] = (f"This actual is {existing.get_status_display().lower()}; only "
                                f"drafts can be changed. Ask your relationship owner to send "
                                f"it back.")
    elif existing is not None and changed and not reason.strip() and (
            period.is_locked or existing.status == ActualStatus.APPROVED):
        why = (f"{period} is locked (its review was held)" if period.is_locked
               else "this actual is approved")
        errors["reason"] = f"Say why you change it: {why}. The reason is kept in the history."
    for field in ("vendor_value", "internal_value"):
        if field in changed:
            errors.update(_check_range(measure, field, changed[field]))
    errors.update(_check_evidence(changed.get("evidence_file")))
    if errors:
        raise ValidationError(errors)

    for name, value in changed.items():
        setattr(actual, name, value)
    actual.source = ActualSource.ENTERED  # a derived value corrected by hand is entered now
    if existing is None or not period.is_locked:
        _copy_rule(actual, measure)  # locked periods keep the rule they were reviewed with
    if (existing is not None and existing.status == ActualStatus.APPROVED
            and {"vendor_value", "internal_value"} & set(changed)):
        actual.status = ActualStatus.SUBMITTED
        actual.approved_at = actual.approved_by = None
    if submit and actual.status == ActualStatus.DRAFT:
        _mark_submitted(actual)
    if actual.status != ActualStatus.DRAFT:
        _check_submittable(actual, side)
    actual.updated_at = timezone.now()
    _stamp(actual, by, reason.strip() or ("Submitted" if submit and not changed else ""))
    actual.full_clean()
    actual.save()
    period_scores_refresh(period_ids=[actual.period_id])
    return actual


def _person(by):
    return by if getattr(by, "is_authenticated", False) else None


def _check_submittable(actual: Actual, side: str) -> None:
    if actual.value is None:
        field = "vendor_value" if side == Side.VENDOR else "internal_value"
        raise ValidationError({field: "Enter a value before submitting."})
    errors = _comment_needed(actual)
    if errors:
        raise ValidationError(errors)


def _mark_submitted(actual: Actual) -> None:
    actual.status = ActualStatus.SUBMITTED
    actual.submitted_at = timezone.now()
    actual.sent_back_reason = ""


@transaction.atomic
def actual_submit(actual: Actual, *, by) -> Actual:
    """Draft → submitted: the value is ready for its owner's approval."""
    if actual.status != ActualStatus.DRAFT:
        raise ValidationError({"status": f"This actual is already "
                                         f"{actual.get_status_display().lower()}."})
    if actual.period.is_locked and _side(by) == Side.VENDOR:
        raise ValidationError({"period": f"{actual.period} is locked: its quarterly review "
                                         f"was held."})
    _mark_submitted(actual)
    _check_submittable(actual, _side(by))
    actual.updated_at = timezone.now()
    _stamp(actual, by, "Submitted")
    actual.save()
    period_scores_refresh(period_ids=[actual.period_id])
    return actual


@transaction.atomic
def actual_approve(actual: Actual, *, by) -> Actual:
    """Submitted → approved by its internal owner."""
    if actual.status == ActualStatus.APPROVED:
        raise ValidationError({"status": "This actual is already approved."})
    if actual.status != ActualStatus.SUBMITTED:
        raise ValidationError({"status": "Only submitted actuals can be approved; this one is "
                                         "still a draft."})
    _check_submittable(actual, Side.OURS)
    actual.status = ActualStatus.APPROVED
    actual.approved_at = timezone.now()
    actual.approved_by = _person(by)
    actual.updated_at = actual.approved_at
    _stamp(actual, by, "Approved")
    actual.save()
    period_scores_refresh(period_ids=[actual.period_id])
    return actual


@transaction.atomic
def actual_send_back(actual: Actual, *, by, reason: str) -> Actual:
    """Submitted or approved → draft, with the reason, so the reporter can correct it."""
    if actual.is_derived:
        raise ValidationError({"status": _DERIVED_HINT})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say what needs to change, so the reporter can fix "
                                         "it."})
    if actual.status == ActualStatus.DRAFT:
        raise ValidationError({"status": "This actual is a draft already."})
    if actual.period.is_locked:
        raise ValidationError({"period": f"{actual.period} is locked; correct the value "
                                         f"yourself, with a reason."})
    actual.status = ActualStatus.DRAFT
    actual.sent_back_reason = reason.strip()
    actual.approved_at = actual.approved_by = None
    actual.updated_at = timezone.now()
    _stamp(actual, by, f"Sent back: {reason.strip()}")
    actual.save()
    period_scores_refresh(period_ids=[actual.period_id])
    return actual


# -- disputes --------------------------------------------------------------------------------


@transaction.atomic
def dispute_raise(*, actual: Actual, by, reason: str) -> Dispute:
    """The vendor disputes the value we entered, or an approval. The same dispute sent
    twice at once (two tabs, a double click) opens one: the actual's row is locked and read
    afresh, so the second request waits and then hears a dispute is open already."""
    Actual.objects.select_for_update().filter(pk=actual.pk).values_list("pk").get()
    actual.refresh_from_db()
    if actual.is_derived:
        raise ValidationError({"actual": _DERIVED_HINT})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say what is wrong and what the value should be."})
    if not actual.may_be_disputed:
        raise ValidationError({"actual": "Only a value we measured or an approved actual can "
                                         "be disputed; change your draft instead."})
    if actual.disputes.filter(status=DisputeStatus.OPEN).exists():
        raise ValidationError({"actual": "This actual already has an open dispute."})
    dispute = Dispute(vendor_id=actual.vendor_id, actual=actual, reason=reason.strip(),
                      raised_by=_person(by),
                      raised_at=timezone.now())
    return _save(dispute, by=by)


@transaction.atomic
def dispute_resolve(dispute: Dispute, *, by, outcome: str, resolution: str,
                    corrected_value=None) -> Dispute:
    """Close a dispute: upheld (optionally with the corrected value, which is recorded as
    our measurement with the dispute as its reason) or rejected."""
    if not dispute.is_open:
        raise ValidationError({"status": f"This dispute is already "
                                         f"{dispute.get_status_display().lower()}."})
    if outcome not in DisputeOutcome.values:
        raise ValidationError({"outcome": "Choose upheld or rejected."})
    if not (resolution or "").strip():
        raise ValidationError({"resolution": "Say what was decided and why; it is shown in "
                                             "the quarterly review."})
    if corrected_value is not None and outcome != DisputeOutcome.UPHELD:
        raise ValidationError({"corrected_value": "Only an upheld dispute corrects the "
                                                  "value."})
    if corrected_value is not None:
        actual = dispute.actual
        was_approved = actual.status == ActualStatus.APPROVED
        actual = actual_record(measure=actual.measure, period=actual.period, by=by,
                               internal_value=corrected_value,
                               reason=f"Dispute upheld: {resolution.strip()}")
        if was_approved and actual.status == ActualStatus.SUBMITTED:
            actual_approve(actual, by=by)  # the owner who decided the value approves it
    dispute.status = outcome
    dispute.resolution = resolution.strip()
    dispute.resolved_by = _person(by)
    dispute.resolved_at = timezone.now()
    return _save(dispute, by=by)


# -- actuals derived from SLA evaluations ----------------------------------------------------

_DERIVED_HINT = ("This value is derived from the SLA's evaluations: correct the SLA "
                 "measurement, or dispute the evaluation of the window on the SLA, and it "
                 "follows.")


@dataclass
class DeriveResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    restated: int = 0  # locked actuals whose SLA figure changed (recorded, not applied)
    skipped: bool = False  # another run was deriving the same actuals

    def __str__(self):
        if self.skipped:
            return "Skipped: another run was deriving the same actuals."
        restated = f"{self.restated} restated after lock, " if self.restated else ""
        return (f"{self.created} actuals derived from SLAs, {self.updated} re-derived, "
                f"{restated}{self.unchanged} unchanged.")


def actuals_derive_from_sla(*, measure_ids: Iterable[int] | None = None,
                            vendor: Vendor | None = None,
                            today: datetime.date | None = None,
                            windows: dict[int, set] | None = None) -> DeriveResult:
    """Derive the actual of every measure fed from an SLA (or only `measure_ids`, or only
    `vendor`'s) for every period that has started, from its service level's evaluated
    windows (the rule: `scorecards.sla_feed`), and refresh those whose windows changed.

    Derived actuals are our measurement (`internal_value`), recorded with source "SLA" and
    approved as they come: the evaluation is the verdict, and a wrong one is disputed on
    the SLA. Only what changed is written, with history and a reason; a period without any
    window with data gets no actual (No data, never zero).

    A locked period never changes under its reviewers: its actuals keep the value, comment
    and target they were reviewed with, and no actual is added to it. When the evaluations
    behind a locked, derived actual change (a correction, an accepted dispute), the new
    figure is recorded beside it as "restated after lock" (with history), for the next
    review to take up; it is cleared if the evaluations return to the reviewed figure. A
    value entered by hand in a locked period, before the measure was fed from the SLA,
    stays as it was reviewed.

    Safe to run twice, or twice at once: the unique key on measure and period lets one run
    create an actual; the other's transaction then fails and changes nothing.

    `windows` ({service level id: last days of windows evaluated anew}, from
    `sla.selectors.windows_evaluated_since`) limits the work to the periods holding one of
    them, of the measures fed from those service levels: what the hourly job does between
    its daily full runs. Only those periods' actuals are read and locked."""
    try:
        with transaction.atomic():
            return _derive(measure_ids, vendor, today or timezone.localdate(), touched=windows)
    except IntegrityError:
        return DeriveResult(skipped=True)


def _touches(period: Period, ends) -> bool:
    return any(period.starts_on <= end <= period.ends_on for end in ends)


def _derive(measure_ids, vendor, today: datetime.date, touched=None) -> DeriveResult:
    result = DeriveResult()
    measures = (Measure.objects.filter(data_source=DataSource.SLA, service_level__isnull=False)
                .select_related("objective__perspective"))
    if measure_ids is not None:
        measures = measures.filter(pk__in=list(measure_ids))
    if vendor is not None:
        measures = measures.filter(vendor=vendor)
    if touched is not None:
        measures = measures.filter(service_level_id__in=list(touched))
    measures = list(measures)
    card_of = {m.pk: m.objective.perspective.scorecard_id for m in measures}
    periods = defaultdict(list)
    for p in Period.objects.filter(scorecard_id__in=set(card_of.values()), starts_on__lte=today):
        periods[p.scorecard_id].append(p)
    if touched is not None:  # only the periods holding a window evaluated anew
        ends = defaultdict(set)
        for m in measures:
            ends[card_of[m.pk]] |= touched.get(m.service_level_id, set())
        periods = defaultdict(list, {card: [p for p in ps if _touches(p, ends[card])]
                                     for card, ps in periods.items()})
    every_period = [p for ps in periods.values() for p in ps]
    if not every_period:
        return result
    links = {m.service_level_id for m in measures}
    labels = sla_selectors.feed_labels(links)
    windows = sla_selectors.feed_windows(links, min(p.starts_on for p in every_period),
                                         max(p.ends_on for p in every_period))
    existing = {(a.measure_id, a.period_id): a for a in Actual.objects.select_for_update()
                .filter(measure__in=measures, period__in=every_period)}
    now = timezone.now()
    rescore = set()  # periods whose scored actuals changed
    for m in measures:
        label = labels[m.service_level_id]
        for p in periods[card_of[m.pk]]:
            if touched is not None and not _touches(p, touched.get(m.service_level_id, ())):
                continue
            actual = existing.get((m.pk, p.pk))
            if actual is None and not m.counts_in(p):
                continue
            if p.is_locked and (actual is None or not actual.is_derived):
                continue  # reviewed as it was: nothing is added or re-derived after the lock
            derived = sla_feed.derive(
                [w for w in windows.get(m.service_level_id, [])
                 if p.starts_on <= w.end <= p.ends_on],
                comparator=label.comparator, unit=label.unit, source=str(label))
            if p.is_locked:
                if _restate_after_lock(actual, derived, now):
                    result.restated += 1
                else:
                    result.unchanged += 1
                continue
            if actual is None:
                if derived.value is None:
                    continue
                actual = Actual(vendor_id=m.vendor_id, measure=m, period=p, created_at=now,
                                reported_side=Side.OURS)
                reason = "Derived from the SLA's evaluations"
                result.created += 1
            elif not actual.is_derived:
                reason = "Fed from the SLA from now on: derived from its evaluations"
                result.updated += 1
            elif (actual.internal_value, actual.comment) != (derived.value, derived.comment):
                reason = "Re-derived: the SLA's evaluations changed"
                result.updated += 1
            else:
                result.unchanged += 1
                continue
            actual.measure = m
            _copy_rule(actual, m)
            actual.internal_value, actual.comment = derived.value, derived.comment
            actual.source, actual.sent_back_reason = ActualSource.SLA, ""
            if actual.status != ActualStatus.APPROVED:
                actual.status, actual.approved_at, actual.approved_by = (
                    ActualStatus.APPROVED, now, None)
            actual.updated_at = now
            _stamp(actual, None, reason)
            actual.full_clean(validate_unique=False, validate_constraints=False)
            actual.save()
            rescore.add(p.pk)
    # A restated figure beside a locked actual is not scored: only these periods change.
    period_scores_refresh(period_ids=rescore)
    return result


def _restate_after_lock(actual: Actual, derived, now) -> bool:
    """Record (or clear) the SLA's new figure beside a locked, derived actual; the reviewed
    value stays. Returns whether anything was written."""
    figure = (derived.value, derived.comment)
    if figure == (actual.internal_value, actual.comment):
        if not actual.restated_after_lock:
            return False
        actual.restated_after_lock_at, actual.restated_value, actual.restated_comment = (
            None, None, "")
        reason = "The SLA's evaluations are back to the reviewed figure"
    elif actual.restated_after_lock and figure == (actual.restated_value,
                                                   actual.restated_comment):
        return False
    else:
        actual.restated_after_lock_at = now
        actual.restated_value, actual.restated_comment = figure
        reason = ("Restated after lock: the SLA's evaluations changed; the reviewed value "
                  "stands")
    _stamp(actual, None, reason)
    actual.save(update_fields=["restated_after_lock_at", "restated_value",
                               "restated_comment"])
    return True


# -- stored period scores --------------------------------------------------------------------

#: Scorecards scored together by `period_scores_refresh` (a backfill goes chunk by chunk).
REFRESH_CHUNK = 200


def period_scores_refresh(*, scorecard_ids: Iterable[int] | None = None,
                          period_ids: Iterable[int] | None = None) -> int:
    """Recompute and store the score of these scorecards' periods (or only `period_ids`;
    neither: every period, the backfill) with the scoring the vendor's page uses
    (`selectors.score_period`). Returns the number of periods stored.

    Every service that changes an input of a score calls it in its own transaction, for the
    scorecard-periods it touched, so a stored score is never stale. It locks the stored rows
    (in period order, so two refreshes cannot deadlock) before reading the inputs: a second
    transaction changing the same period waits, then reads what the first committed, so the
    last to commit stores the score of both changes. Set-based: a fixed number of queries
    per chunk of scorecards, however many periods, measures and actuals they hold (the seed
    calls it once for the scorecards it loaded in bulk)."""
    if period_ids is None:
        cards = sorted(scorecard_ids) if scorecard_ids is not None else list(
            Scorecard.objects.order_by("pk").values_list("pk", flat=True))
        if len(cards) > REFRESH_CHUNK:  # a backfill, or the seed: chunk by chunk
            return sum(period_scores_refresh(scorecard_ids=cards[i:i + REFRESH_CHUNK])
                       for i in range(0, len(cards), REFRESH_CHUNK))
        periods = Period.objects.filter(scorecard_id__in=cards)
    else:
        periods = Period.objects.filter(pk__in=list(period_ids))
        if scorecard_ids is not None:
            periods = periods.filter(scorecard_id__in=list(scorecard_ids))
    with transaction.atomic():
        return _refresh(list(periods.order_by("pk")))


def _refresh(periods: list[Period]) -> int:
    if not periods:
        return 0
    # The row of each period exists before it is locked (a new period, a backfill).
    ScoredPeriod.objects.bulk_create(
        [ScoredPeriod(period_id=p.pk, scorecard_id=p.scorecard_id, vendor_id=p.vendor_id,
                      label=p.label) for p in periods],
        ignore_conflicts=True, batch_size=1000)
    rows = {r.period_id: r for r in ScoredPeriod.objects.select_for_update()
            .filter(period_id__in=[p.pk for p in periods]).order_by("period_id")}
    # Read after the lock: what the transactions that held it committed is seen.
    now = timezone.now()
    for period_id, scored in selectors.live_scores(periods).items():
        _store(rows[period_id], scored, now)
    ScoredPeriod.objects.bulk_update(list(rows.values()), SCORED_FIELDS, batch_size=500)
    return len(rows)


SCORED_FIELDS = ["score", "status", "coverage", "measures", "measures_with_data",
                 "red_measures", "red_perspectives", "perspectives", "computed_at"]


def _store(row: ScoredPeriod, scored: selectors.PeriodScore, now) -> None:
    for name, value in selectors.stored_fields(scored).items():
        setattr(row, name, value)
    row.computed_at = now


def _scorecard_of(part) -> int | None:
    """The scorecard a vendor's part belongs to (None for a template's part)."""
    if isinstance(part, Perspective):
        return part.scorecard_id
    if isinstance(part, Objective):
        return part.perspective.scorecard_id
    if isinstance(part, Measure):
        return part.objective.perspective.scorecard_id
    return None


def _rescore_part(part) -> None:
    """A part's weight, rule, dates or retirement count in every period of its scorecard."""
    card = _scorecard_of(part)
    if card is not None:
        period_scores_refresh(scorecard_ids=[card])
