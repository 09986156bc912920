from django.db import transaction

from accounts.models import User
from accounts.roles import make_coach


@transaction.atomic
def user_signup(*, email: str, password: str, first_name: str, last_name: str, timezone: str,
                is_coach: bool = False) -> User:
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name,
        timezone=timezone,
    )
    if is_coach:
        make_coach(user)
    return user
