"""In CI (VENDORGOV_REQUIRE_ALL=1) a skip of any kind fails the run, also when the suite
runs in parallel: under pytest-xdist the skips happen on the workers, the verdict is the
controller's.

Each test runs a small pytest session of its own in a fresh process, with the rule's hooks
(tests/require_all.py, the same ones tests/conftest.py uses) and a forced skip."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PASSING_AND_SKIPPED = """
import pytest

def test_passes():
    assert True

def test_needs_a_missing_part():
    pytest.skip("the part is missing here")
"""

SKIPPED_MODULE = """
import pytest

pytest.skip("this whole module needs a missing part", allow_module_level=True)

def test_never_collected():
    assert False
"""

PASSING = """
def test_passes():
    assert True

def test_passes_too():
    assert True
"""

XDIST = ["-p", "xdist.plugin", "-n", "2"]
SERIAL: list[str] = []


def run_pytest(tmp_path, files: dict[str, str], args: list[str], require_all: bool):
    for name, source in files.items():
        (tmp_path / name).write_text(source)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "VENDORGOV_", "DJANGO_"))}
    # Only the plugins named here: no Django, no browser; the rule's hooks and xdist.
    env.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(ROOT),
               VENDORGOV_REQUIRE_ALL="1" if require_all else "0")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.require_all", "-p", "no:cacheprovider",
         "-rs", *args, str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("mode", [XDIST, SERIAL], ids=["xdist", "serial"])
def test_a_skipped_test_fails_the_run_when_every_part_is_required(tmp_path, mode):
    result = run_pytest(tmp_path, {"test_forced_skip.py": PASSING_AND_SKIPPED}, mode,
                        require_all=True)

    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout
    assert "1 skipped test(s) count as failures" in result.stdout
    assert "test_forced_skip.py::test_needs_a_missing_part" in result.stdout
    if mode == XDIST:  # the test really ran on a worker
        assert "created: 2/2 workers" in result.stdout, result.stdout


@pytest.mark.parametrize("mode", [XDIST, SERIAL], ids=["xdist", "serial"])
def test_a_module_that_skips_itself_fails_the_run_when_every_part_is_required(tmp_path, mode):
    result = run_pytest(tmp_path, {"test_other.py": PASSING, "test_skipped_module.py":
                                   SKIPPED_MODULE}, mode, require_all=True)

    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout + result.stderr
    assert "2 passed, 1 skipped" in result.stdout
    assert "test_skipped_module.py" in result.stdout.split("count as failures:")[1]


@pytest.mark.parametrize("mode", [XDIST, SERIAL], ids=["xdist", "serial"])
def test_locally_a_skip_is_only_reported(tmp_path, mode):
    result = run_pytest(tmp_path, {"test_forced_skip.py": PASSING_AND_SKIPPED}, mode,
                        require_all=False)

    assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout
    assert "count as failures" not in result.stdout
