"""The HTML of every page state (and of the modal fragments htmx swaps in) is valid by the
Nu HTML Checker (vnu.jar, from its npm package, fetched by scripts/fetch-vnu into var/tools/),
with htmx's own attributes (hx-*, ws-*) allowed. One vnu run over all documents."""

import json
import shutil
import subprocess

import pytest
import requests

from conftest import ROOT
from tests.browser.a11y_support import page_states

pytestmark = [pytest.mark.a11y, pytest.mark.django_db]

# htmx and its ws extension write their attributes without the data- prefix.
HTMX_ATTRIBUTES = r".*Attribute “(hx|ws)-[a-z-]+” not allowed.*"
FRAGMENT_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>fragment</title>'
    "</head><body>{}</body></html>"
)


def _vnu_jar() -> str:
    if not shutil.which("java"):
        pytest.fail("java is missing: the HTML validation (vnu.jar) needs Java 11+")
    return subprocess.check_output([str(ROOT / "scripts" / "fetch-vnu")], text=True).strip()


def test_every_page_state_is_valid_html(a11y_world, _live_stack_processes, tmp_path):
    jar = _vnu_jar()
    world, cookies = a11y_world
    base = _live_stack_processes.url
    documents = {}
    for state in page_states(world):
        jar_cookies = {"sessionid": cookies[state.role]} if cookies[state.role] else {}
        key = f"{state.role}{state.path}"
        if key not in documents:
            response = requests.get(base + state.path, cookies=jar_cookies, timeout=20)
            assert response.ok, f"{state.path}: HTTP {response.status_code}"
            documents[key] = (state.id, response.text)
        if state.fragment:
            response = requests.get(
                base + state.fragment,
                cookies=jar_cookies,
                headers={"HX-Request": "true", "HX-Target": "modal-root"},
                timeout=20,
            )
            assert response.ok, f"{state.fragment}: HTTP {response.status_code}"
            documents[f"{key}#fragment"] = (
                f"{state.id}-fragment",
                FRAGMENT_PAGE.format(response.text),
            )
    files = []
    for name, html in documents.values():
        path = tmp_path / f"{name}.html"
        path.write_text(html)
        files.append(str(path))

    result = subprocess.run(
        ["java", "-jar", jar, "--format", "json", "--errors-only"]
        + ["--filterpattern", HTMX_ATTRIBUTES]
        + files,
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{m.get('extract', '').strip()[:120]}]"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
    ]
    (ROOT / "var" / "a11y").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "a11y" / "vnu.json").write_text(json.dumps(errors, indent=1))
    assert len(files) >= 30
    assert not errors, f"{len(errors)} HTML errors in {len(files)} documents:\n" + "\n".join(errors)
