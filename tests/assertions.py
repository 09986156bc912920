"""Assertions several apps' tests share."""

from django.urls import reverse


def assert_admin_says_does_not_exist(client, response) -> None:
    """The admin's answer to the URL of an object outside the user's queryset: a redirect to
    the admin index with one "doesn't exist" message. A login redirect (a user who is not let
    into the admin at all) goes elsewhere and fails this."""
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert len(messages) == 1 and "doesn’t exist" in messages[0], messages
