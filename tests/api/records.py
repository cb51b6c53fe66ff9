"""Records of every API resource for one vendor, for the tests that call the whole API
(the schema fuzz, the generated client)."""

from tests.factories import (
    ContactFactory,
    ContractFactory,
    PrincipleFactory,
    ServiceFactory,
    StaffingChangeFactory,
    StaffMemberFactory,
)
from tests.governance import isolation as governance_records
from tests.healthchecks import isolation as healthcheck_records
from tests.scorecards import isolation as scorecard_records
from tests.signs import isolation as sign_records
from tests.sla import isolation as sla_records


def records_of(vendor, tag: str) -> None:
    """Records of `vendor` of every resource (the apps' own isolation records: one of each,
    `tag` in their texts)."""
    for app in (governance_records, sla_records, scorecard_records, healthcheck_records,
                sign_records):
        app.records(vendor, tag)
    ServiceFactory(vendor=vendor)
    ContractFactory(vendor=vendor)
    ContactFactory(vendor=vendor)
    PrincipleFactory(vendor=vendor)
    member = StaffMemberFactory(vendor=vendor)
    StaffingChangeFactory(vendor=vendor)
    StaffingChangeFactory(vendor=vendor, kind="remove", staff_member=member)
