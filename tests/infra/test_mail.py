"""The embedded default's email backend: every message on the console and in a file."""

from django.core.mail import send_mail
from django.test import override_settings


def test_console_and_file_backend_writes_each_message_to_a_file_and_the_console(
        tmp_path, capsys):
    mail_dir = tmp_path / "mail"
    with override_settings(EMAIL_BACKEND="vendorgov.mail.ConsoleAndFileEmailBackend",
                           EMAIL_FILE_PATH=str(mail_dir)):
        sent = send_mail("Weekly review tomorrow", "Agenda attached.",
                         "vendorgov@example.com", ["liam@example.com"])

    assert sent == 1
    files = list(mail_dir.iterdir())
    assert len(files) == 1
    written = files[0].read_text()
    assert "Subject: Weekly review tomorrow" in written
    assert "To: liam@example.com" in written
    assert "Agenda attached." in written
    assert "Subject: Weekly review tomorrow" in capsys.readouterr().out
