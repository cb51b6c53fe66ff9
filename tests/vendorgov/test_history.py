"""Every app's services save through `vendorgov.history`: validated, with who and why."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory, VendorFactory
from vendorgov import history
from vendors.choices import ContactRole
from vendors.models import Contact

pytestmark = pytest.mark.django_db


def _vendor_lookups(queries) -> int:
    return sum(1 for q in queries if 'FROM "vendors_vendor"' in q["sql"])


def test_a_save_names_its_author_and_reason_in_the_history():
    by = UserFactory()
    contact = history.save(Contact(vendor=VendorFactory(), name="Ann", role=ContactRole.OTHER),
                           by=by, change_reason="Met at the kick-off")
    row = contact.history.get()
    assert (row.history_user, row.history_change_reason) == (by, "Met at the kick-off")


def test_a_lean_save_does_not_look_up_a_related_record_it_was_handed_loaded():
    vendor = VendorFactory()
    with CaptureQueriesContext(connection) as full:
        history.save(Contact(vendor=vendor, name="Ann", role=ContactRole.OTHER))
    with CaptureQueriesContext(connection) as lean:
        history.save(Contact(vendor=vendor, name="Bob", role=ContactRole.OTHER), lean=True)
    assert _vendor_lookups(full.captured_queries) == 1
    assert _vendor_lookups(lean.captured_queries) == 0


def test_a_lean_save_still_refuses_what_full_clean_refuses():
    with pytest.raises(ValidationError) as error:
        history.save(Contact(vendor=VendorFactory(), name="", role="nonsense"), lean=True)
    assert set(error.value.message_dict) == {"name", "role"}


def test_a_lean_save_checks_only_the_fields_a_change_touches():
    contact = history.save(Contact(vendor=VendorFactory(), name="Ann",
                                   role=ContactRole.OTHER))
    contact.role, contact.notes = "nonsense", "Prefers calls"
    history.save(contact, lean=True, only={"notes"}, change_reason="Notes")
    assert Contact.objects.get(pk=contact.pk).notes == "Prefers calls"


def test_narrowing_a_full_validation_is_refused_loudly():
    with pytest.raises(TypeError):
        history.save(Contact(vendor=VendorFactory(), name="Ann", role=ContactRole.OTHER),
                     only={"name"})
