"""Exactly once through the faults of the issue, done to real processes: a real Celery
worker (and beat) SIGKILLed again and again while it sends, Redis restarted during a
sweep, two beats at once, a task delivered twice. Each test compares what the mail
backend received (files, written by the workers) with what was due (one row per
occasion and recipient): no email twice; every due reminder received, or — only where a
worker died while handing it to the mail backend — recorded as *uncertain* and shown to
people, never silently lost (reminders/outbox.py explains that boundary).

On PostgreSQL + Redis (CI's first leg) the processes share a scratch PostgreSQL database
and a private Redis; on the embedded leg, a SQLite file and the filesystem broker."""

import os
import signal
import time

import pytest

from tests.reminders.harness import Site, verdict, wait_for
from tests.reminders.mailbox import HEADER

pytestmark = [pytest.mark.celery, pytest.mark.django_db]

SETTLE = 240  # seconds for everything due to be settled once the faults are over


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        site = Site(tmp_path_factory.mktemp("reminder-faults"))
        site.start()
        try:
            yield site
        finally:
            site.stop()


def settled(site):
    rows = site.rows()
    waiting = [r for r in rows if r[2] in ("pending", "claimed")]
    return rows if rows and not waiting else None


def children(pid: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = open(f"/proc/{entry.name}/stat").read()  # noqa: SIM115
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def check(site, due, *, kills=0, concurrency=2, rows_per_email=1):
    rows = wait_for(lambda: settled(site), SETTLE, step=1, what="every reminder settled")
    result = verdict(rows, site.received())
    print(f"\n{result}")
    assert result["rows"] == result["occasions"] == due, result
    assert result["duplicated"] == [], result
    assert result["strays"] == [], result
    assert result["sent_missing"] == [], result
    assert result["silently_missed"] == [], result
    # Only a worker killed in the middle of a hand-over leaves an uncertain row: at most
    # one email's rows per pool process per kill.
    assert result["by_status"].get("uncertain", 0) <= kills * concurrency * rows_per_email, \
        result
    return result


def test_a_worker_sigkilled_again_and_again_while_it_sends_sends_nothing_twice(site):
    due = site.prepare(400, "kill")
    worker = site.worker(beat=True)
    try:
        worker, kills, seen = kill_while_sending(site, worker, due, "the worker sending")
        result = check(site, due, kills=kills)
    finally:
        site.kill(worker, signal.SIGTERM)
    assert kills >= 3, f"the worker finished before it was killed enough ({kills})"
    assert result["received"] > seen  # sending went on after the last kill


BOOT_AND_SEND = 120


def kill_while_sending(site, worker, due, what: str, rounds: int = 5):
    """Up to `rounds` times: wait until the worker is sending (more mail than before), then
    SIGKILL it — the whole worker (pool, beat) on even rounds, one pool process on odd ones.
    Returns the worker now running, the number of kills and the mail seen at the last one."""
    kills, seen = 0, 0
    for round_ in range(rounds):
        seen = wait_for(lambda s=seen: (n := len(site.received())) > s + 20 and n,
                        BOOT_AND_SEND, step=0.05, what=what)
        if seen >= due:
            break
        if round_ % 2 == 0:
            site.kill(worker)
            worker = site.worker(beat=True)
        else:
            pool = children(worker.pid)
            assert pool, site.log()
            os.kill(pool[0], signal.SIGKILL)
        kills += 1
    return worker, kills, seen


def test_two_beats_at_once_send_each_reminder_once(site):
    due = site.prepare(150, "beats")
    worker = site.worker(concurrency=2)
    beats = [site.beat(), site.beat()]
    try:
        check(site, due)
    finally:
        for process in (*beats, worker):
            site.kill(process, signal.SIGTERM)


def test_a_task_delivered_twice_sends_nothing_twice(site):
    due = site.prepare(120, "redelivered")
    site.send_task("reminders.tasks.sweep", task_id="sweep-once", times=2)
    site.send_task("reminders.tasks.send_due", task_id="send-once", times=3)
    worker = site.worker(concurrency=2)
    try:
        wait_for(lambda: settled(site), SETTLE, step=1, what="the first sweep's rows")
        site.send_task("reminders.tasks.send_due", task_id="send-once", times=2)
        site.send_task("reminders.tasks.sweep", task_id="sweep-once", times=2)
        time.sleep(5)  # the repeats run (finding nothing new) before the check
        check(site, due)
    finally:
        site.kill(worker, signal.SIGTERM)


@pytest.mark.redis
def test_a_redis_restart_during_a_sweep_loses_and_repeats_nothing(site):
    due = site.prepare(300, "redis")
    worker = site.worker(beat=True)
    try:
        wait_for(lambda: len(site.received()) > 10, BOOT_AND_SEND, step=0.05,
                 what="the worker sending")
        site.redis.stop()
        time.sleep(2)
        site.redis.start()
        check(site, due)
        assert worker.poll() is None, site.log()
    finally:
        site.kill(worker, signal.SIGTERM)




# -- daily digests ------------------------------------------------------------------------
# A digest is one email carrying several rows (X-Vendorgov-Reminders names them all), handed
# over as a group: the same exactly-once rules, checked per row. A kill in the middle of a
# hand-over leaves at most that one digest's rows uncertain.

DIGEST_ROWS = 2  # reminders in each person's digest


def digests_of(site) -> int:
    """How many emails the mail backend received (the file backend writes each connection's
    messages to one file; every reminder email carries one X-Vendorgov-Reminders header)."""
    return sum(len(HEADER.findall(path.read_text(errors="replace")))
               for path in site.mail.glob("*") if path.is_file())


def test_daily_digests_with_the_sender_sigkilled_again_and_again_go_once_each(site):
    due = site.prepare_digests(150, DIGEST_ROWS, "digest-kill")
    worker = site.worker(beat=True)
    try:
        worker, kills, seen = kill_while_sending(site, worker, due, "the worker sending digests")
        result = check(site, due, kills=kills, rows_per_email=DIGEST_ROWS)
    finally:
        site.kill(worker, signal.SIGTERM)
    assert kills >= 3, f"the worker finished before it was killed enough ({kills})"
    assert result["received"] > seen  # digests went on after the last kill
    assert set(result["by_status"]) <= {"digested", "uncertain"}, result
    assert digests_of(site) * DIGEST_ROWS == result["received"]  # whole digests only


def test_a_digest_task_delivered_twice_sends_each_digest_once(site):
    due = site.prepare_digests(60, DIGEST_ROWS, "digest-twice")
    worker = site.worker(concurrency=2)
    try:
        site.send_task("reminders.tasks.sweep", task_id="digest-sweep", times=2)
        wait_for(lambda: len(site.rows()) == due, BOOT_AND_SEND, step=1,
                 what="the sweep's digest rows")
        # Three deliveries of one task at once (two pool processes), then two more later.
        site.send_task("reminders.tasks.send_digests", task_id="digest-once", times=3)
        wait_for(lambda: settled(site), SETTLE, step=1, what="the digests sent")
        site.send_task("reminders.tasks.send_digests", task_id="digest-once", times=2)
        time.sleep(5)  # the repeats run (finding nothing left) before the check
        result = check(site, due, rows_per_email=DIGEST_ROWS)
    finally:
        site.kill(worker, signal.SIGTERM)
    assert result["by_status"] == {"digested": due}, result
    assert digests_of(site) == due // DIGEST_ROWS  # one email per person
