import pytest

from conftest import free_port


@pytest.fixture
def stripe_down(settings):
    """Stripe is unreachable: the gateway points at a closed port on 127.0.0.1 (a real
    connection refusal, no mock)."""
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"
    settings.STRIPE_LOCAL_MODE = True
    return settings.STRIPE_API_BASE
