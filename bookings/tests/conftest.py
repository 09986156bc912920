import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.6 s per user on these machines; these tests never log in with a
    password over HTTP (they use force_login), so a cheap hasher is enough."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
