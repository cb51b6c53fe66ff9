"""Writes of health checks. Keyword-only, validated, atomic; pages and the API check rights
with `vendors.access` first, services enforce the rules of the data.

* Opening due cycles is safe to run twice and from two schedulers at once: a cycle is
  unique per vendor and due day (and one may be open per vendor), so a second run's insert
  fails inside its savepoint and creates nothing.
* Moving a cycle is a conditional update on the status it was read in: of two people
  moving it at once, one wins and the other gets a Conflict that says who moved it.
* A survey link is shown once, in the email; only its digest is stored. Sending again (a
  nudge) issues a new link, and the old one stops working.
* Agreed actions are governance action items (`governance.services`), principle revisions
  go through `vendors.services`: this app never writes another app's models.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from governance import services as governance_services
from governance.choices import Tier
from healthchecks import selectors, workflow
from healthchecks.choices import (
    TEMPLATE_DIMENSIONS,
    CycleStatus,
    Dimension,
    Group,
    RevisionKind,
    RevisionStatus,
)
from healthchecks.models import (
    MAX_INTERVAL,
    MIN_INTERVAL,
    Answer,
    Cycle,
    CycleAction,
    Finding,
    HealthCheckPlan,
    Invitation,
    PrincipleRevision,
    Question,
    QuestionnaireTemplate,
    TemplateVersion,
    Transition,
    add_months,
)
from vendorgov import formats, tokens
from vendorgov.errors import Conflict
from vendorgov.history import save as _save
from vendors import services as vendor_services
from vendors.models import GuidingPrinciple, Vendor

COLLECTION_DAYS = 21
REVIEW_LEAD_DAYS = 14

STANDARD_QUESTIONS = {
    Dimension.TRUST: ["We can rely on what the other side says it will do.",
                      "Problems are raised early rather than hidden."],
    Dimension.TRANSPARENCY: ["Reporting shows the bad news as well as the good.",
                             "Costs, risks and capacity are discussed openly."],
    Dimension.COMMUNICATION: ["The right people talk to each other at the right time.",
                              "Meetings lead to clear decisions and actions."],
    Dimension.CUSTOMER_SERVICE: ["Requests are handled promptly and courteously.",
                                 "The team understands our business needs."],
    Dimension.WIN_WIN: ["The relationship is fair to both sides.",
                        "Both sides benefit when the service improves."],
    Dimension.OUTCOMES: ["The service delivers the results we agreed.",
                         "Quality has improved over the last months."],
    Dimension.INNOVATION: ["The vendor brings ideas that improve the service.",
                           "Good ideas are taken up and implemented."],
}
PRINCIPLE_QUESTION = "How well did both sides keep to: {title}?"


# -- plans and scheduling ------------------------------------------------------------------

@transaction.atomic
def plan_update(*, vendor: Vendor, interval_months: int, next_due: date | None = None,
                by=None) -> HealthCheckPlan:
    """Change how often the vendor is health-checked. Without a new due date, the next one
    follows the new interval from the last closed health check (or stays where it is)."""
    if not isinstance(interval_months, int) or not (
            MIN_INTERVAL <= interval_months <= MAX_INTERVAL):
        raise ValidationError({"interval_months": "Choose an interval between 6 and 12 "
                                                  "months."})
    plan = selectors.plan_for(vendor)
    if next_due is None:
        last = selectors.last_closed(vendor)
        next_due = (add_months(last.closed_on, interval_months) if last is not None
                    else plan.next_due)
    plan.interval_months, plan.next_due = interval_months, next_due
    return _save(plan, by=by, change_reason=f"Every {interval_months} months, next due "
                                            f"{formats.day(next_due)}")


def template_default() -> TemplateVersion:
    """The version new cycles use: the current version of the first template kept, or the
    standard questionnaire, written on first use."""
    template = QuestionnaireTemplate.objects.active().order_by("pk").first()
    current = template.current if template is not None else None
    if current is not None:
        return current
    questions = [{"dimension": d.value, "text": t} for d, texts in STANDARD_QUESTIONS.items()
                 for t in texts]
    if template is None:
        name = "Standard relationship health check"
        try:
            with transaction.atomic():
                template = template_create(name=name, questions=questions,
                                           description="The questions every cycle asks "
                                                       "unless another template is chosen.")
        except (IntegrityError, ValidationError):
            # Another scheduler wrote it at the same moment: use theirs.
            template = QuestionnaireTemplate.objects.get(name=name)
    return template.current


@transaction.atomic
def cycle_open(*, vendor: Vendor, due_on: date, by=None) -> Cycle | None:
    """Open the cycle due on `due_on`; None when it exists already (or one is under way):
    a second run, or another scheduler, got there first."""
    cycle = Cycle(vendor=vendor, due_on=due_on, assignee=selectors.vendor_manager_of(vendor),
                  template_version=template_default())
    try:
        with transaction.atomic():
            cycle.full_clean(validate_unique=False, validate_constraints=False)
            cycle._history_user = by if getattr(by, "is_authenticated", False) else None
            cycle.save()
    except IntegrityError:
        return None
    return cycle


def cycles_open_due(*, today: date | None = None) -> list[int]:
    """Open every health check that has come due (the periodic task). Safe to run twice and
    concurrently: returns the ids of the cycles this run opened."""
    today = today or timezone.localdate()
    opened = []
    for vendor in Vendor.objects.active().order_by("pk"):
        with transaction.atomic():
            plan = selectors.plan_for(vendor)
            if plan.pk is None:
                try:
                    with transaction.atomic():
                        _save(plan, change_reason="Default plan")
                except (IntegrityError, ValidationError):
                    plan = HealthCheckPlan.objects.get(vendor=vendor)
            if plan.next_due > today or Cycle.objects.open().filter(vendor=vendor).exists():
                continue
            cycle = cycle_open(vendor=vendor, due_on=plan.next_due)
            if cycle is not None:
                opened.append(cycle.pk)
    return opened


# -- moving a cycle -------------------------------------------------------------------------

def _local_datetime(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


@transaction.atomic
def cycle_move(cycle: Cycle, *, to: str, by=None, reason: str = "",
               collection_ends_on: date | None = None,
               review_on: date | None = None, review_at: time | None = None,
               notify: bool = True) -> Cycle:
    """Move `cycle` to the step `to`, recording who, when and (for a skip) why.

    Claimed with a conditional update on the step it was read in: when someone else moved
    it meanwhile, nothing changes and the Conflict says who did."""
    current = cycle.status
    responses = selectors.submitted_count(cycle)
    if problems := workflow.move_problems(current, to, reason=reason, responses=responses):
        raise ValidationError(problems)
    today = timezone.localdate()
    fields = {"status": to}
    if to == CycleStatus.COLLECTING:
        ends = collection_ends_on or today + timedelta(days=COLLECTION_DAYS)
        if ends < today:
            raise ValidationError({"collection_ends_on": "Choose today or a later day."})
        fields["collection_ends_on"] = ends
    if to == CycleStatus.CLOSED:
        fields.update(closed_on=today, close_reason=reason.strip(),
                      closed_without_responses=responses == 0)
    claimed = Cycle.objects.filter(pk=cycle.pk, status=current).update(**fields)
    if not claimed:
        moved = selectors.last_transition(cycle)
        who = f" by {moved.by}" if moved and moved.by else ""
        when = f" at {timezone.localtime(moved.at):%H:%M}" if moved else ""
        raise Conflict(f"This health check was moved to "
                       f"“{CycleStatus(Cycle.objects.get(pk=cycle.pk).status).label.lower()}”"
                       f"{who}{when} meanwhile; nothing was changed. Look again and decide.")
    cycle.refresh_from_db()
    # The history row of the move, with its author and reason (the update above bypassed
    # save() so that only one of two concurrent moves could win).
    _save(cycle, by=by, change_reason=reason.strip() or f"Moved to {cycle.get_status_display()}")
    Transition.objects.create(vendor_id=cycle.vendor_id, cycle=cycle, from_status=current,
                              to_status=to, by=by if getattr(by, "is_authenticated", False)
                              else None, reason=reason.strip(),
                              skipped=workflow.is_skip(current, to))
    if to == CycleStatus.COLLECTING or (current == CycleStatus.PLANNED
                                        and to != CycleStatus.COLLECTING):
        _freeze_questions(cycle)
    if to == CycleStatus.COLLECTING and notify:
        transaction.on_commit(lambda: invitations_send(cycle_id=cycle.pk))
    if to == CycleStatus.REVIEW:
        _arrange_review(cycle, by=by, day=review_on or today + timedelta(days=REVIEW_LEAD_DAYS),
                        at=review_at or time(14, 0))
    if to == CycleStatus.CLOSED:
        plan = selectors.plan_for(cycle.vendor)
        plan.next_due = add_months(today, plan.interval_months)
        _save(plan, by=by, change_reason=f"Health check closed on {formats.day(today)}")
    return cycle


def _freeze_questions(cycle: Cycle) -> None:
    """The cycle's questions: its template version's, then one per guiding principle in
    force now. Written once; a later template edit or principle change leaves them."""
    if cycle.questions.exists():
        return
    if cycle.template_version is None:
        cycle.template_version = template_default()
        Cycle.objects.filter(pk=cycle.pk).update(template_version=cycle.template_version)
    rows = [(q["dimension"], q["text"], None) for q in cycle.template_version.questions]
    rows += [(Dimension.PRINCIPLES, PRINCIPLE_QUESTION.format(title=p.title), p)
             for p in GuidingPrinciple.objects.active().filter(vendor_id=cycle.vendor_id)]
    Question.objects.bulk_create(
        Question(vendor_id=cycle.vendor_id, cycle=cycle, position=i, dimension=d,
                 text=text[:400], principle=p) for i, (d, text, p) in enumerate(rows, 1))


def _arrange_review(cycle: Cycle, *, by, day: date, at: time) -> None:
    people = [u for u in [cycle.assignee] if u is not None]
    meeting = governance_services.meeting_arrange(
        vendor=cycle.vendor, tier=Tier.HEALTH_CHECK, key=f"hc-{cycle.pk}",
        title=f"Health-check review ({cycle.due_on:%b %Y})", starts_at=_local_datetime(day, at),
        duration_minutes=120, our_participants=people,
        vendor_participants=selectors.review_contacts(cycle.vendor), by=by)
    Cycle.objects.filter(pk=cycle.pk).update(review_meeting=meeting)
    cycle.review_meeting = meeting


@transaction.atomic
def cycle_share(cycle: Cycle, *, shared: bool, by=None) -> Cycle:
    """Show (or stop showing) the results and findings to the vendor's people."""
    if shared and cycle.status in (CycleStatus.PLANNED, CycleStatus.COLLECTING):
        raise Conflict("Results are shared once collection has ended.")
    cycle.shared_with_vendor = shared
    return _save(cycle, by=by, change_reason="Shared with the vendor" if shared
                 else "No longer shared with the vendor")


