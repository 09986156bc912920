"""What a refund request needs to know about what a payment paid for, without payments
importing the domains: each selling app registers a source in its AppConfig.ready().

`lookup(user, object_id)` -> the user's Payment for the app's object (registration, booking)
or None; `service(payment)` -> Service or None."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User
    from payments.models import Payment

# `lookup(user, object_id)` and `service(payment)` of the module docstring.
PaymentLookup = Callable[["User", int], "Payment | None"]
ServiceOf = Callable[["Payment"], "Service | None"]


@dataclass(frozen=True)
class Service:
    label: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class RefundSource:
    purpose: str
    lookup_field: str  # the request body's field, e.g. "booking_id"
    lookup: PaymentLookup
    service: ServiceOf


_SOURCES: dict[str, RefundSource] = {}


def register_refund_source(
    *, purpose: str, lookup_field: str, lookup: PaymentLookup, service: ServiceOf
) -> None:
    _SOURCES[purpose] = RefundSource(purpose, lookup_field, lookup, service)


def sources() -> list[RefundSource]:
    return list(_SOURCES.values())


def service_of(payment: Payment) -> Service | None:
    source = _SOURCES.get(payment.purpose)
    return source.service(payment) if source else None
