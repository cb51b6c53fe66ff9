"""Every periodic job of the product, declared in this one place.

Beat reads it at start-up. Each entry names a task that is safe to run twice (work is
claimed with conditional updates), so an overlap or a restart never sends anything twice.
Later capabilities (reminders, health checks) add their entries here.
"""

from django.conf import settings

# Sent once as beat starts (vendorgov/celery.py): the jobs that catch up on what happened
# while nothing ran, so a restart never leaves windows unevaluated for an interval.
AT_START = ("sla-evaluate-closed-windows", "scorecards-derive-actuals-from-sla",
            "governance-extend-meeting-horizon", "scorecards-open-due-periods",
            "reminders-sweep", "signs-refresh", "reminders-refresh-upcoming")


def beat_schedule() -> dict:
    return {
        "heartbeat": {
            "task": "vendorgov.tasks.heartbeat",
            "schedule": settings.HEARTBEAT_SECONDS,
            "options": {"expires": settings.HEARTBEAT_SECONDS},
        },
        "governance-extend-meeting-horizon": {  # plans review meetings ahead; idempotent
            "task": "governance.tasks.extend_meeting_horizon",
            "schedule": 6 * 3600.0,
            "options": {"expires": 6 * 3600},
        },
        "sla-evaluate-closed-windows": {  # new windows close at midnight; late data any time
            "task": "sla.tasks.evaluate_closed_windows",
            "schedule": 3600.0,
            "options": {"expires": 3600},
        },
        "scorecards-derive-actuals-from-sla": {  # follows the SLA evaluation it reads
            "task": "scorecards.tasks.derive_actuals_from_sla",
            "schedule": 3600.0,
            "options": {"expires": 3600},
        },
        "healthchecks-open-due-cycles": {  # a due health check opens once, however often
            "task": "healthchecks.tasks.open_due_cycles",
            "schedule": 6 * 3600.0,
            "options": {"expires": 6 * 3600},
        },
        # Warning signs read what the jobs above wrote (evaluations, derived actuals, meetings),
        # so hourly, like them: a sign appears within the hour its evidence does, and pages
        # only read the stored result. Set-based for the whole portfolio; safe to overlap.
        "signs-refresh": {
            "task": "signs.tasks.refresh_signs",
            "schedule": 3600.0,
            "options": {"expires": 3600},
        },
        "scorecards-open-due-periods": {  # a new quarter's period opens on its first day
            "task": "scorecards.tasks.open_due_periods",
            "schedule": 6 * 3600.0,
            "options": {"expires": 6 * 3600},
        },
        # Every minute: record the reminders due within the next few minutes (one row per
        # recipient and occasion, so overlapping runs add nothing), send what is due and
        # wake the senders at each due moment ahead. Also at start: it finds everything due
        # while beat was down and sends what dead workers left behind.
        "reminders-sweep": {
            "task": "reminders.tasks.sweep",
            "schedule": settings.REMINDERS_SWEEP_SECONDS,
            "options": {"expires": settings.REMINDERS_SWEEP_SECONDS},
        },
        # Every ten minutes: a snapshot of what the sweeps will record in the next month,
        # which the "Scheduled next" page and people's profiles read, so that no page view
        # asks every kind's `find` (seconds at portfolio scale). Replaced in one transaction;
        # overlapping runs keep the newer. Also at start, so the pages have one soon.
        "reminders-refresh-upcoming": {
            "task": "reminders.tasks.refresh_upcoming",
            "schedule": 600.0,
            "options": {"expires": 600},
        },
        # Every five minutes: the daily digests of the people whose digest time has come
        # (in their own zone); a person's digest rows are claimed once, so it goes once.
        "reminders-send-digests": {
            "task": "reminders.tasks.send_digests",
            "schedule": settings.REMINDERS_DIGEST_SECONDS,
            "options": {"expires": settings.REMINDERS_DIGEST_SECONDS},
        },
    }
