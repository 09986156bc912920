"""No module outside tests and migrations passes 500 lines (benchmarks and scripts included).

A module that grows past it becomes a package split by sub-domain, its `__init__` re-exporting
the names other code imports (see README, Architecture). A failure names each module and its
line count.
"""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT

MAX_LINES = 500
SKIPPED_DIRS = {"tests", "migrations", ".venv", "var", "node_modules", ".git", "static"}


def _modules(root: Path):
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if SKIPPED_DIRS.intersection(parts):
            continue
        yield path


def test_no_module_outside_tests_and_migrations_is_over_500_lines():
    too_long = []
    for path in _modules(ROOT):
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {count} lines")
    assert not too_long, "split these along their sub-domains:\n" + "\n".join(too_long)


def test_the_rule_sees_the_apps_and_the_benchmarks():
    """Control: the walk really reads the code it guards (a wrong root would pass silently)."""
    seen = {path.relative_to(ROOT).parts[0] for path in _modules(ROOT)}
    assert {"bookings", "webinars", "payments", "notifications", "benchmarks"} <= seen
