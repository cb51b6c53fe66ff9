"""``python manage.py seed_portfolio --vendors N --years Y [--force]``: see vendors/seed.py."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from vendors.models import Vendor
from vendors.seed import seed


class Command(BaseCommand):
    help = ("Seed a large portfolio for benchmarks: N vendors with Y years of SLA data, "
            "reviews and scorecards, made the way the product makes them. Refuses a database "
            "that holds vendors already (--force adds to it anyway).")

    def add_arguments(self, parser):
        parser.add_argument("--vendors", type=int, default=100)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--force", action="store_true",
                            help="Seed even though the database holds vendors already.")
        parser.add_argument("--workers", type=int, default=2,
                            help="Processes sharing out the vendors (default 2; 1 inside a "
                                 "transaction, such as a test's).")

    def handle(self, *args, vendors, years, force, workers, **options):
        if vendors < 1 or not 1 <= years <= 20:
            raise CommandError("--vendors must be at least 1 and --years between 1 and 20.")
        if (Vendor.objects.exists() or get_user_model().objects.exists()) and not force:
            raise CommandError("The database holds vendors or people already: seed into an "
                               "empty one (or pass --force to add to it).")
        if connection.vendor != "postgresql":
            raise CommandError("seed_portfolio writes by PostgreSQL's COPY and runs on "
                               "PostgreSQL only: point DATABASE_URL at a PostgreSQL database.")
        if connection.in_atomic_block:
            workers = 1  # forked workers would not see this transaction's rows
        started = time.monotonic()

        def progress(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        portfolio = seed(vendors=vendors, years=years, progress=progress,
                         workers=max(1, workers))
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {vendors:,} vendors x {years} years: {portfolio.rows:,} rows in "
            f"{seconds:,.1f} s ({portfolio.rows / max(seconds, 1e-6):,.0f} rows/s)."))
