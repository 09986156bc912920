"""Connections between a client and a coach, and blocks (seed 002 connections, seed 004
user blocking). The Connection and Block models live in accounts; these are their writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block, Coach, Connection
from bookings.errors import BookingError, InvalidTransition, NotAllowed, NotFound
from bookings.selectors import is_blocked_between
from notifications.services import notify
from notifications.types import NotificationType

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def connection_request(*, client: User, coach: Coach) -> Connection:
    """A client asks to connect with a coach (again, after a decline)."""
    if client.pk == coach.user_id:
        raise BookingError("You cannot connect with yourself.")
    if is_blocked_between(client.pk, coach.user_id):
        raise NotAllowed("You cannot connect with this coach.", code="blocked")
    connection = Connection.objects.select_for_update().filter(client=client, coach=coach).first()
    if connection is not None and connection.status != Connection.Status.DECLINED:
        raise InvalidTransition(
            "You are already connected."
            if connection.status == Connection.Status.ACCEPTED
            else "Your request is waiting for the coach's answer."
        )
    if connection is None:
        try:
            with transaction.atomic():
                connection = Connection.objects.create(
                    client=client, coach=coach, requested_by=client
                )
        except IntegrityError:
            raise InvalidTransition("Your request is waiting for the coach's answer.") from None
    else:
        connection.status = Connection.Status.PENDING
        connection.requested_by = client
        connection.responded_at = None
        connection.save(update_fields=["status", "requested_by", "responded_at"])
    notify(
        recipient=coach.user,
        type=NotificationType.CONNECTION_REQUESTED,
        context={"requester_name": client.display_name, "link": "/coach/requests/#connections"},
    )
    return connection


@transaction.atomic
def connection_respond(*, coach_user: User, connection_id: int, accept: bool) -> Connection:
    connection = (
        Connection.objects.select_for_update()
        .select_related("client", "coach__user")
        .filter(pk=connection_id)
        .first()
    )
    if connection is None or connection.coach.user_id != coach_user.pk:
        raise NotFound("This connection request does not exist.")
    if connection.status != Connection.Status.PENDING:
        raise InvalidTransition("This connection request has already been answered.")
    connection.status = Connection.Status.ACCEPTED if accept else Connection.Status.DECLINED
    connection.responded_at = timezone.now()
    connection.save(update_fields=["status", "responded_at"])
    if accept:
        notify(
            recipient=connection.client,
            type=NotificationType.CONNECTION_ACCEPTED,
            context={
                "accepter_name": coach_user.display_name,
                "link": reverse("bookings:calendar", kwargs={"coach_id": connection.coach_id}),
            },
        )
    return connection


@transaction.atomic
def user_block(*, blocker: User, blocked: User) -> Block:
    """Block someone: neither sees the other's calendar or can book the other. A connection
    between them is ended."""
    if blocker.pk == blocked.pk:
        raise BookingError("You cannot block yourself.")
    block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    Connection.objects.filter(client=blocker, coach__user=blocked).delete()
    Connection.objects.filter(client=blocked, coach__user=blocker).delete()
    return block


@transaction.atomic
def user_unblock(*, blocker: User, blocked: User) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()
