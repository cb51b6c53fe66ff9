"""`manage.py backup [PATH]` (make backup): the whole database into one file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vendorgov import backups


class Command(BaseCommand):
    help = "Back the database up into one file (default: var/backups/vendorgov-<when>.*)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="where to write the backup")

    def handle(self, *args, path=None, **options):
        try:
            written = backups.backup(Path(path) if path else backups.default_path())
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backed up to {written}"))
