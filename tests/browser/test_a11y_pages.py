"""Every page state (anonymous, client, coach; modals open, a time chosen, the payment step)
checked in Debian's Chromium: axe-core finds no serious or critical WCAG 2.1 A/AA violation,
the page reflows at 320 and 390 px without horizontal scrolling, and the console stays free
of errors (htmx's oobErrorNoTarget among them). Screenshots at 320, 390 and 1280 px land in
var/screenshots/ with A11Y_SCREENSHOTS=1; every state's axe findings, whatever
their impact, are written to var/a11y/axe-<state>.json for the figures."""

import json

import pytest

from conftest import ROOT
from tests.browser.a11y_support import (
    FAILING_IMPACTS,
    SCREENSHOT_DIR,
    STATE_IDS,
    TAKE_SCREENSHOTS,
    horizontal_overflow,
    page_states,
    run_axe,
)

# django_db: the test database must exist (pytest-django creates it only for tests that ask);
# the rows themselves are the module's committed a11y_world.
pytestmark = [pytest.mark.a11y, pytest.mark.django_db]
REPORT_DIR = ROOT / "var" / "a11y"


def _state(world, state_id):
    return next(s for s in page_states(world) if s.id == state_id)


def test_state_list_is_complete(a11y_world):
    world, _ = a11y_world
    assert [s.id for s in page_states(world)] == STATE_IDS


@pytest.mark.parametrize("state_id", STATE_IDS)
def test_page_state_is_accessible_and_reflows(state_id, a11y_world, role_page):
    world, _ = a11y_world
    state = _state(world, state_id)
    page = role_page(state.role)
    response = page.goto(state.path)
    assert response.ok, f"{state.path}: HTTP {response.status}"
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    if state.action:
        state.action(page)

    problems = []
    violations = run_axe(page)
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"axe-{state_id}.json").write_text(json.dumps(violations, indent=1))
    for v in violations:
        if v["impact"] in FAILING_IMPACTS:
            targets = "; ".join(n["target"] for n in v["nodes"][:5])
            problems.append(f"axe {v['impact']} {v['id']}: {v['help']} ({targets})")

    for width in (320, 390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(50)
        if width < 1280:
            overflow = horizontal_overflow(page)
            if overflow["scrollWidth"] > overflow["viewport"]:
                problems.append(
                    f"reflow at {width}px: page is {overflow['scrollWidth']}px wide; "
                    f"{overflow['offenders']}"
                )
        if TAKE_SCREENSHOTS:
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOT_DIR / f"{state_id}-{width}.png", full_page=True)

    expected = f"status of {state.status} " if state.status != 200 else None
    problems += [
        f"console: {text}"
        for text in page.console_errors
        if not (expected and text.startswith("Failed to load resource") and expected in text)
    ]
    (REPORT_DIR / f"problems-{state_id}.json").write_text(json.dumps(problems, indent=1))
    assert not problems, "\n".join(problems)
