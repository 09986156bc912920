"""Layering rules of the apps, checked on the source (imports inside functions count).

Lower layers never import a domain app: `payments`, `notifications` and `accounts` import
neither `webinars` nor `bookings`; the two domain apps do not import each other. Domain apps
plug into the lower layers through registries filled in their AppConfig.ready (for example
`payments.handlers.register_purpose`, `notifications.live_fragments.register_live_renderers`);
pages that combine both domains are composed one level up (`core`). `reviews` sits above both
domains (it reads bookings and registrations): nothing below it imports it; `discovery` may.

`trust` (trust score) is the top level: it may import every app, and no app imports it (its
hooks go the other way: it connects to accounts.suspension's signals, and facts from other
apps are registered in trust/facts.py).

A failure names the importing module, the line and the imported module.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

DOMAIN_APPS = ("webinars", "bookings")

# app -> apps it must not import (the app's own tests and migrations are not checked)
FORBIDDEN = {
    "payments": (*DOMAIN_APPS, "reviews"),
    "notifications": (*DOMAIN_APPS, "reviews"),
    "accounts": (*DOMAIN_APPS, "reviews"),
    "webinars": ("bookings", "reviews"),
    "bookings": ("webinars", "reviews"),
}


def _modules(app: str, root: Path):
    for path in sorted((root / app).rglob("*.py")):
        parts = path.relative_to(root).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    if (  # importlib.import_module("webinars...") / apps.get_model("webinars...") count too
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"import_module", "get_model"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return [node.args[0].value]
    return []


def violations(rules: dict[str, tuple[str, ...]] = FORBIDDEN, root: Path = ROOT) -> list[str]:
    found = []
    for app, forbidden in rules.items():
        for path in _modules(app, root):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                for name in _imported(node):
                    top = name.split(".")[0]
                    if top in forbidden:
                        where = path.relative_to(root)
                        found.append(f"{where}:{node.lineno} imports {name} ({app} -> {top})")
    return found


def test_lower_layers_import_no_domain_app_and_domains_do_not_import_each_other():
    found = violations()
    assert not found, "Layering rule broken (see this module's docstring):\n" + "\n".join(found)


TOP_LEVEL_APPS = ("trust",)


def _project_apps(root: Path = ROOT) -> list[str]:
    return sorted(
        path.parent.name
        for path in root.glob("*/apps.py")
        if path.parent.name not in TOP_LEVEL_APPS
    ) + ["config"]


def test_no_app_imports_the_top_level_trust_app():
    rules = dict.fromkeys(_project_apps(), TOP_LEVEL_APPS)
    assert "accounts" in rules and "bookings" in rules
    found = violations(rules)
    assert not found, "Only the top level imports trust:\n" + "\n".join(found)


def test_the_check_sees_imports_inside_functions_and_model_lookups(tmp_path):
    """The checker itself: a nested import and an apps.get_model lookup are both reported."""
    app = tmp_path / "payments"
    app.mkdir()
    (app / "handlers.py").write_text(
        "def f():\n"
        "    from webinars.models import Webinar\n"
        "    return apps.get_model('bookings', 'Booking')\n"
    )
    (app / "tests").mkdir()
    (app / "tests" / "test_x.py").write_text("import webinars\n")  # tests are not checked
    assert violations({"payments": DOMAIN_APPS}, root=tmp_path) == [
        "payments/handlers.py:2 imports webinars.models (payments -> webinars)",
        "payments/handlers.py:3 imports bookings (payments -> bookings)",
    ]
