"""`manage.py restore PATH` (make restore FILE=PATH): replace the database's contents with
a backup made by `manage.py backup`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from vendorgov import backups


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--noinput", "--no-input", action="store_false",
                            dest="interactive", help="do not ask for confirmation")

    def handle(self, *args, path, interactive, **options):
        name = connection.settings_dict["NAME"]
        if interactive and input(f"Replace everything in the database {name} with {path}? "
                                 "Type 'yes' to go on: ").strip().lower() != "yes":
            raise CommandError("Nothing restored.")
        try:
            backups.restore(Path(path))
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {name} from {path}."))
