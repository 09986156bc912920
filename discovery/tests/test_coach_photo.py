"""Coach profile photos (issue 15 item 6): uploaded on the profile page, checked, re-encoded
and resized with Pillow, stored through the storage API, served under the profile's
visibility rules; and the profile by the Coach's id."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Block
from accounts.tests.factories import CoachFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _image(fmt="PNG", size=(1200, 800), color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def _post(client, coach, upload, **extra):
    data = {
        "user-first_name": coach.user.first_name,
        "user-last_name": coach.user.last_name,
        "user-timezone": "Europe/Zurich",
        "coach-headline": coach.headline,
        "coach-bio": coach.bio,
        "coach-hourly_rate": "120.00",
        "coach-currency": "CHF",
        "coach-calendar_visibility": coach.calendar_visibility,
        "coach-is_listed": "on",
        **extra,
    }
    if upload is not None:
        data["coach-photo_upload"] = upload
    client.force_login(coach.user)
    return client.post(reverse("accounts:profile"), data)


def test_an_uploaded_photo_is_cropped_square_resized_and_shown_on_the_profile(client):
    coach = CoachFactory()
    response = _post(client, coach, SimpleUploadedFile("me.png", _image(), "image/png"))

    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.photo.name.startswith("coach-photos/") and coach.photo.name.endswith(".jpg")
    with Image.open(coach.photo.open("rb")) as stored:
        assert (stored.format, stored.size) == ("JPEG", (400, 400))
    html = client.get(coach.get_absolute_url()).content.decode()
    assert f'src="{coach.photo_url}"' in html
    photo = client.get(coach.photo_url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    "name, data, content_type",
    [
        ("notes.png", b"this is not an image", "image/png"),
        (
            "evil.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        ("anim.gif", None, "image/gif"),
    ],
    ids=["not-an-image", "svg-with-script", "gif"],
)
def test_a_file_that_is_not_a_jpeg_png_or_webp_is_refused_with_a_field_error(
    client, name, data, content_type
):
    coach = CoachFactory()
    if data is None:
        data = _image("GIF", size=(50, 50))
    response = _post(client, coach, SimpleUploadedFile(name, data, content_type))

    assert response.status_code == 400
    assert "Upload a JPEG, PNG or WebP image." in response.content.decode()
    coach.refresh_from_db()
    assert not coach.photo


def test_a_20_mb_upload_is_refused_with_the_limit_in_the_message(client):
    coach = CoachFactory()
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (20 * 1024 * 1024), "image/png")
    response = _post(client, coach, big)

    assert response.status_code == 400
    assert "the limit is 5 MB" in response.content.decode()
    coach.refresh_from_db()
    assert not coach.photo


def test_a_new_photo_replaces_the_old_file_and_remove_clears_it(
    client, django_capture_on_commit_callbacks
):
    coach = CoachFactory()
    _post(client, coach, SimpleUploadedFile("a.png", _image(color=(1, 2, 3)), "image/png"))
    coach.refresh_from_db()
    first = coach.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, coach, SimpleUploadedFile("b.png", _image(color=(9, 9, 9)), "image/png"))
    coach.refresh_from_db()
    assert coach.photo.name != first
    assert not coach.photo.storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, coach, None, **{"coach-remove_photo": "on"})
    coach.refresh_from_db()
    assert not coach.photo


def test_an_unlisted_or_blocking_coachs_photo_is_404_for_others(client):
    coach = CoachFactory()
    _post(client, coach, SimpleUploadedFile("me.png", _image(), "image/png"))
    coach.refresh_from_db()
    url = coach.photo_url
    client.logout()
    assert client.get(url).status_code == 200

    blocked = UserFactory()
    Block.objects.create(blocker=coach.user, blocked=blocked)
    client.force_login(blocked)
    assert client.get(url).status_code == 404

    coach.is_listed = False
    coach.save(update_fields=["is_listed"])
    client.logout()
    assert client.get(url).status_code == 404


def test_the_profile_answers_at_the_coachs_id_with_the_slug_url_as_canonical(client):
    coach = CoachFactory(headline="Negotiation coach")
    response = client.get(reverse("discovery:coach_profile_by_id", args=[coach.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Negotiation coach" in html
    assert f'<link rel="canonical" href="{coach.get_absolute_url()}">' in html
    assert client.get("/coaches/99999999999/").status_code == 404


def test_a_coach_whose_name_is_only_digits_gets_a_slug_that_is_not_an_id():
    coach = CoachFactory(user__first_name="", user__last_name="", user__email="12345@example.com")
    assert coach.slug == "coach-12345"
