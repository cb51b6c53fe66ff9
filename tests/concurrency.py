"""Two requests at once, for real: threads with their own database connections.

Used by `transaction=True` tests marked `postgres`: each callable runs in its own thread
(Django gives each thread its own connection), a barrier releases them together so both
are in flight at the same time, and whatever each returned or raised comes back in order.
"""

import threading
from dataclasses import dataclass

from django.db import connection


@dataclass
class Outcome:
    value: object = None
    error: BaseException | None = None


def at_once(*calls, timeout: float = 60) -> list[Outcome]:
    """Run every callable in `calls` in its own thread, all released together."""
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(index, call):
        try:
            barrier.wait(timeout=timeout)
            outcomes[index].value = call()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            outcomes[index].error = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a concurrent request never finished (a deadlock?)"
    return outcomes


def post_at_once(clients, url: str, data: dict | None = None) -> list[Outcome]:
    """The same form POSTed by each client at once (two tabs, a double click)."""
    return at_once(*[(lambda c=c: c.post(url, data or {}, follow=True)) for c in clients])


def page_text(response) -> str:
    """What a followed response shows. (Not `response.context`: the test client collects
    templates through a global signal, so threads running at once see each other's.)"""
    return response.content.decode()
