"""`make backup` and `make restore` round-trip the demo portfolio: after a disaster (every
table emptied), restoring the backup brings back every row of every table, unchanged."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


def fingerprint() -> dict[str, tuple[int, str]]:
    """Per table: how many rows, and a digest of their contents in a stable order."""
    prints = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f'SELECT * FROM "{table}"')
            rows = sorted(repr(row) for row in cursor.fetchall())
            prints[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return prints


def test_a_backup_of_the_demo_portfolio_restores_every_row(tmp_path, django_db_setup,
                                                          django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=StringIO())
        try:
            before = fingerprint()
            assert sum(count for count, _ in before.values()) > 1000

            out = StringIO()
            call_command("backup", str(tmp_path / "demo.backup"), stdout=out)
            assert "Backed up to" in out.getvalue()

            call_command("flush", "--noinput", stdout=StringIO())
            assert fingerprint() != before

            call_command("restore", str(tmp_path / "demo.backup"), "--noinput",
                         stdout=StringIO())
            assert fingerprint() == before
        finally:
            call_command("flush", "--noinput", stdout=StringIO())


@pytest.mark.django_db
def test_restoring_a_missing_file_says_so(tmp_path):
    with pytest.raises(Exception, match="No backup at"):
        call_command("restore", str(tmp_path / "nothing.dump"), "--noinput")
