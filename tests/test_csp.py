"""Content-Security-Policy (issue 8 #18, django-csp): scripts only from our static files and
Stripe.js, never inline; and no template carries an inline script or handler that the policy
would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
FILTER = re.compile(r"""hx-trigger\s*=\s*["'][^"']*\[""")  # htmx filters need eval
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.django_db
def test_pages_send_a_policy_without_inline_scripts(client):
    policy = _policy(client.get(reverse("core:home")))
    scripts = policy["script-src"]
    assert "'self'" in scripts
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "*" not in scripts
    assert settings.STRIPE_API_BASE in scripts  # localstripe's Stripe.js stand-in here
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_production_allows_stripe_js_and_not_localstripe(tmp_path):
    from tests.test_settings import PRODUCTION_ENV, load_settings_module

    module = load_settings_module({**PRODUCTION_ENV, "STRIPE_API_BASE": ""}, tmp_path)
    sources = module.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    assert "https://js.stripe.com" in sources and "'unsafe-inline'" not in sources
    assert not any("127.0.0.1" in source for source in sources)
    # Connect onboarding answers a form POST with a redirect to Stripe: form-action allows it.
    form_targets = module.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]
    assert form_targets == ["'self'", "https://connect.stripe.com"]


def test_local_form_action_allows_the_connect_stand_in(tmp_path):
    from tests.test_settings import load_settings_module

    module = load_settings_module({}, tmp_path)
    form_targets = module.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]
    assert form_targets == ["'self'", module.STRIPE_API_BASE]


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts or "email" in path.parts:
            continue  # emails are not pages: mail clients run no scripts
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, HANDLER, JS_URL, FILTER):
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []
