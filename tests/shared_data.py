"""Records built once for a whole test module instead of once per test.

`built_once(django_db_blocker, build)` (from a module-scoped fixture) builds the records in
a transaction that stays open for the module and is rolled back after its last test; each
test, through pytest-django's `db`, runs in a savepoint inside it, so what a test changes is
undone before the next one starts, exactly as when every test built its own records. Like
Django's TestCase.setUpTestData: not for transactional tests (`transaction=True`), which
commit and flush.
"""

from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import transaction

T = TypeVar("T")


def built_once(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        # As Django marks TestCase's own class-wide atomic: code under test may still open a
        # durable atomic block inside it.
        atomic._from_testcase = True
        atomic.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
