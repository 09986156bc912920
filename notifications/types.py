"""Every kind of notification the platform sends (the seeds' NotificationTypes).

Producers call `notifications.services.notify(recipient=..., type=NotificationType.X,
target=<model instance>, context={...})`; the notifications app owns titles, bodies, email
templates, categories, priorities and which channels each type uses.
"""

from django.db import models


class NotificationCategory(models.TextChoices):
    BOOKING = "booking", "Bookings and webinars"
    PAYMENT = "payment", "Payments and refunds"
    REMINDER = "reminder", "Reminders"
    ACCOUNT = "account", "Account and connections"


class NotificationType(models.TextChoices):
    # Webinars (seed 000)
    WEBINAR_BOOKING_CONFIRMED = "webinar_booking_confirmed", "Webinar booking confirmed"
    WEBINAR_NEW_ATTENDEE = "webinar_new_attendee", "New webinar attendee"
    WEBINAR_BOOKING_FAILED_FULL = "webinar_booking_failed_full", "Webinar full, payment refunded"
    WEBINAR_CANCELLED = "webinar_cancelled", "Webinar cancelled"
    # Client self-service (issue 15)
    WEBINAR_SEAT_CANCELLED = "webinar_seat_cancelled", "You cancelled your webinar seat"
    WEBINAR_ATTENDEE_CANCELLED = "webinar_attendee_cancelled", "An attendee cancelled their seat"
    WEBINAR_WAITLIST_OFFER = "webinar_waitlist_offer", "A seat is free for you (waitlist)"
    WEBINAR_RESCHEDULED = "webinar_rescheduled", "Webinar date moved"
    # Payments (seed 001)
    PAYMENT_RECEIVED = "payment_received", "Payment received"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    PAYMENT_REFUNDED = "payment_refunded", "Payment refunded"
    # Payouts (issue 12): coaches get paid, staff hear about failed transfers
    PAYOUT_SETTLEMENT_ADVICE = "payout_settlement_advice", "Payout sent, settlement advice"
    PAYOUT_FAILED = "payout_failed", "Payout to a coach failed"
    # Disputes (issue 14): staff hear about chargebacks and their deadlines
    DISPUTE_OPENED = "dispute_opened", "A client disputed a payment"
    DISPUTE_DUE_SOON = "dispute_due_soon", "Dispute evidence due soon"
    DISPUTE_CLOSED = "dispute_closed", "Dispute closed"
    # Refund requests (issue 14): both the client and the coach hear about every step
    REFUND_REQUEST_OPENED = "refund_request_opened", "Refund requested"
    REFUND_REQUEST_APPROVED = "refund_request_approved", "Refund request approved"
    REFUND_REQUEST_DECLINED = "refund_request_declined", "Refund request declined"
    REFUND_REQUEST_ESCALATED = "refund_request_escalated", "Refund request escalated to staff"
    REFUND_REQUEST_RESOLVED = "refund_request_resolved", "Refund request decided by staff"
    REFUND_REQUEST_MESSAGE = "refund_request_message", "New message on a refund request"
    # Reviews (issue 18): the coach hears about a new review, the author about the reply
    REVIEW_RECEIVED = "review_received", "New review of you"
    REVIEW_REPLIED = "review_replied", "The coach replied to your review"
    # Reminders
    SESSION_REMINDER = "session_reminder", "Reminder before a session"
    # 1:1 bookings (seed 002)
    BOOKING_REQUESTED = "booking_requested", "Booking request received"
    BOOKING_REQUEST_SENT = "booking_request_sent", "Booking request sent"
    BOOKING_CONFIRMED = "booking_confirmed", "Booking confirmed"
    BOOKING_ACCEPTED = "booking_accepted", "Booking request accepted"
    BOOKING_DECLINED = "booking_declined", "Booking request declined"
    BOOKING_TIME_SUGGESTED = "booking_time_suggested", "Alternative time suggested"
    BOOKING_CANCELLED_BY_CLIENT = "booking_cancelled_by_client", "Booking cancelled by client"
    BOOKING_CANCELLED_BY_COACH = "booking_cancelled_by_coach", "Booking cancelled by coach"
    BOOKING_RESCHEDULED = "booking_rescheduled", "Booking rescheduled"
    BOOKING_WITHDRAWN = "booking_withdrawn", "Booking request withdrawn by the client"
    # Connections (seed 002 calendar visibility)
    CONNECTION_REQUESTED = "connection_requested", "Connection request"
    CONNECTION_ACCEPTED = "connection_accepted", "Connection accepted"
    # Account
    WELCOME = "welcome", "Welcome to the platform"
    EMAIL_VERIFY = "email_verify", "Confirm your email address"
    PASSWORD_RESET = "password_reset", "Password reset link"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    EMAIL_CHANGED = "email_changed", "Email address changed"
    # Sanctions (accounts.suspension, issue 18): moderation, the trust score or staff
    ACCOUNT_WARNING = "account_warning", "Warning about your account"
    ACCOUNT_SUSPENDED = "account_suspended", "Your account is suspended"
    ACCOUNT_RESTORED = "account_restored", "Your account is restored"
