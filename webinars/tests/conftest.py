import pytest

from conftest import free_port


@pytest.fixture
def stripe_down(settings):
    """Stripe is unreachable: the gateway points at a closed port on 127.0.0.1 (a real
    connection refusal, no mock)."""
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"
    settings.STRIPE_LOCAL_MODE = True
    return settings.STRIPE_API_BASE


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash a password per user; PBKDF2 would dominate these tests' run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