# -- invitations and the survey -----------------------------------------------------------

def _check_invitable(cycle: Cycle) -> None:
    if cycle.status not in (CycleStatus.PLANNED, CycleStatus.COLLECTING):
        raise Conflict("Respondents are invited before and while input is collected.")


@transaction.atomic
def invitation_add(*, cycle: Cycle, group: str, email: str = "", name: str = "", user=None,
                   contact=None, by=None, notify: bool = True) -> Invitation:
    """Invite one respondent; while collecting, their link is emailed at once."""
    _check_invitable(cycle)
    if group not in Group.values:
        raise ValidationError({"group": "Choose IT, business or vendor."})
    email = (email or getattr(user, "email", "") or getattr(contact, "email", "")).strip()
    if not email:
        raise ValidationError({"email": f"{user or contact or 'This person'} has no email "
                                        f"address; add one first."})
    if Invitation.objects.filter(cycle=cycle, email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already invited to this health check."})
    invitation, _ = Invitation.issue(vendor_id=cycle.vendor_id, cycle=cycle, group=group,
                                     email=email, name=name or str(user or contact or ""),
                                     user=user, contact=contact, invited_by=by)
    invitation = _save(invitation, by=by, change_reason="Invited")
    if cycle.is_collecting and notify:
        transaction.on_commit(lambda: invitation_send(invitation_id=invitation.pk))
    return invitation


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def invitation_send(*, invitation_id: int, nudge: bool = False) -> bool:
    """Email a respondent their personal link: a new one each time (only its digest is
    kept), so a nudge's link replaces the first. Nothing for a submitted or revoked
    invitation, or once collection has ended."""
    with transaction.atomic():
        invitation = (Invitation.objects.select_for_update().select_related("cycle__vendor")
                      .filter(pk=invitation_id).first())
        if (invitation is None or invitation.submitted_at or invitation.revoked_at
                or not invitation.cycle.links_work):
            return False
        fresh, raw = Invitation.issue(vendor_id=invitation.vendor_id, cycle=invitation.cycle,
                                      group=invitation.group, email=invitation.email)
        stamp = timezone.now()
        Invitation.objects.filter(pk=invitation.pk).update(
            prefix=fresh.prefix, key_hash=fresh.key_hash, sent_at=invitation.sent_at or stamp,
            nudged_at=stamp if nudge else invitation.nudged_at)
    cycle = invitation.cycle
    context = {"invitation": invitation, "cycle": cycle, "vendor": cycle.vendor,
               "nudge": nudge, "ends": formats.day(cycle.collection_ends_on),
               "url": _site(reverse("healthchecks:survey", args=[raw]))}
    message = EmailMultiAlternatives(
        render_to_string("emails/health-check-survey-subject.txt", context).strip(),
        render_to_string("emails/health-check-survey-body.txt", context),
        to=[invitation.email])
    message.attach_alternative(render_to_string("emails/health-check-survey-body.html",
                                                context), "text/html")
    message.send()
    return True


def invitations_send(*, cycle_id: int) -> int:
    """Email every invited respondent not sent a link yet (collection has opened)."""
    ids = list(Invitation.objects.filter(cycle_id=cycle_id, sent_at__isnull=True,
                                         revoked_at__isnull=True).values_list("pk", flat=True))
    return sum(invitation_send(invitation_id=pk) for pk in ids)


def invitations_nudge(*, cycle: Cycle, by=None) -> int:
    """Remind those who have not submitted (a new link each). The reminders app will call
    this for unanswered surveys (see `selectors.invitations_unanswered`)."""
    if not cycle.links_work:
        raise Conflict("Input is not being collected; there is nobody to remind.")
    ids = [i.pk for i in selectors.invitations_unanswered(cycle=cycle)]
    return sum(invitation_send(invitation_id=pk, nudge=True) for pk in ids)


@transaction.atomic
def invitation_revoke(invitation: Invitation, *, by=None) -> Invitation:
    """Remove a respondent: their link stops working at once and an unsubmitted draft is
    dropped; a response already submitted stays in the results."""
    Invitation.objects.filter(pk=invitation.pk).revoke()
    invitation.refresh_from_db()
    if not invitation.submitted_at:
        invitation.answers.all().delete()
    return _save(invitation, by=by, change_reason="Removed from the health check")


def survey_find(raw: str) -> tuple[Invitation | None, str]:
    """The invitation a link opens and what the link may do: "open", or why not
    ("unknown", "revoked", "submitted", "expired"). A link's state is told only to whoever
    holds the whole link (the digest must match)."""
    invitation = Invitation.find(raw)
    if invitation is None:
        lookup = tokens.lookup_of(raw, Invitation.SCHEME)
        revoked = (Invitation.objects.filter(prefix=lookup, revoked_at__isnull=False).first()
                   if lookup else None)
        if revoked is not None and tokens.matches(raw, revoked.key_hash):
            return revoked, "revoked"
        return None, "unknown"
    return invitation, survey_state(invitation)


def survey_state(invitation: Invitation) -> str:
    """What its respondent may do with a survey: "open", or why not ("revoked",
    "submitted", "expired")."""
    if invitation.revoked_at:
        return "revoked"
    if invitation.submitted_at:
        return "submitted"
    if not invitation.cycle.links_work:
        return "expired"
    return "open"


@transaction.atomic
def survey_save(invitation: Invitation, *, answers: dict, submit: bool = False) -> Invitation:
    """Save a respondent's answers ({question id: (score or None, comment)}); with `submit`,
    hand them in (then the survey is closed to them). The invitation's row is locked, so
    two tabs submitting at once submit once: the second sees it was already submitted."""
    invitation = (Invitation.objects.select_for_update().select_related("cycle")
                  .get(pk=invitation.pk))
    if invitation.revoked_at:
        raise Conflict("This survey link was withdrawn; your answers were not saved.")
    if invitation.submitted_at:
        raise Conflict(f"These answers were already submitted on "
                       f"{formats.day(timezone.localtime(invitation.submitted_at).date())}; "
                       f"nothing was changed.")
    if not invitation.cycle.links_work:
        raise Conflict("Input for this health check has closed; your answers were not "
                       "saved.")
    questions = {q.pk: q for q in invitation.cycle.questions.all()}
    errors = {}
    for qid, (score, comment) in answers.items():
        if qid not in questions:
            errors[f"q{qid}"] = "This question is not part of this survey."
        elif score is not None and (not isinstance(score, int) or not 1 <= score <= 5):
            errors[f"q{qid}"] = "Answer with 1 to 5, or don't know."
        elif len(comment or "") > 4000:
            errors[f"q{qid}"] = "Keep the comment under 4000 characters."
    if errors:
        raise ValidationError(errors)
    existing = {a.question_id: a for a in invitation.answers.all()}
    for qid, (score, comment) in answers.items():
        answer = existing.get(qid) or Answer(vendor_id=invitation.vendor_id,
                                             invitation=invitation, question_id=qid)
        answer.score, answer.comment = score, (comment or "").strip()
        answer.save()
    stamp = timezone.now()
    fields = {"started_at": invitation.started_at or stamp}
    if submit:
        if not invitation.answers.exists():
            raise ValidationError({"__all__": "Answer at least one question before you "
                                              "submit."})
        fields["submitted_at"] = stamp
    for name, value in fields.items():
        setattr(invitation, name, value)
    Invitation.objects.filter(pk=invitation.pk).update(**fields)
    return invitation


# -- assessment and review ------------------------------------------------------------------

def _check_assessing(cycle: Cycle) -> None:
    if cycle.status in (CycleStatus.PLANNED, CycleStatus.COLLECTING, CycleStatus.CLOSED):
        raise Conflict("Findings and actions are recorded in the internal assessment and "
                       "the review with the vendor.")


@transaction.atomic
def finding_add(*, cycle: Cycle, by=None, text: str, dimension: str = "",
                severity: str = "medium", concerns: str = "shared") -> Finding:
    _check_assessing(cycle)
    return _save(Finding(vendor_id=cycle.vendor_id, cycle=cycle, text=text.strip(),
                         dimension=dimension, severity=severity, concerns=concerns,
                         created_by=by if getattr(by, "is_authenticated", False) else None),
                 by=by)


@transaction.atomic
def finding_archive(finding: Finding, *, by=None) -> Finding:
    return vendor_services.record_archive(finding, by=by)


@transaction.atomic
def action_agree(*, cycle: Cycle, by=None, title: str, due_on: date, owner_user=None,
                 owner_contact=None, description: str = "",
                 finding: Finding | None = None) -> CycleAction:
    """An agreed action becomes a governance action item of the vendor (so it comes back on
    weekly agendas until done), linked to this cycle."""
    _check_assessing(cycle)
    if finding is not None and finding.cycle_id != cycle.pk:
        raise ValidationError({"finding": "This finding belongs to another health check."})
    item = governance_services.action_item_create(
        vendor=cycle.vendor, by=by, title=title, due_on=due_on, owner_user=owner_user,
        owner_contact=owner_contact, meeting=cycle.review_meeting,
        description=(description + "\n\n" if description else "")
        + f"Agreed in the health check of {cycle.due_on:%B %Y}.")
    return CycleAction.objects.create(vendor_id=cycle.vendor_id, cycle=cycle, finding=finding,
                                      action_item=item)


@transaction.atomic
def revision_propose(*, cycle: Cycle, by=None, kind: str, principle=None, title: str = "",
                     text: str = "", rationale: str = "") -> PrincipleRevision:
    if cycle.status not in (CycleStatus.ASSESSMENT, CycleStatus.REVIEW):
        raise Conflict("Principle revisions are proposed in the assessment and the review.")
    errors = {}
    if kind in (RevisionKind.REWORD, RevisionKind.RETIRE):
        if principle is None or principle.vendor_id != cycle.vendor_id:
            errors["principle"] = "Choose one of this vendor's principles."
        elif principle.archived_at is not None:
            errors["principle"] = "This principle was archived already."
    if kind in (RevisionKind.NEW, RevisionKind.REWORD) and not (title.strip() and text.strip()):
        errors["text"] = "Give the principle's title and words."
    if errors:
        raise ValidationError(errors)
    return _save(PrincipleRevision(vendor_id=cycle.vendor_id, cycle=cycle, kind=kind,
                                   principle=principle if kind != RevisionKind.NEW else None,
                                   title=title.strip(), text=text.strip(),
                                   rationale=rationale.strip(), proposed_by=by), by=by)


@transaction.atomic
def revision_decide(revision: PrincipleRevision, *, accept: bool, by=None) -> PrincipleRevision:
    """Accept (a new version of the vendor's principles, written through the vendors app
    and linked here) or decline a proposed revision. Decided once."""
    revision = PrincipleRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.PROPOSED:
        raise Conflict(f"This revision was already {revision.get_status_display().lower()}.")
    if revision.cycle.status == CycleStatus.CLOSED:
        raise Conflict("This health check is closed.")
    why = f"Health check of {revision.cycle.due_on:%B %Y}"
    if accept:
        if revision.kind == RevisionKind.NEW:
            position = (GuidingPrinciple.objects.filter(vendor_id=revision.vendor_id)
                        .count() + 1)
            revision.principle = vendor_services.record_create(
                GuidingPrinciple, vendor=revision.cycle.vendor, by=by, title=revision.title,
                text=revision.text, position=position)
        elif revision.principle.archived_at is not None:
            raise Conflict("This principle was archived meanwhile; propose a new one.")
        elif revision.kind == RevisionKind.REWORD:
            vendor_services.principle_revise(revision.principle, title=revision.title,
                                             text=revision.text, by=by,
                                             change_reason=f"Reworded in the {why.lower()}")
        else:
            revision.principle._change_reason = f"Retired in the {why.lower()}"
            vendor_services.record_archive(revision.principle, by=by)
    revision.status = RevisionStatus.ACCEPTED if accept else RevisionStatus.DECLINED
    revision.decided_by = by if getattr(by, "is_authenticated", False) else None
    revision.decided_at = timezone.now()
    return _save(revision, by=by)


# -- questionnaire templates ---------------------------------------------------------------

def _check_questions(questions: list[dict]) -> list[dict]:
    clean = [{"dimension": q["dimension"], "text": q["text"].strip()[:400]}
             for q in questions if q.get("text", "").strip()]
    if not clean:
        raise ValidationError({"questions": "Ask at least one question."})
    unknown = {q["dimension"] for q in clean} - set(TEMPLATE_DIMENSIONS)
    if unknown:
        raise ValidationError({"questions": "Use the dimensions of the questionnaire."})
    return clean


@transaction.atomic
def template_create(*, name: str, questions: list[dict], description: str = "",
                    by=None) -> QuestionnaireTemplate:
    questions = _check_questions(questions)
    template = _save(QuestionnaireTemplate(name=name.strip(), description=description),
                     by=by)
    TemplateVersion.objects.create(template=template, number=1, questions=questions,
                                   created_by=by if getattr(by, "is_authenticated", False)
                                   else None, note="First version")
    return template


@transaction.atomic
def template_revise(template: QuestionnaireTemplate, *, questions: list[dict],
                    name: str | None = None, description: str | None = None, note: str = "",
                    by=None) -> QuestionnaireTemplate:
    """A new version of the questions (earlier versions stay, with the cycles that used
    them); nothing new when the questions did not change."""
    template = QuestionnaireTemplate.objects.select_for_update().get(pk=template.pk)
    questions = _check_questions(questions)
    if name is not None or description is not None:
        template.name = (name or template.name).strip()
        template.description = template.description if description is None else description
        _save(template, by=by)
    current = template.current
    if current is None or current.questions != questions:
        TemplateVersion.objects.create(
            template=template, number=(current.number + 1) if current else 1,
            questions=questions, note=note[:200],
            created_by=by if getattr(by, "is_authenticated", False) else None)
    return template
