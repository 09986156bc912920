"""Name fields say what they are for (WCAG 1.3.5), so browsers can fill them in."""

import pytest

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/profile/"])
def test_name_fields_carry_their_autocomplete_purpose(client, url):
    if url == "/accounts/profile/":
        client.force_login(UserFactory())
    html = client.get(url).content.decode()
    assert 'autocomplete="given-name"' in html
    assert 'autocomplete="family-name"' in html
