"""``python manage.py rescore [--check]``: store the score of every scorecard period again
(`scorecards.services.period_scores_refresh`) — once after migrating to stored scores, and
after loading scorecard rows in bulk outside the services. ``--check`` changes nothing: it
lists the periods whose stored score differs from the live scoring (exit status 1 if any)."""

import time

from django.core.management.base import BaseCommand, CommandError

from scorecards import selectors, services


class Command(BaseCommand):
    help = "Recompute the stored score of every scorecard period (--check: only compare)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Compare stored and live scores; write nothing.")

    def handle(self, *args, check=False, **options):
        started = time.monotonic()
        if check:
            stale = selectors.stored_scores_differing()
            for period in stale:
                self.stdout.write(f"stale: {period.vendor_id} {period.label} (period {period.pk})")
            if stale:
                raise CommandError(f"{len(stale)} stored period scores differ from the live "
                                   f"scoring: run `manage.py rescore`.")
            self.stdout.write("Every stored period score equals the live scoring.")
            return
        count = services.period_scores_refresh()
        self.stdout.write(f"Stored the score of {count:,} periods in "
                          f"{time.monotonic() - started:.1f} s.")
