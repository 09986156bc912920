from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import verification
from accounts.deletion import deletion_blockers
from accounts.errors import AccountError, AccountHasBookings, EmailTaken
from accounts.models import User
from accounts.roles import make_coach
from core.oncommit import enqueue_on_commit

logger = logging.getLogger(__name__)


@transaction.atomic
def user_signup(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    timezone: str,
    is_coach: bool = False,
) -> User:
    """Create a client (or coach) account; the welcome email is queued after commit.

    Raises EmailTaken when the address (in any letter case) is already registered: the form
    checks first, the database's case-insensitive unique constraint settles a race.
    """
    from accounts.tasks import send_welcome_email

    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                timezone=timezone,
            )
    except IntegrityError as exc:
        raise EmailTaken() from exc
    if is_coach:
        make_coach(user)
    enqueue_on_commit(send_welcome_email, user.pk)  # a broker outage never undoes a signup
    email_verification_send(user=user)
    return user


def _notify(**kwargs) -> None:
    from notifications.services import notify

    notify(channels={"email"}, **kwargs)


def email_verification_send(*, user: User, email: str | None = None) -> None:
    """Email a confirmation link for `email` (default: the account's address) to that address.
    Written to the outbox in the caller's transaction, sent after commit."""
    from notifications.types import NotificationType

    address = (email or user.email).lower()
    token = verification.make_token(user_id=user.pk, email=address)
    _notify(
        recipient=user,
        type=NotificationType.EMAIL_VERIFY,
        to_email=address,
        context={
            "link": reverse("accounts:verify_email", args=[token]),
            "email": address,
            "change": address != user.email.lower(),
            "valid_days": verification.max_age_seconds() // 86400,
        },
    )


class VerifyOutcome:
    VERIFIED = "verified"  # the signup address is confirmed
    CHANGED = "changed"  # the new address is confirmed and now the account's email
    ALREADY = "already"  # the link was used before
    INVALID = "invalid"  # forged, expired, or for an address the account no longer asks for
    TAKEN = "taken"  # someone registered the new address meanwhile


@transaction.atomic
def user_email_verify(*, token: str) -> tuple[str, User | None]:
    """Apply a verification link. Returns (VerifyOutcome, the user or None)."""
    from notifications.types import NotificationType

    claim = verification.read_token(token)
    if claim is None:
        return VerifyOutcome.INVALID, None
    user = User.objects.select_for_update().filter(pk=claim.user_id, is_active=True).first()
    if user is None:
        return VerifyOutcome.INVALID, None
    if claim.email == user.email.lower():
        if user.email_verified_at is not None:
            return VerifyOutcome.ALREADY, user
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        _address_confirmed(claim.email)
        return VerifyOutcome.VERIFIED, user
    if user.pending_email and claim.email == user.pending_email.lower():
        old_email = user.email
        if User.objects.filter(email__iexact=claim.email).exclude(pk=user.pk).exists():
            return VerifyOutcome.TAKEN, user
        user.email = claim.email
        user.pending_email = ""
        user.email_verified_at = timezone.now()
        user.email_undeliverable = ""  # that was about the old address (banner goes)
        try:
            with transaction.atomic():
                user.save(
                    update_fields=[
                        "email",
                        "pending_email",
                        "email_verified_at",
                        "email_undeliverable",
                    ]
                )
        except IntegrityError:
            return VerifyOutcome.TAKEN, user
        _address_confirmed(claim.email)
        _notify(
            recipient=user,
            type=NotificationType.EMAIL_CHANGED,
            to_email=old_email,
            context={"new_email": claim.email},
        )
        return VerifyOutcome.CHANGED, user
    return VerifyOutcome.INVALID, user


def _address_confirmed(email: str) -> None:
    """The owner followed a link mailed to `email`: it receives mail, so a suppression from an
    old bounce no longer applies (the banner about an unreachable address goes; a changed
    address leaves the banner of the old one behind with it)."""
    from notifications.suppressions import suppressions_lift_for_address

    suppressions_lift_for_address(email=email, note="address confirmed by its owner")


@transaction.atomic
def user_email_change_request(*, user: User, new_email: str) -> None:
    """Ask to move the account to `new_email`: it takes effect once the link sent there is
    followed (user_email_verify); until then the account keeps its address."""
    new_email = new_email.strip().lower()
    if new_email == user.email.lower():
        raise AccountError("That is already your email address.", field="email")
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise EmailTaken()
    User.objects.filter(pk=user.pk).update(pending_email=new_email)
    user.pending_email = new_email
    email_verification_send(user=user, email=new_email)


def password_reset_send(*, user: User, link: str) -> None:
    """The reset email, through the outbox (the form builds the one-use link)."""
    from notifications.types import NotificationType

    _notify(
        recipient=user,
        type=NotificationType.PASSWORD_RESET,
        context={"link": link, "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)},
    )


def user_password_changed(*, user: User, via_reset: bool) -> None:
    """After a change or a reset: tell the owner, and after a reset lift any login lockout
    (django-axes) on the address, so the new password works at once."""
    from notifications.types import NotificationType

    if via_reset:
        from axes.utils import reset as axes_reset

        from accounts.throttling import login_username

        axes_reset(username=login_username(None, {"username": user.email}))
    _notify(recipient=user, type=NotificationType.PASSWORD_CHANGED)


ANONYMOUS_NAME = "Deleted user"


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the person's account. Refused (AccountHasBookings) while they have future
    bookings or seats, as a client or as a coach. Payments, refunds and issued invoices stay
    (bookkeeping law); the account row they point to is anonymised: no name, no email, no
    password, no sessions; notifications, connections, blocks and billing details go."""
    blockers = deletion_blockers(user=user)
    if blockers:
        raise AccountHasBookings(blockers)
    user = User.objects.select_for_update().get(pk=user.pk)
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.pending_email = ""
    user.first_name = ANONYMOUS_NAME
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.email_verified_at = None
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()
    user.coach_connections.all().delete()
    user.blocks_made.all().delete()
    user.blocks_received.all().delete()
    coach = getattr(user, "coach_profile", None)
    if coach is not None:
        coach.is_listed = False
        coach.headline = ""
        coach.bio = ""
        coach.save(update_fields=["is_listed", "headline", "bio", "updated_at"])
        coach.connections.all().delete()
    _delete_related(user, "notifications")
    _delete_related(user, "notification_preferences")
    _delete_related(user, "billing_details")
    _delete_related(user, "outbound_emails")
    # Its sessions end by themselves: an inactive account with a new password hash is logged
    # out on its next request (session auth hash, ModelBackend refuses inactive users).
    logger.info("account %s deleted and anonymised", user.pk)


def _delete_related(user: User, name: str) -> None:
    related = getattr(user, name, None)
    if related is None:
        return
    if hasattr(related, "all"):
        related.all().delete()
    elif hasattr(related, "delete"):
        related.delete()
