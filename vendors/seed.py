"""A large portfolio, fast: ``python manage.py seed_portfolio --vendors N --years Y``.

For benchmarks and scale tests (bench/portfolio.py), not for demos (vendors/demo.py tells a
story through the services day by day; this makes volume). The structure of each vendor —
the vendor, its contract and contacts, its SLA and service levels, its scorecard, its review
cadences — is made through the services, with the clock set back `years` years, so it obeys
every rule they enforce. The volume — years of measurements, evaluations, meetings,
attendance, action items and scorecard actuals — goes through the product's own bulk paths
where it has them (the SLA ingest and the evaluation of closed windows) and otherwise
through bulk inserts of rows built the way the services build them (meeting times from the
cadence's recurrence, approved actuals with the measure's rule copied, history rows beside
them), so the database holds nothing the product could not have made.

Each feature app adds its part in `<app>/seed.py` with `seed(portfolio)`, found the way the
demo finds `<app>/demo.py`; the steps run in app order (SLAs before scorecards).
"""

import importlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from unittest import mock

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from vendors import services
from vendors.choices import AssignmentRole, ContactRole, Criticality, Tier
from vendors.models import Contact, Contract, Vendor, VendorAssignment

#: Every seeded person's password (a benchmark signs in with it).
SEED_PASSWORD = "seed-pass-2026"


@dataclass
class Portfolio:
    """What the seed made, for the apps' steps and for the benchmark."""

    years: int
    today: date
    start: date  # the first day of history: the month `years` years before today
    vendors: list[Vendor] = field(default_factory=list)
    people: dict = field(default_factory=dict)  # role name → user (vera, erin, …)
    owners: dict = field(default_factory=dict)  # vendor id → (line manager, operations)
    vendor_users: dict = field(default_factory=dict)  # vendor id → its vendor user
    contacts: dict = field(default_factory=dict)  # vendor id → its outsourced lead
    rows: int = 0
    progress: Callable[[str], None] = print
    started: float = field(default_factory=time.monotonic)

    def rng(self, *key) -> random.Random:
        """The same figures every run for the same vendor and key."""
        return random.Random("/".join(str(k) for k in key))

    def made(self, what: str, count: int) -> None:
        self.rows += count
        seconds = time.monotonic() - self.started
        self.progress(f"  {what}: {count:,} rows · {self.rows:,} in all · "
                      f"{self.rows / max(seconds, 1e-6):,.0f} rows/s · {seconds:,.0f} s")


@contextmanager
def clock(day: date) -> Iterator[None]:
    """Today is `day` for the services, models and history called inside."""
    start = timezone.make_aware(datetime.combine(day, dtime(9, 0)))
    real_localdate = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real_localdate(value, timezone)

    with (mock.patch("django.utils.timezone.now", lambda: start),
          mock.patch("django.utils.timezone.localdate", localdate)):
        yield


def app_steps() -> list[Callable[[Portfolio], None]]:
    """`seed(portfolio)` of every installed app that has a `seed` module, by the module's
    ORDER (SLA data before the reviews whose frozen agendas read it)."""
    steps = []
    for config in apps.get_app_configs():
        if config.name == "vendors" or importlib.util.find_spec(f"{config.name}.seed") is None:
            continue
        module = importlib.import_module(f"{config.name}.seed")
        if hasattr(module, "seed"):
            steps.append((getattr(module, "ORDER", 50), module.seed))
    return [step for _, step in sorted(steps, key=lambda s: s[0])]


def seed(*, vendors: int, years: int, progress: Callable[[str], None] = print,
         today: date | None = None) -> Portfolio:
    today = today or timezone.localdate()
    first = date(today.year - years, today.month, 1)
    portfolio = Portfolio(years=years, today=today, start=first, progress=progress)
    progress(f"Seeding {vendors:,} vendors with {years} years of history from {first}…")
    if connection.vendor == "postgresql":
        # Thousands of small service transactions: none waits for its commit to reach the
        # disk (a crash loses the last moments of a seed, which is then simply run again).
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
    _people(portfolio, vendors)
    _vendors(portfolio, vendors)
    for step in app_steps():
        step(portfolio)
    seconds = time.monotonic() - portfolio.started
    progress(f"Done: {portfolio.rows:,} rows in {seconds:,.0f} s "
             f"({portfolio.rows / max(seconds, 1e-6):,.0f} rows/s).")
    return portfolio


def _people(portfolio: Portfolio, vendors: int) -> None:
    """Vera (vendor manager), Erin (executive), and one line manager and one operations
    person per 25 vendors (the relationships a person can look after)."""
    User = get_user_model()
    password = make_password(SEED_PASSWORD)  # hashed once: thousands of people share it
    teams = max(1, -(-vendors // 25))
    people = [User(username="vera", first_name="Vera", role="vendor_manager",
                   email="vera@example.org", password=password, is_staff=True),
              User(username="erin", first_name="Erin", role="executive",
                   email="erin@example.org", password=password)]
    for i in range(teams):
        people += [User(username=f"line{i}", first_name=f"Line {i}", role="line_manager",
                        email=f"line{i}@example.org", password=password),
                   User(username=f"ops{i}", first_name=f"Ops {i}", role="operations",
                        email=f"ops{i}@example.org", password=password)]
    User.objects.bulk_create(people)
    portfolio.people = {u.username: u for u in User.objects.filter(
        username__in=[p.username for p in people])}
    portfolio.made("people", len(people))


def _vendors(portfolio: Portfolio, count: int) -> None:
    """Each vendor through the services, as a vendor manager adds it: the vendor, its
    contract, its outsourced lead, its account executive and who looks after it."""
    User = get_user_model()
    vera, start = portfolio.people["vera"], portfolio.start
    tiers, levels = list(Tier.values), list(Criticality.values)
    password = next(iter(portfolio.people.values())).password
    made = 0
    with clock(start):
        for i in range(count):
            with transaction.atomic():
                vendor = services.vendor_create(
                    by=vera, name=f"Vendor {i:04d}", description="Seeded for scale tests.",
                    tier=tiers[i % len(tiers)], criticality=levels[i % len(levels)])
                services.record_create(
                    Contract, vendor=vendor, by=vera, reference=f"MSA-{i:04d}",
                    title="Master services agreement", start_date=start,
                    end_date=date(start.year + portfolio.years + 2, start.month, 1),
                    value=1_000_000)
                lead = services.record_create(
                    Contact, vendor=vendor, by=vera, name=f"Lead {i:04d}",
                    role=ContactRole.OUTSOURCED_LEAD, email=f"lead@v{i:04d}.example",
                    escalation_level=1)
                services.record_create(
                    Contact, vendor=vendor, by=vera, name=f"Executive {i:04d}",
                    role=ContactRole.ACCOUNT_EXECUTIVE, email=f"exec@v{i:04d}.example",
                    escalation_level=2)
                team = i // 25
                line, ops = portfolio.people[f"line{team}"], portfolio.people[f"ops{team}"]
                for user, role in ((line, AssignmentRole.LINE_MANAGER),
                                   (ops, AssignmentRole.OPERATIONS)):
                    services.record_create(VendorAssignment, vendor=vendor, by=vera,
                                           user=user, role=role)
                vendor_user = User.objects.create(
                    username=f"v{i:04d}", first_name="Vendor", last_name=f"{i:04d}",
                    role="vendor_user", vendor=vendor, email=f"api@v{i:04d}.example",
                    password=password)
            portfolio.vendors.append(vendor)
            portfolio.owners[vendor.pk] = (line, ops)
            portfolio.vendor_users[vendor.pk] = vendor_user
            portfolio.contacts[vendor.pk] = lead
            made += 7
            if (i + 1) % 100 == 0 or i + 1 == count:
                portfolio.made(f"vendors {i + 1:,}/{count:,}", made)
                made = 0
