"""``python manage.py recompliance [--check]``: store every vendor's monthly SLA compliance
again (`sla.compliance.compliance_rebuild`) — after loading evaluations in bulk outside the
services, or to repair. ``--check`` changes nothing: it lists the vendor-months whose stored
compliance differs from the evaluations (exit status 1 if any)."""

import time

from django.core.management.base import BaseCommand, CommandError

from sla import compliance, selectors


class Command(BaseCommand):
    help = "Recompute the stored monthly SLA compliance of every vendor (--check: only compare)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Compare stored and live compliance; write nothing.")

    def handle(self, *args, check=False, **options):
        started = time.monotonic()
        if check:
            stale = selectors.stored_compliance_differing()
            for vendor_id, month, stored, live in stale:
                self.stdout.write(f"stale: vendor {vendor_id} {month:%Y-%m}: stored {stored}, "
                                  f"live {live}")
            if stale:
                raise CommandError(f"{len(stale)} stored monthly compliance rows differ from "
                                   f"the evaluations: run `manage.py recompliance`.")
            self.stdout.write("Every stored monthly compliance equals the evaluations.")
            return
        count = compliance.compliance_rebuild()
        self.stdout.write(f"Stored the compliance of {count:,} vendor-months in "
                          f"{time.monotonic() - started:.1f} s.")
