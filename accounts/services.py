from django.db import IntegrityError, transaction

from accounts.errors import EmailTaken
from accounts.models import User
from accounts.roles import make_coach
from core.oncommit import enqueue_on_commit


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
    return user
