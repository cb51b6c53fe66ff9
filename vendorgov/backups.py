"""Backups of the whole database, and restoring one: `pg_dump`/`pg_restore` on PostgreSQL
(custom format, without owners, so it restores into another role's database), SQLite's
online backup API in the embedded mode (a consistent copy while the site runs).

Uploaded files (MEDIA_ROOT) are not in the database: copy that folder beside the backup.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from vendorgov import freshness


class BackupError(Exception):
    """A backup or restore could not be made; the message says why."""


def default_path() -> Path:
    suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"vendorgov-{stamp}.{suffix}"


def backup(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path),
              *_pg_args()])
    else:
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
    return path


def restore(path: Path) -> None:
    """Replace the database's contents with the backup at `path`."""
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    if connection.vendor == "postgresql":
        connections.close_all()  # pg_restore drops tables this process may hold open
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
              "--single-transaction", "--exit-on-error", *_pg_args(dbname_flag=True),
              str(path)])
    else:
        connection.ensure_connection()
        with sqlite3.connect(path) as source:
            source.backup(connection.connection)
        source.close()
    freshness.forget_all()  # every table was replaced, past Django's cursor


def _pg_args(dbname_flag: bool = False) -> list[str]:
    db = settings.DATABASES["default"]
    name = connection.settings_dict["NAME"]  # the test database, when tests run
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return [*args, "--dbname", name] if dbname_flag else [*args, name]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install "
                          "postgresql-client).")
    return found


def _run(argv: list[str]) -> None:
    env = {**os.environ}
    if password := settings.DATABASES["default"].get("PASSWORD"):
        env["PGPASSWORD"] = password
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-2000:]}")
