"""Loaded into the fault tests' workers with `-I`: registers the test kind there."""

from reminders import registry
from tests.reminders.kinds import ITEM_DUE

# Only the test kind: the feature apps' kinds would find the test's records too.
registry._kinds.clear()
registry.register(ITEM_DUE)
