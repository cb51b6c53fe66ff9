"""Loaded into the fault tests' workers with `-I`: registers the test kind there."""

from reminders import registry
from tests.reminders.kinds import ITEM_DUE

registry.register(ITEM_DUE)
