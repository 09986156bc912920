"""Shapes of a catalog entry and the formatting helpers every domain's words use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from notifications.targets import TargetInfo
from payments.money import format_money

IN_APP = "in_app"
EMAIL = "email"
ALL_CHANNELS = frozenset({IN_APP, EMAIL})


@dataclass
class Content:
    title: str
    body: str
    link: str = ""
    cta_label: str = "View details"
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Spec:
    category: str
    priority: str
    build: Callable[[object, TargetInfo, dict], Content]
    ics_method: str = ""  # "REQUEST" attaches an invite, "CANCEL" a cancellation
    email_mandatory: bool = False  # money moved: the email cannot be switched off
    # Notices about the same target that this one settles (an answered request is no longer
    # something to act on): `notify` marks them read for whoever received them.
    resolves: frozenset[str] = frozenset()


def when(value: datetime | None) -> str:
    """`Mon 12 Jan 2026, 18:00 CET` in the active (recipient's) timezone."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or "")


def money(amount, currency: str) -> str:
    if amount is None or not currency:
        return ""
    return format_money(Decimal(amount), currency)


def session_details(info: TargetInfo) -> list[tuple[str, str]]:
    details = []
    if info.starts_at:
        details.append(("When", when(info.starts_at)))
    if info.ends_at:
        details.append(("Until", when(info.ends_at)))
    if info.coach_name:
        details.append(("Coach", info.coach_name))
    return details


def context_name(context: dict, key: str, fallback: str) -> str:
    return str(context.get(key) or fallback or "Someone")


# --- webinars -----------------------------------------------------------------------------


def paid_sentence(info: TargetInfo) -> str:
    """ "We received your payment of CHF 120.00." when money was actually taken."""
    paid = money(info.amount_paid, info.currency) if info.amount_paid else ""
    return f"We received your payment of {paid}. " if paid else ""


HIGH, NORMAL, LOW = "high", "normal", "low"
