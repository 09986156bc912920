"""After-commit side effects go through `core.oncommit` (run_on_commit / enqueue_on_commit),
which log a failing callback with its name instead of losing it or breaking the commit; and no
app reaches into another app's private (underscore) names: what an app offers to others is
public and documented (inside one app, sibling modules may share private helpers). Checked on
the source of the project's apps (tests, migrations and benchmarks are not checked)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

ALLOWED_ON_COMMIT = {Path("core/oncommit.py")}
SKIP_PARTS = {"tests", "migrations", ".venv", "benchmarks", "var", "node_modules", "scripts"}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIP_PARTS.intersection(rel.parts) or rel.parts[0] in {"config", "conftest.py"}:
            continue
        yield rel, ast.parse(path.read_text(), filename=str(rel))


def _is_bare_on_commit(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "on_commit":
        return isinstance(func.value, ast.Name) and func.value.id == "transaction"
    return isinstance(func, ast.Name) and func.id == "on_commit"


def test_no_bare_transaction_on_commit_outside_core_oncommit():
    offenders = [
        f"{rel}:{node.lineno}"
        for rel, tree in _sources()
        if rel not in ALLOWED_ON_COMMIT
        for node in ast.walk(tree)
        if _is_bare_on_commit(node)
    ]
    assert offenders == [], "use core.oncommit.run_on_commit / enqueue_on_commit: " + ", ".join(
        offenders
    )


# The stand-in extends localstripe from inside (it has no public hook for extra resources).
PRIVATE_IMPORT_ALLOWED = {("payments", "localstripe")}


def test_no_app_imports_another_apps_private_names():
    offenders = []
    for rel, tree in _sources():
        app = rel.parts[0]
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            target = node.module.split(".")[0]
            if node.level or target == app or (app, target) in PRIVATE_IMPORT_ALLOWED:
                continue
            private = [
                alias.name
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
            if private:
                offenders.append(f"{rel}:{node.lineno} from {node.module} import {private}")
    assert offenders == [], "\n".join(offenders)
