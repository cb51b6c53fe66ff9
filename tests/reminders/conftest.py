import pytest

from tests.reminders.kinds import ITEM_DUE, registered


@pytest.fixture
def item_kind():
    """The test kind over action items, registered for this test only."""
    with registered(ITEM_DUE):
        yield ITEM_DUE
