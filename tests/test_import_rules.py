"""Layering rules of the apps, checked on the source (imports inside functions count).

Lower layers never import a domain app: `payments`, `notifications` and `accounts` import
neither `webinars` nor `bookings`; the two domain apps do not import each other. Domain apps
plug into the lower layers through registries filled in their AppConfig.ready (for example
`payments.handlers.register_purpose`, `notifications.live_fragments.register_live_renderers`);
pages that combine both domains are composed one level up (`core`). `reviews` sits above both
domains (it reads bookings and registrations): nothing below it imports it; `discovery` may.

`trust` (trust score) is the top level: it may import every app, and no app imports it (its
hooks go the other way: it connects to accounts.suspension's signals, and facts from other
apps are registered in trust/facts.py). `moderation` is just below it: it may import every app
but trust, and only trust imports it (its `flags_upheld` fact); kinds of target plug into
moderation.targets from moderation's own AppConfig.ready.

A failure names the importing module, the line and the imported module.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

DOMAIN_APPS = ("webinars", "bookings")

# app -> apps it must not import (the app's own tests and migrations are not checked)
# `integrations` (Calendly) sits above the domains: it may import bookings, accounts and
# notifications, and nothing below it imports it (trust, the top level, may).
INTEGRATION_APPS = ("integrations",)
FORBIDDEN = {
    "payments": (*DOMAIN_APPS, "reviews", *INTEGRATION_APPS),
    "notifications": (*DOMAIN_APPS, "reviews", *INTEGRATION_APPS),
    "accounts": (*DOMAIN_APPS, "reviews", *INTEGRATION_APPS),
    "webinars": ("bookings", "reviews", *INTEGRATION_APPS),
    "bookings": ("webinars", "reviews", *INTEGRATION_APPS),
    "integrations": ("webinars",),
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


def test_only_trust_imports_moderation():
    rules = {app: ("moderation",) for app in _project_apps() if app != "moderation"}
    assert "discovery" in rules and "webinars" in rules and "notifications" in rules
    found = violations(rules)
    assert not found, "Only trust imports moderation:\n" + "\n".join(found)


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


# Where a private name may cross modules: the Connect stand-in is one module split in files
# (loaded only in local and test runs), and third-party privates are not ours to rename.
PRIVATE_IMPORT_EXCEPTIONS = ("payments/connect_standin/",)


def private_imports(root: Path = ROOT) -> list[str]:
    """`from <our module> import _name` outside the module that defines it (a module's own
    underscore names are its business; another module needing one means it should be public)."""
    ours = set(_project_apps(root))
    found = []
    for app in sorted(ours):
        for path in _modules(app, root):
            where = path.relative_to(root)
            if str(where).startswith(PRIVATE_IMPORT_EXCEPTIONS):
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module):
                    continue
                if node.module.split(".")[0] not in ours:
                    continue
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(
                            f"{where}:{node.lineno} imports {alias.name} from {node.module}"
                        )
    return found


def test_no_module_imports_another_modules_private_names():
    found = private_imports()
    assert not found, "Private names used across modules (make them public):\n" + "\n".join(found)


def test_the_private_import_check_sees_a_nested_import(tmp_path):
    app = tmp_path / "bookings"
    app.mkdir()
    (app / "apps.py").write_text("")
    (app / "guest.py").write_text(
        "from bookings.create import reserve, _locked\n"
        "def f():\n"
        "    from bookings.create import _reserve\n"
        "    from django.middleware.csrf import _get_new_csrf_string\n"  # not ours
    )
    assert private_imports(root=tmp_path) == [
        "bookings/guest.py:1 imports _locked from bookings.create",
        "bookings/guest.py:3 imports _reserve from bookings.create",
    ]
