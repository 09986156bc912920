"""The demo people `seed_demo` creates: who they are and their known passwords.

Kept apart from the command so `runlocal` can print the same logins after start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ADMIN_PASSWORD = "admin-demo-2026"
DEMO_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    name: str


ADMIN = DemoLogin("staff admin", "admin@example.com", ADMIN_PASSWORD, "Sam Admin")
COACH = DemoLogin("coach", "coach@example.com", DEMO_PASSWORD, "Maya Keller")
CLIENTS = (
    DemoLogin("client", "anna@example.com", DEMO_PASSWORD, "Anna Meier"),
    DemoLogin("client", "ben@example.com", DEMO_PASSWORD, "Ben Fischer"),
)
DEMO_LOGINS = (ADMIN, COACH, *CLIENTS)

# The coach every app's demo.py builds on (payments/demo.py onboards the demo coaches on the
# Connect stand-in, so they are Stripe-ready: real account ids, no made-up ones).
COACH_PROFILE = {
    "headline": "Leadership and career coach",
    "bio": (
        "Twelve years leading product teams, now helping new managers find their feet. "
        "Practical sessions on feedback, delegation and the first 90 days in a new role."
    ),
    "hourly_rate": Decimal("150.00"),
    "currency": "CHF",
    "timezone": "Europe/Zurich",
}
# Two more listed coaches so the directory looks like a directory.
OTHER_COACHES = (
    (
        DemoLogin("coach", "jonas@example.com", DEMO_PASSWORD, "Jonas Weber"),
        {
            "headline": "Public speaking and executive presence",
            "bio": "Former radio host. Rehearsal-based coaching for talks, pitches and panels.",
            "hourly_rate": Decimal("180.00"),
            "currency": "CHF",
            "timezone": "Europe/Berlin",
        },
    ),
    (
        DemoLogin("coach", "lina@example.com", DEMO_PASSWORD, "Lina Costa"),
        {
            "headline": "Career transitions and job search strategy",
            "bio": "From CV to negotiation: a plan for your next move, one step per session.",
            "hourly_rate": Decimal("120.00"),
            "currency": "EUR",
            "timezone": "Europe/Lisbon",
        },
    ),
)
CLIENT_TIMEZONES = {"anna@example.com": "Europe/Berlin", "ben@example.com": "America/New_York"}


def format_logins(site_url: str) -> str:
    width = max(len(login.email) for login in DEMO_LOGINS)
    lines = [
        f"Open {site_url}/ and log in with one of these demo accounts:",
        *(
            f"  {login.role:<12} {login.email:<{width}}  password: {login.password}"
            for login in DEMO_LOGINS
        ),
        f"Admin (staff and coaches): {site_url}/admin/",
    ]
    return "\n".join(lines)


@dataclass
class DemoAccounts:
    admin: object
    coach: object  # accounts.Coach, Stripe-ready
    clients: list
    other_coaches: list
    created: list[str]


def _ensure_user(login: DemoLogin, *, timezone: str, created: list[str], **extra):
    from accounts.models import User

    first_name, last_name = login.name.split(" ", 1)
    user = User.objects.filter(email__iexact=login.email).first()
    if user is None:
        user = User(email=login.email)
        created.append(f"user {login.email} ({login.role})")
    user.first_name, user.last_name, user.timezone = first_name, last_name, timezone
    for name, value in extra.items():
        setattr(user, name, value)
    user.is_active = True
    # Reset on every run so the printed password always works.
    user.set_password(login.password)
    user.save()
    return user


def _ensure_coach(login: DemoLogin, profile: dict, *, created: list[str]):
    from accounts.models import Coach
    from accounts.roles import make_coach

    fields = dict(profile)
    user = _ensure_user(login, timezone=fields.pop("timezone"), created=created)
    make_coach(user)
    Coach.objects.filter(user=user).update(is_listed=True, **fields)
    return Coach.objects.select_related("user").get(user=user)


def ensure_demo_accounts() -> DemoAccounts:
    """Create or reset the demo people (idempotent: matched by email, nothing duplicated)."""
    from django.db import transaction

    from accounts.models import User

    created: list[str] = []
    with transaction.atomic():
        admin = _ensure_user(
            ADMIN,
            timezone="Europe/Zurich",
            created=created,
            role=User.Role.STAFF,
            is_staff=True,
            is_superuser=True,
        )
        coach = _ensure_coach(COACH, COACH_PROFILE, created=created)
        other_coaches = [_ensure_coach(login, p, created=created) for login, p in OTHER_COACHES]
        clients = [
            _ensure_user(login, timezone=CLIENT_TIMEZONES[login.email], created=created)
            for login in CLIENTS
        ]
    return DemoAccounts(admin, coach, clients, other_coaches, created)
