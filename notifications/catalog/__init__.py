"""What each notification type says, how urgent it is, and which invite it carries.

One entry per `NotificationType`. A builder turns (recipient, target facts, context) into the
words people read; the same words go to the bell, the notifications page and the email.
Times are formatted in the recipient's timezone by the caller (`timezone.override`).

One module per domain (webinars, payments, sessions, accounts, reviews), each with its
builders and its entries; `base` holds the shapes and formatting helpers; `SPECS` here joins
the entries.
"""

from notifications.catalog.base import (
    ALL_CHANNELS,
    EMAIL,
    HIGH,
    IN_APP,
    LOW,
    NORMAL,
    Content,
    Spec,
    context_name,
    money,
    paid_sentence,
    session_details,
    when,
)
from notifications.catalog.registry import (
    SPECS,
    spec_for,
)

__all__ = [
    "IN_APP",
    "EMAIL",
    "ALL_CHANNELS",
    "Content",
    "Spec",
    "when",
    "money",
    "session_details",
    "context_name",
    "paid_sentence",
    "HIGH",
    "NORMAL",
    "LOW",
    "SPECS",
    "spec_for",
]
