# SPDX-License-Identifier: GPL-2.0
"""TAP for the VM: one "ok"/"not ok"/"# SKIP" line per test, on stdout.

python_test.sh runs pytest with its terminal reporter off (-p no:terminal)
so that these lines, and a failure's report as "#" comments, are all it
prints; scripts/verdict.sh counts them with the other suites' lines.
"""

import itertools
import os
import re

import pytest

_n = itertools.count(1)
_tap = os.environ.get("SHMR_PYTEST_TAP") == "1"
_collected = 0
_reported = set()


def _line(text):
    if _tap:
        print(text, flush=True)


def _comment(text):
    for line in str(text).splitlines():
        _line("#   " + line)


def _name(report):
    return re.sub(r"\s+", " ", "python: " + report.nodeid)


def pytest_collectreport(report):
    if report.failed:
        _line(f"not ok {next(_n)} - {_name(report)} (collection)")
        _comment(report.longrepr)


def pytest_collection_modifyitems(items):
    global _collected
    _collected = len(items)


def pytest_sessionfinish(session, exitstatus):
    """A run that stopped early (Ctrl-C, a crash, -x) fails the tests it
    never reached, so that they are not silently missing from the count."""
    if len(_reported) < _collected:
        _line(f"not ok {next(_n)} - python: the run stopped after "
              f"{len(_reported)} of {_collected} tests (pytest status {int(exitstatus)})")
    _line(f"1..{next(_n) - 1}")


def pytest_runtest_logreport(report):
    _reported.add(report.nodeid)
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) \
                else str(report.longrepr)
            _line(f"ok {next(_n)} - {_name(report)} # SKIP {reason}")
        elif report.passed:
            _line(f"ok {next(_n)} - {_name(report)}")
        else:
            what = "" if report.when == "call" else " (setup)"
            _line(f"not ok {next(_n)} - {_name(report)}{what}")
            _comment(report.longrepr)
    elif report.when == "teardown" and report.failed:
        _line(f"not ok {next(_n)} - {_name(report)} (teardown)")
        _comment(report.longrepr)


@pytest.fixture
def name(request):
    """A region name of this test's own, unlinked afterwards if left."""
    import shmregion
    n = "py-" + re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)[:50]
    try:
        shmregion.unlink(n)
    except FileNotFoundError:
        pass
    yield n
    try:
        shmregion.unlink(n)
    except FileNotFoundError:
        pass
