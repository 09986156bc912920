from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings

COACH_PERMISSIONS = [
    f"bookings.{action}_{model}"
    for model in (
        "sessiontype",
        "availabilityslot",
        "availabilityseries",
        "timebasedrate",
        "specialperiod",
        "discountcode",
    )
    for action in ("view", "add", "change", "delete")
] + [
    "bookings.view_booking",
    "bookings.change_booking",  # only its meeting link is editable (BookingAdmin)
    "bookings.view_suggestedtime",
]


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "1:1 sessions"

    def ready(self) -> None:
        from accounts.roles import register_coach_permissions
        from bookings import live_renderers, payment_handlers, reminders
        from bookings.payout_sources import session_end_of_payment
        from payments.handlers import register_purpose
        from payments.models import Payment
        from payments.payouts.schedule import register_service_end

        register_coach_permissions(*COACH_PERMISSIONS)
        from bookings.dispute_evidence import booking_dispute_evidence
        from payments.disputes.evidence import register_evidence_source

        register_evidence_source(Payment.Purpose.SESSION_BOOKING, booking_dispute_evidence)
        register_service_end(session_end_of_payment)
        from bookings.refund_sources import booking_payment, booking_service
        from payments.refunds.sources import register_refund_source

        register_refund_source(
            purpose=Payment.Purpose.SESSION_BOOKING,
            lookup_field="booking_id",
            lookup=booking_payment,
            service=booking_service,
        )
        from bookings.selectors import BUSY_SOURCE, session_busy_time
        from core.busy_time import register_busy_time_provider

        register_busy_time_provider(BUSY_SOURCE, session_busy_time)
        register_purpose(
            Payment.Purpose.SESSION_BOOKING,
            on_succeeded=payment_handlers.on_succeeded,
            on_failed=payment_handlers.on_failed,
            on_refunded=payment_handlers.on_refunded,
            on_authorized=payment_handlers.on_authorized,
        )
        from accounts.deletion import register_deletion_blocker
        from bookings.deletion import upcoming_bookings_of

        register_deletion_blocker("bookings", upcoming_bookings_of)
        from accounts.suspension import user_suspended
        from bookings.services.suspension import on_user_suspended

        user_suspended.connect(on_user_suspended, dispatch_uid="bookings.on_user_suspended")
        reminders.register()
        live_renderers.register()
        settings.CELERY_BEAT_SCHEDULE.update(
            {
                "bookings-expire": {
                    "task": "bookings.tasks.expire_bookings",
                    "schedule": timedelta(minutes=1),
                },
                "bookings-complete": {
                    "task": "bookings.tasks.complete_sessions",
                    "schedule": timedelta(minutes=10),
                },
                "bookings-settle-refunds": {
                    "task": "bookings.tasks.settle_owed_refunds",
                    "schedule": timedelta(minutes=10),
                },
            }
        )
