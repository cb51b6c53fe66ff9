"""docker-compose.yml and the settings must agree on the variables that configure the app.

No Docker engine runs in CI, so this is how a typo in a compose variable (which Django would
silently ignore, falling back to a default) gets caught.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DIR = ROOT / "vendorgov" / "settings"
APP_SERVICES = ("web", "worker", "beat")

# env("X"), env.str("X", …), env.db("X"), env.email_url("X"), os.environ.get("X"), os.getenv("X")
_READS = re.compile(
    r"""(?:\benv(?:\.\w+)?|os\.environ\.get|os\.getenv|os\.environ\.setdefault)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)
_READS_WITHOUT_DEFAULT = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']\s*\)""")


def settings_variables() -> set[str]:
    names = {"DJANGO_SETTINGS_MODULE"}
    for path in SETTINGS_DIR.glob("*.py"):
        for match in _READS.finditer(path.read_text()):
            names.add(match.group(1) or match.group(2))
    return names


def production_required_variables() -> set[str]:
    """Variables production.py reads with no default, plus the servers it must not fall
    back from: without DATABASE_URL and REDIS_URL it would quietly run on SQLite and files."""
    text = (SETTINGS_DIR / "production.py").read_text()
    return set(_READS_WITHOUT_DEFAULT.findall(text)) | {"DATABASE_URL", "REDIS_URL"}


def compose_services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def service_environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {name: "" if value is None else str(value) for name, value in environment.items()}


def test_the_settings_parser_finds_the_variables_we_know_are_read():
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL",
            "VAR_DIR"} <= settings_variables()
    assert {"SECRET_KEY", "ALLOWED_HOSTS"} <= production_required_variables()


def test_compose_describes_the_production_shape():
    services = compose_services()
    assert {"postgres", "redis", "web", "worker", "beat", "mailpit"} <= set(services)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_a_compose_service_sets_is_read_by_the_settings(name):
    unknown = set(service_environment(compose_services()[name])) - settings_variables()
    assert not unknown, f"{name} sets variables no settings module reads: {sorted(unknown)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_services_set_every_required_production_variable(name):
    environment = service_environment(compose_services()[name])
    assert environment.get("DJANGO_SETTINGS_MODULE") == "vendorgov.settings.production"
    missing = {var for var in production_required_variables() if not environment.get(var)}
    assert not missing, f"{name} does not set {sorted(missing)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_services_reach_the_other_services_by_their_names(name):
    services = compose_services()
    environment = service_environment(services[name])
    assert "@postgres:" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:")
    assert environment["EMAIL_URL"] == "smtp://mailpit:1025"
