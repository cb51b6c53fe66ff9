"""A cadence's history names its participants, not the rows that link them."""

import pytest

from governance import services
from tests.factories import ContactFactory
from tests.governance.factories import weekly_cadence
from vendors.selectors import record_history

pytestmark = pytest.mark.django_db


def test_participant_changes_are_listed_by_name(vendor_a, line_manager):
    lead = ContactFactory(vendor=vendor_a, name="Olive Lead", role="outsourced_lead")
    cadence = weekly_cadence(vendor_a, ours=[line_manager], theirs=[lead])
    newcomer = ContactFactory(vendor=vendor_a, name="Pat New", role="outsourced_lead")
    services.cadence_update(cadence, our_participants=[], vendor_participants=[lead, newcomer])
    changes = [c for e in record_history(cadence) for c in e.changes]
    assert ("vendor participants", "Olive Lead (Outsourced lead)",
            "Olive Lead (Outsourced lead), Pat New (Outsourced lead)") in changes
    assert ("our participants", str(line_manager), "") in changes
