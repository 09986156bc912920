from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class WebinarsConfig(AppConfig):
    name = "webinars"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_reinstall_stored_count_triggers, sender=self)
        from accounts.roles import register_coach_permissions
        from core.busy_time import register_busy_time_provider
        from payments.handlers import register_purpose
        from payments.models import Payment
        from payments.payouts.schedule import register_service_end
        from webinars import live_renderers, payment_handlers, reminders
        from webinars.payout_sources import webinar_end_of_payment
        from webinars.selectors import BUSY_SOURCE, webinar_busy_time

        register_busy_time_provider(BUSY_SOURCE, webinar_busy_time)
        register_service_end(webinar_end_of_payment)
        from payments.refunds.sources import register_refund_source
        from webinars.refund_sources import registration_payment, registration_service

        register_refund_source(
            purpose=Payment.Purpose.WEBINAR_REGISTRATION,
            lookup_field="registration_id",
            lookup=registration_payment,
            service=registration_service,
        )
        from payments.disputes.evidence import register_evidence_source
        from webinars.dispute_evidence import registration_dispute_evidence

        register_evidence_source(
            Payment.Purpose.WEBINAR_REGISTRATION, registration_dispute_evidence
        )
        register_purpose(
            Payment.Purpose.WEBINAR_REGISTRATION,
            on_succeeded=payment_handlers.on_succeeded,
            on_failed=payment_handlers.on_failed,
            on_refunded=payment_handlers.on_refunded,
        )
        register_coach_permissions(
            "webinars.view_webinar",
            "webinars.add_webinar",
            "webinars.change_webinar",
            "webinars.delete_webinar",
            "webinars.view_webinarslot",
            "webinars.add_webinarslot",
            "webinars.change_webinarslot",
            "webinars.delete_webinarslot",
            "webinars.view_material",
            "webinars.add_material",
            "webinars.change_material",
            "webinars.delete_material",
            "webinars.view_registration",
        )
        from accounts.deletion import register_deletion_blocker
        from webinars.deletion import upcoming_webinars_of

        register_deletion_blocker("webinars", upcoming_webinars_of)
        from accounts.suspension import user_suspended
        from webinars.services.suspension import on_user_suspended

        user_suspended.connect(on_user_suspended, dispatch_uid="webinars.on_user_suspended")
        reminders.register()
        live_renderers.register()
        settings.CELERY_BEAT_SCHEDULE.update(
            {
                "webinars-expire-holds": {
                    "task": "webinars.tasks.expire_holds",
                    "schedule": timedelta(minutes=1),
                },
                "webinars-complete": {
                    "task": "webinars.tasks.complete_webinars",
                    "schedule": timedelta(minutes=5),
                },
                "webinars-settle-seat-refunds": {
                    "task": "webinars.tasks.settle_seat_refunds",
                    "schedule": timedelta(minutes=10),
                },
            }
        )


def _reinstall_stored_count_triggers(sender, using="default", **kwargs):
    """SQLite drops a table's triggers when a migration rebuilds it: put them back (the
    statements are idempotent) once the columns they write exist."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from webinars import stored_counts, stored_registration_times

    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    if ("webinars", "0006_stored_times_and_seats") in applied:
        stored_counts.install_triggers(connection)
    if stored_registration_times.MIGRATION in applied:
        stored_registration_times.install_triggers(connection)
