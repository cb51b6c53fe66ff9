"""Governance pages, one module per resource: `tabs` (the vendor's Reviews and Items tabs
and its timeline), `cadences` (the plan and its review cadences), `meetings` (a meeting,
its agenda, minutes, decisions and attendance), `action_items`, `impediments`,
`suggestions`, `portfolio` (reviews across vendors and "My work") and `calendar` (the
personal calendar feed).

Every page is a generic view of `vendorgov.pages` behind `GovernancePage` (the vendor from
the URL within the user's scope); records load through that vendor, rights come from
`vendors.access`, writes go through `governance.services`. Small interactions (status
changes, attendance, adding an action item during a meeting) answer htmx requests with the
fragment that changed and everyone else with a redirect, so they work without JavaScript.
"""

from vendors import access
from vendors.access import Action
from vendors.pages import VendorMixin


class GovernancePage(VendorMixin):
    tab = "reviews"
    # A service's error on these fields belongs next to the form field that sets them.
    error_fields = {"owner_user": "owner", "owner_contact": "owner", "to_user": "to",
                    "to_contact": "to"}


def mark_rights(user, *, actions=(), attendances=()):
    """Per-row answers for templates: may this person change this row in place?"""
    for a in actions:
        a.may_change = (access.may(user, Action.REVIEW, a)
                        or access.may(user, Action.CONTRIBUTE, a))
    for a in attendances:
        a.may_answer = access.may(user, Action.CONTRIBUTE, a)


def owner_fields(form) -> dict:
    """The form's one "owner" choice as the service's owner_user / owner_contact."""
    user, contact = form.cleaned_data.pop("owner")
    return {"owner_user": user, "owner_contact": contact}
