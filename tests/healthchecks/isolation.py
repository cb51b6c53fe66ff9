"""The health-check part of the isolation table (tests/test_isolation.py): every page and
API route, aimed at vendor B's records, must give Alice (vendor A) nothing of B."""

from healthchecks import services
from healthchecks.choices import Group, RevisionKind
from tests.factories import PrincipleFactory
from tests.healthchecks.factories import collecting, respond


def records(vendor, tag) -> dict:
    PrincipleFactory(vendor=vendor, title=f"{tag} openness", text=f"{tag} say it early")
    cycle = collecting(vendor)
    invitation = respond(cycle, Group.VENDOR, {"trust": 4}, comment=f"{tag} comment",
                         email=f"someone@{tag.lower()}.example")
    services.cycle_move(cycle, to="assessment")
    finding = services.finding_add(cycle=cycle, text=f"{tag} finding")
    revision = services.revision_propose(cycle=cycle, kind=RevisionKind.NEW,
                                         title=f"{tag} new principle", text=f"{tag} words")
    return {"hc_cycle": cycle, "hc_invitation": invitation, "hc_finding": finding,
            "hc_revision": revision, "hc_template": cycle.template_version.template}


def slug(w):
    return [{"slug": w.b.slug}]


def cycle(w):
    return [{"slug": w.b.slug, "cycle": w.b_records["hc_cycle"].pk}]


def with_(name, kind):
    return lambda w: [{"slug": w.b.slug, "cycle": w.b_records["hc_cycle"].pk,
                       name: w.b_records[kind].pk}]


def api(kind):
    return lambda w: [{"pk": w.b_records[kind].pk}]


def template(w):
    return [{"pk": w.b_records["hc_template"].pk}]


def none(w):
    return [{}]


def made_up_link(w):
    # A survey link opens its survey for whoever holds it; one that matches nothing must
    # show nothing (B's own link is a secret only its respondent has).
    return [{"token": "vghc_00000000_no-such-link"}]


ROUTES = {
    "healthchecks:portfolio": ("denied", none),
    "healthchecks:templates": ("denied", none),
    "healthchecks:template_create": ("denied", none),
    "healthchecks:template": ("denied", template),
    "healthchecks:template_update": ("denied", template),
    "healthchecks:survey": ("open", made_up_link),
    "healthchecks:my_survey": ("b", lambda w: [{"invitation": w.b_records["hc_invitation"].pk}]),
    "healthchecks:vendor": ("b", slug),
    "healthchecks:plan_update": ("b", slug),
    "healthchecks:cycle_open": ("b", slug),
    "healthchecks:cycle": ("b", cycle),
    "healthchecks:cycle_move": ("b", cycle),
    "healthchecks:cycle_share": ("b", cycle),
    "healthchecks:report": ("b", cycle),
    "healthchecks:invite": ("b", cycle),
    "healthchecks:nudge": ("b", cycle),
    "healthchecks:invitation_revoke": ("b", with_("invitation", "hc_invitation")),
    "healthchecks:finding_add": ("b", cycle),
    "healthchecks:finding_archive": ("b", with_("finding", "hc_finding")),
    "healthchecks:action_agree": ("b", cycle),
    "healthchecks:revision_propose": ("b", cycle),
    "healthchecks:revision_decide": ("b", with_("revision", "hc_revision")),
    "health-check-list": ("open", none),
    "health-check-detail": ("b", api("hc_cycle")),
    "health-check-survey-list": ("open", none),
    "health-check-survey-detail": ("b", api("hc_invitation")),
    "health-check-survey-answers": ("b", api("hc_invitation")),
}
