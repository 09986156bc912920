"""The webhook-secret system check: a localstripe that signs with another secret than the one
we verify is an Error at start (runserver, manage.py check), not a mystery 400 later."""

import json

import pytest
from django.core import checks

from payments.checks import check_localstripe_webhook_secret


@pytest.fixture
def local_mode(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.STRIPE_LOCAL_MODE = True
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_the_app_verifies_this"
    return settings


def write_state(settings, **state):
    (settings.VAR_DIR / "localstripe.json").write_text(
        json.dumps({"api_base": "http://127.0.0.1:8420", **state})
    )


def test_mismatched_secret_is_an_error_naming_both_settings(local_mode):
    write_state(local_mode, webhook_secret="whsec_localstripe_signs_with_this")

    errors = check_localstripe_webhook_secret()

    assert [e.id for e in errors] == ["payments.E001"]
    assert errors[0].level == checks.ERROR
    assert "STRIPE_WEBHOOK_SECRET" in errors[0].msg
    assert "webhook_secret in" in errors[0].msg
    assert "localstripe.json" in errors[0].msg
    assert "whsec_the_app_verifies_this" not in errors[0].msg  # masked, not printed whole


def test_matching_secret_passes(local_mode):
    write_state(local_mode, webhook_secret="whsec_the_app_verifies_this")

    assert check_localstripe_webhook_secret() == []


def test_no_state_file_passes(local_mode):
    assert check_localstripe_webhook_secret() == []


def test_state_of_a_localstripe_on_another_base_is_not_compared(local_mode):
    write_state(local_mode, webhook_secret="whsec_other", api_base="http://127.0.0.1:9999")

    assert check_localstripe_webhook_secret() == []


def test_real_stripe_mode_skips_the_check(local_mode):
    write_state(local_mode, webhook_secret="whsec_localstripe_signs_with_this")
    local_mode.STRIPE_LOCAL_MODE = False

    assert check_localstripe_webhook_secret() == []


def test_unreadable_state_file_is_a_warning(local_mode):
    (local_mode.VAR_DIR / "localstripe.json").write_text("{not json")

    assert [w.id for w in check_localstripe_webhook_secret()] == ["payments.W001"]


def test_check_is_registered_with_django(local_mode):
    write_state(local_mode, webhook_secret="whsec_localstripe_signs_with_this")

    assert "payments.E001" in [message.id for message in checks.run_checks()]
