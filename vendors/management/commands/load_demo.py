"""``python manage.py load_demo [--if-empty] [--print-logins]``: see vendors/demo.py."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from vendors.demo import DEMO_PASSWORD, PEOPLE, Demo, logins_table
from vendors.models import (
    Contact,
    Contract,
    GuidingPrinciple,
    StaffingChange,
    StaffMember,
    Vendor,
)


class Command(BaseCommand):
    help = ("Load a demo portfolio of vendors, contracts, people and history into an empty "
            f"database. Every demo user's password is '{DEMO_PASSWORD}'.")

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing if the database already holds vendors.")
        parser.add_argument("--print-logins", action="store_true",
                            help="Only print the demo logins and exit.")

    def handle(self, *args, if_empty=False, print_logins=False, **options):
        if print_logins:
            self._print_logins()
            return
        if Vendor.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already present; keeping it.")
                return
            raise CommandError("The database already holds vendors. Use `load_demo "
                               "--if-empty` to keep them, or load the demo into a fresh "
                               "database.")
        usernames = [p.username for p in PEOPLE]
        if taken := list(get_user_model().objects.filter(username__in=usernames)
                         .values_list("username", flat=True)):
            raise CommandError(f"Demo user names are already taken: {', '.join(taken)}. "
                               "Load the demo into a fresh database.")

        with transaction.atomic():
            Demo(timezone.localdate()).load()

        counts = ", ".join(f"{model.objects.count()} {label}" for model, label in (
            (Vendor, "vendors"), (Contract, "contracts"), (Contact, "contacts"),
            (GuidingPrinciple, "guiding principles"), (StaffMember, "staff members"),
            (StaffingChange, "staffing changes"), (get_user_model(), "users")))
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo portfolio: {counts}."))
        self._print_logins()

    def _print_logins(self):
        self.stdout.write(f"\nDemo logins (every password is {DEMO_PASSWORD}):\n")
        self.stdout.write(logins_table())
