from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from accounts.services import api_token_create


class Command(BaseCommand):
    help = ("Create a personal API token for a user and print it. The token is shown only "
            "this once; only its hash is stored.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line",
                            help="What the token is for (default: 'Command line').")
        parser.add_argument("--expires-in-days", type=int, default=None,
                            help="Let the token expire after this many days (default: never).")

    def handle(self, *args, username, name, expires_in_days, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"{username!r} is deactivated; a token would not work.")
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        expires_at = (timezone.now() + timedelta(days=expires_in_days)
                      if expires_in_days else None)
        try:
            token, raw = api_token_create(user=user, name=name, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(f"Token {token.prefix}… ({token.name}) for {username}. "
                          "Copy it now: it is not shown again.")
        self.stdout.write(raw)
