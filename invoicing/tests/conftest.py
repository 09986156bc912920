import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def platform(settings):
    """The supplier on B2C invoices, as production would configure it."""
    settings.PLATFORM_LEGAL_NAME = "Coaching Platform AG"
    settings.PLATFORM_ADDRESS = "Bahnhofstrasse 1\n8001 Zürich\nSwitzerland"
    settings.PLATFORM_VAT_NUMBER = "CHE-123.456.789 MWST"
    return settings
