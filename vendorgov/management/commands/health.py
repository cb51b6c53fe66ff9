"""`manage.py health web|worker|beat`: exit 0 when that process is healthy, 1 when not (and
say why). Compose's healthchecks run it; the same answers as /healthz/."""

from django.core.management.base import BaseCommand, CommandError

from vendorgov import health


class Command(BaseCommand):
    help = "Exit 0 when the web server, the worker or beat is healthy; 1 (with why) when not."

    def add_arguments(self, parser):
        parser.add_argument("process", choices=("web", *health.PROCESSES))

    def handle(self, *args, process, **options):
        if process == "web":
            problems = health.web_problems()
        else:
            found = health.process(process)
            problems = [] if found.alive else [
                f"{process}: no sign of life since {found.seen_at or 'it started'}"]
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(f"{process}: ok")
