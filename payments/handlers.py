"""What happens to the thing a payment pays for, per purpose (webinar seat, 1:1 booking).

The webhook (and reconciliation) update the `Payment` itself and then call the handlers of the
purpose named in the PaymentIntent's metadata (`Payment.purpose`). Each app registers its
handlers once, in its AppConfig.ready():

    register_purpose(Payment.Purpose.WEBINAR_REGISTRATION,
                     on_succeeded=..., on_failed=..., on_refunded=...)

Handlers run inside the webhook's transaction with the payment row locked (lock order:
payment first, then the purpose's rows). They must not call Stripe: to give money back they
call `payments.services.payment_refund_later`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

logger = logging.getLogger(__name__)

IntentHandler = Callable[[Any, dict[str, Any]], None]  # (payment, intent) -> None
RefundHandler = Callable[[Any, Decimal], None]  # (payment, refund_amount) -> None


@dataclass(frozen=True)
class PurposeHandlers:
    on_succeeded: IntentHandler
    on_failed: IntentHandler
    on_refunded: RefundHandler
    on_authorized: IntentHandler | None = None


_REGISTRY: dict[str, PurposeHandlers] = {}


def register_purpose(
    purpose: str,
    *,
    on_succeeded: IntentHandler,
    on_failed: IntentHandler,
    on_refunded: RefundHandler,
    on_authorized: IntentHandler | None = None,
) -> None:
    _REGISTRY[str(purpose)] = PurposeHandlers(on_succeeded, on_failed, on_refunded, on_authorized)


def handlers_for(purpose: str) -> PurposeHandlers | None:
    handlers = _REGISTRY.get(str(purpose))
    if handlers is None:
        logger.error("no payment handlers registered for purpose %r", purpose)
    return handlers
