"""VENDORGOV_REQUIRE_ALL=1 (set by .ci/run): a skip of any kind fails the run.

Hooks only, no Django, so tests/conftest.py can use them and test_require_all.py can load
them into a small pytest run of its own (`-p tests.require_all`).

Under pytest-xdist every worker sends its reports to the controller, which calls
pytest_runtest_logreport and, for a module skipped as a whole, pytest_collectreport with
them; the controller's pytest_sessionfinish decides the exit status. A worker's own exit
status is not passed on, so the rule must hold, and does, in whichever process sees all
the reports: the controller under xdist, the only process without it.
"""

import os

import pytest

REQUIRE_ALL = os.environ.get("VENDORGOV_REQUIRE_ALL") == "1"

_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_collectreport(report):
    """A module that skips itself (`pytest.skip(allow_module_level=True)`, importorskip)."""
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if REQUIRE_ALL and _skipped and exitstatus in (pytest.ExitCode.OK,
                                                   pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if REQUIRE_ALL and _skipped:
        terminalreporter.write_line(
            f"VENDORGOV_REQUIRE_ALL=1: {len(_skipped)} skipped test(s) count as failures:",
            red=True)
        for nodeid in _skipped:
            terminalreporter.write_line(f"  {nodeid}", red=True)
