"""Health checks in a given state, made through the services (as people would)."""

import itertools

from django.utils import timezone

from healthchecks import services
from healthchecks.choices import CycleStatus, Group
from healthchecks.models import Cycle, Invitation

_people = itertools.count(1)


def cycle(vendor, *, by=None, due_on=None) -> Cycle:
    opened = services.cycle_open(vendor=vendor, due_on=due_on or timezone.localdate(), by=by)
    assert opened is not None, "a health check is already under way"
    return opened


def collecting(vendor, *, by=None, due_on=None) -> Cycle:
    c = cycle(vendor, by=by, due_on=due_on)
    return services.cycle_move(c, to=CycleStatus.COLLECTING, by=by)


def invite(c: Cycle, group: str = Group.IT, *, email: str = "", by=None) -> Invitation:
    return services.invitation_add(cycle=c, group=group, by=by,
                                   email=email or f"person{next(_people)}@example.org")


def link(invitation: Invitation) -> str:
    """A working link for `invitation` (what its email would carry)."""
    fresh, raw = Invitation.issue(vendor_id=invitation.vendor_id, cycle=invitation.cycle,
                                  group=invitation.group, email=invitation.email)
    Invitation.objects.filter(pk=invitation.pk).update(prefix=fresh.prefix,
                                                       key_hash=fresh.key_hash)
    invitation.refresh_from_db()
    return raw


def respond(c: Cycle, group: str, scores: dict, *, comment: str = "", submit: bool = True,
            email: str = "") -> Invitation:
    """One respondent of `group` answering every question of a dimension in `scores` with
    its score (None: don't know)."""
    invitation = invite(c, group, email=email)
    answers = {q.pk: (scores[q.dimension], comment) for q in c.questions.all()
               if q.dimension in scores}
    services.survey_save(invitation, answers=answers, submit=submit)
    return invitation


def with_results(vendor, *, ours: dict, theirs: dict, n: int = 3, by=None,
                 due_on=None) -> Cycle:
    """A cycle in its internal assessment, with `n` IT, `n` business and `n` vendor
    respondents giving `ours` / `theirs`."""
    c = collecting(vendor, by=by, due_on=due_on)
    for _ in range(n):
        respond(c, Group.IT, ours)
        respond(c, Group.BUSINESS, ours)
        respond(c, Group.VENDOR, theirs)
    return services.cycle_move(c, to=CycleStatus.ASSESSMENT, by=by)
