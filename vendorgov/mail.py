"""Email backend for the embedded default: every message to the console and to var/mail/."""

from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class ConsoleAndFileEmailBackend(FileBackend):
    """Write each message to a file under EMAIL_FILE_PATH and echo it to stdout."""

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        ConsoleBackend(fail_silently=self.fail_silently).send_messages(email_messages)
        return sent
