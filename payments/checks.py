"""System checks for the Stripe setup, run at start (runserver, `manage.py check`).

In local mode our localstripe launcher writes var/localstripe.json naming the secret it signs
webhooks with; if that differs from STRIPE_WEBHOOK_SECRET every webhook would be rejected with
400 and payments would never finalize. Report it at start instead of discovering it later.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from payments.localstripe import STATE_FILE_NAME


def _masked(secret: str) -> str:
    return f"{secret[:6]}…{secret[-4:]}" if len(secret) > 12 else "(too short)"


@register("payments")
def check_localstripe_webhook_secret(
    app_configs: Any | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.STRIPE_LOCAL_MODE:
        return []
    state_path = Path(settings.VAR_DIR) / STATE_FILE_NAME
    try:
        state = json.loads(state_path.read_text())
    except FileNotFoundError:
        return []  # localstripe not started through our launcher yet: nothing to compare
    except (OSError, ValueError) as exc:
        return [
            Warning(
                f"{state_path} is unreadable ({exc}).",
                id="payments.W001",
                hint="Restart localstripe: python -m payments.localstripe (or make run).",
            )
        ]
    if state.get("api_base", "").rstrip("/") != settings.STRIPE_API_BASE:
        return []  # that launcher served another STRIPE_API_BASE: not the one we talk to
    signing_secret = state.get("webhook_secret", "")
    if signing_secret and signing_secret != settings.STRIPE_WEBHOOK_SECRET:
        return [
            Error(
                "localstripe signs webhooks with a different secret than the app verifies: "
                f"webhook_secret in {state_path} is {_masked(signing_secret)} but "
                f"STRIPE_WEBHOOK_SECRET is {_masked(settings.STRIPE_WEBHOOK_SECRET)}; every "
                "webhook would be rejected and payments would never be finalized.",
                hint="Use one secret: restart localstripe with --webhook-secret "
                "$STRIPE_WEBHOOK_SECRET (make run does), or set STRIPE_WEBHOOK_SECRET to the "
                "secret localstripe was started with.",
                id="payments.E001",
            )
        ]
    return []
