"""Words for account notifications: connections, welcome, security mail."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from notifications.catalog.base import HIGH, LOW, NORMAL, Content, Spec, context_name, when
from notifications.types import NotificationCategory as Cat
from notifications.types import NotificationType as T

# --- connections --------------------------------------------------------------------------


def _connection_requested(recipient, info, context):
    who = context_name(context, "requester_name", "")
    return Content(
        title=f"{who} wants to connect",
        body=f"{who} asked to connect with you.",
        link=context.get("link", info.link),
    )


def _connection_accepted(recipient, info, context):
    who = context_name(context, "accepter_name", "")
    return Content(
        title=f"{who} accepted your connection",
        body=f"You are now connected with {who}.",
        link=context.get("link", info.link),
    )


def _welcome(recipient, info, context):
    name = getattr(recipient, "first_name", "") or getattr(recipient, "display_name", "")
    body = "Your account is ready. Find a coach and book a 1:1 session or a live webinar."
    details = [("Your time zone", str(getattr(recipient, "timezone", "") or ""))]
    if getattr(recipient, "is_coach", False):
        body += (
            " You signed up as a coach: complete your profile (headline, bio, hourly rate) and "
            "manage your sessions and webinars in the coach admin."
        )
        details += [("Your profile", f"{settings.SITE_URL}/accounts/profile/")]
        details += [("Coach admin", f"{settings.SITE_URL}/admin/")]
    body += " Times on the site are shown in your time zone; change it on your profile."
    return Content(
        title=f"Welcome to Coaching Platform, {name}".rstrip(", "),
        body=body,
        link="/",
        cta_label="Find a coach",
        details=details,
    )


def _email_verify(recipient, info, context):
    address = str(context.get("email") or getattr(recipient, "email", ""))
    return Content(
        title="Confirm your email address",
        body=(
            f"Please confirm that {address} is your email address. The link is valid for "
            f"{context.get('valid_days', 3)} days."
            + (
                " Your account keeps its current address until you confirm the new one."
                if context.get("change")
                else ""
            )
        ),
        link=str(context["link"]),
        cta_label="Confirm my email address",
    )


def _password_reset(recipient, info, context):
    return Content(
        title="Reset your password",
        body=(
            "Someone (hopefully you) asked to reset the password of your account. The link "
            f"works once and for {context.get('valid_hours', 1)} hour(s). If it was not you, "
            "ignore this email: your password stays as it is."
        ),
        link=str(context["link"]),
        cta_label="Choose a new password",
    )


def _password_changed(recipient, info, context):
    return Content(
        title="Your password was changed",
        body=(
            "The password of your account was just changed. If that was not you, reset it now "
            "from the login page and tell us."
        ),
        link="/accounts/password_reset/",
        cta_label="Reset my password",
    )


def _email_changed(recipient, info, context):
    return Content(
        title="Your email address was changed",
        body=(
            f"Your account now uses {context.get('new_email', '')}; this address gets no more "
            "emails from us. If that was not you, contact support."
        ),
        link="/accounts/settings/",
        cta_label="Account settings",
    )


def _account_warning(recipient, info, context):
    reason = str(context.get("reason") or "").strip()
    return Content(
        title="A warning about your account",
        body=(
            (f"{reason} " if reason else "")
            + "Please follow the platform's rules: if this goes on, your account may be hidden "
            "from search or suspended. If you think this is a mistake, contact support."
        ),
        link="/",
        cta_label="Open Coaching Platform",
    )


def _account_suspended(recipient, info, context):
    reason = str(context.get("reason") or "").strip()
    until = context.get("until")
    if until:
        end = when(datetime.fromisoformat(str(until)))
        title = f"Your account is suspended until {end}"
    else:
        title = "Your account is banned"
    body = (
        (f"Reason: {reason}. " if reason else "")
        + "You can still log in, but you cannot book, register for webinars or sell sessions. "
        "Your open holds and requests were released; sessions and webinars you were to give "
        "are cancelled and their clients refunded in full. If you think this is a mistake, "
        "contact support."
    )
    return Content(title=title, body=body, link="/", cta_label="Open Coaching Platform")


def _account_restored(recipient, info, context):
    return Content(
        title="Your account is restored",
        body="The restriction on your account was lifted: you can book and sell again.",
        link="/",
        cta_label="Open Coaching Platform",
    )


SPECS: dict[str, Spec] = {
    T.CONNECTION_REQUESTED: Spec(Cat.ACCOUNT, NORMAL, _connection_requested),
    T.CONNECTION_ACCEPTED: Spec(Cat.ACCOUNT, LOW, _connection_accepted),
    # Sent once, at signup, before anyone could have chosen preferences: always delivered.
    T.WELCOME: Spec(Cat.ACCOUNT, NORMAL, _welcome, email_mandatory=True),
    # Security mail: always delivered, whatever the preferences (accounts sends them email-only).
    T.EMAIL_VERIFY: Spec(Cat.ACCOUNT, HIGH, _email_verify, email_mandatory=True),
    T.PASSWORD_RESET: Spec(Cat.ACCOUNT, HIGH, _password_reset, email_mandatory=True),
    T.PASSWORD_CHANGED: Spec(Cat.ACCOUNT, HIGH, _password_changed, email_mandatory=True),
    T.EMAIL_CHANGED: Spec(Cat.ACCOUNT, HIGH, _email_changed, email_mandatory=True),
    # Sanctions: the person must hear about them, whatever their preferences.
    T.ACCOUNT_WARNING: Spec(Cat.ACCOUNT, HIGH, _account_warning, email_mandatory=True),
    T.ACCOUNT_SUSPENDED: Spec(Cat.ACCOUNT, HIGH, _account_suspended, email_mandatory=True),
    T.ACCOUNT_RESTORED: Spec(Cat.ACCOUNT, NORMAL, _account_restored, email_mandatory=True),
}
