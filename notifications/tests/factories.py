import factory

from accounts.tests.factories import UserFactory
from notifications.models import Notification, NotificationPreference, OutboundEmail
from notifications.types import NotificationCategory, NotificationType


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    type = NotificationType.PAYMENT_RECEIVED
    category = NotificationCategory.PAYMENT
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened."
    link = "/bookings/mine/"


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    category = NotificationCategory.BOOKING
    in_app = True
    email = True


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEmail

    recipient = factory.SubFactory(UserFactory)
    to_email = factory.LazyAttribute(lambda o: o.recipient.email)
    subject = "Your booking"
    body_text = "Hello"
    body_html = "<p>Hello</p>"


def session_booking(*, client=None, coach=None, start=None, minutes=60, **fields):
    """A confirmed 1:1 booking row (the bookings app's own factories may replace this)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tests.factories import CoachFactory
    from bookings.models import Booking, SessionType

    coach = coach or CoachFactory()
    client = client or UserFactory()
    start = start or timezone.now() + timedelta(days=3)
    session_type = SessionType.objects.create(coach=coach, name="Career coaching")
    values = {
        "coach": coach,
        "client": client,
        "session_type": session_type,
        "title": "Career coaching",
        "start": start,
        "end": start + timedelta(minutes=minutes),
        "timezone": client.timezone,
        "status": Booking.Status.CONFIRMED,
        "booking_type": Booking.Type.FIRM,
        "currency": "CHF",
        "amount_total": "150.00",
        **fields,
    }
    return Booking.objects.create(**values)
