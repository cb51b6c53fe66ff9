"""What the README says about reminders still holds: its table of kinds is the registry's
(every kind, no other, at its default lead or grace), the schedule it describes is beat's,
the settings it lists exist, and the helpers it names are the registry's."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from reminders import registry
from vendorgov.schedule import beat_schedule

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def _kinds_table() -> list[tuple[list[str], str]]:
    """[(kind keys, "when" cell)] of the README's table of kinds ("`a.b_c` / `_d`" is
    a.b_c and a.b_d)."""
    rows = []
    for line in _section("Reminder kinds").splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        names = re.findall(r"`([\w.]+)`", cells[0])
        base = names[0].rsplit("_", 1)[0]
        rows.append(([n if "." in n else base + n for n in names], cells[2]))
    return rows


def _lead(part: str, unit: str) -> tuple[timedelta, registry.Timing]:
    if "morning" in part:  # "the morning after …", "the morning it has been open …"
        return timedelta(0), registry.Timing.AFTER
    days = int(re.match(r"\s*(\d+)", part).group(1))
    return timedelta(days=days), registry.Timing(unit)


def test_the_readme_lists_every_reminder_kind_and_no_other():
    listed = [key for keys, _ in _kinds_table() for key in keys]

    assert sorted(listed) == sorted(kind.key for kind in registry.kinds())


def test_the_readme_gives_each_kinds_default_lead_or_grace():
    for keys, when in _kinds_table():
        parts = when.split(" / ")[:len(keys)] if len(keys) > 1 else [when]
        units = re.findall(r"days? (before|after)", when)
        for key, part in zip(keys, parts, strict=True):
            own = re.search(r"days? (before|after)", part)
            unit = own[1] if own else (units[-1] if units else "after")
            kind = registry.get(key)
            assert _lead(part, unit) == (kind.default_offset, kind.timing), (key, part)


def test_the_schedule_the_readme_describes_is_beats():
    text = _section("Reminders")
    entries = beat_schedule()
    for name, task in (("reminders-sweep", "reminders.tasks.sweep"),
                       ("reminders-send-digests", "reminders.tasks.send_digests"),
                       ("reminders-refresh-upcoming", "reminders.tasks.refresh_upcoming")):
        assert f"`{name}`" in text
        assert entries[name]["task"] == task
    assert "Every minute (`reminders-sweep`" in text
    assert "Every five minutes (`reminders-send-digests`)" in text
    assert "remakes every ten minutes" in text and entries[
        "reminders-refresh-upcoming"]["schedule"] == 600


@pytest.mark.parametrize("name", sorted(set(re.findall(r"\| `(REMINDERS_\w+)`", README))
                                        | set(re.findall(r", `(REMINDERS_\w+)`", README))))
def test_each_reminder_setting_the_readme_lists_exists_with_its_default(name):
    row = next(line for line in README.splitlines() if f"`{name}`" in line
               and line.startswith("|"))
    names = re.findall(r"`(REMINDERS_\w+)`", row.split(" | ")[0])
    defaults = re.findall(r"`([^`]+)`", row.split(" | ")[1])
    assert hasattr(settings, name)
    if name not in os.environ:  # the default, unless the environment sets it
        assert str(getattr(settings, name)).removesuffix(".0") == defaults[names.index(name)]


def test_the_registry_helpers_the_readme_names_exist():
    named = set(re.findall(r"`registry\.(\w+)", README))

    assert named >= {"not_recorded", "recorded_to", "url_pattern"}
    assert all(callable(getattr(registry, name, None)) for name in named), named
