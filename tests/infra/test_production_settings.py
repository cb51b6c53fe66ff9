"""Production settings, loaded the way a server loads them: in a fresh process."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A server's environment holds only what it is given: nothing from this test run (such as
# DJANGO_ALLOW_ASYNC_UNSAFE, which browser tests set) may leak into the deploy checks.
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def manage(*args, env, tmp_path):
    environ = {k: v for k, v in os.environ.items() if k in _PASSED_THROUGH}
    environ.update(DJANGO_SETTINGS_MODULE="vendorgov.settings.production",
                   VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_checks_with_the_required_variables(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, env={
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "vendorgov.example.com",
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = manage("check", tmp_path=tmp_path, env={"ALLOWED_HOSTS": "vendorgov.example.com"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_allowed_hosts(tmp_path):
    result = manage("check", tmp_path=tmp_path, env={"SECRET_KEY": secrets.token_urlsafe(64)})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr
