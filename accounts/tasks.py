from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from accounts.models import User


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_welcome_email(user_id: int) -> None:
    """Thin adapter: queued on commit by `user_signup`."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return  # deleted or deactivated before the worker got to it
    context = {"user": user, "site_url": settings.SITE_URL}
    send_mail(
        subject=render_to_string("accounts/email/welcome_subject.txt", context).strip(),
        message=render_to_string("accounts/email/welcome.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
