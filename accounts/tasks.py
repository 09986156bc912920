from celery import shared_task

from accounts.models import User


@shared_task
def send_welcome_email(user_id: int) -> None:
    """Thin adapter: queued on commit by `user_signup`. The words and the delivery (outbox,
    retries, in-app copy) belong to the notifications app (type WELCOME, always emailed)."""
    from notifications.services import notify
    from notifications.types import NotificationType

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return  # deleted or deactivated before the worker got to it
    notify(recipient=user, type=NotificationType.WELCOME)
