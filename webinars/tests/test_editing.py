"""The webinar editing services and the coach's editor on the site (issue 16): every
invariant refused with a field error and nothing saved; the editor's pages and their 404s."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoachFactory, UserFactory
from notifications.models import Notification
from webinars.errors import NotYourWebinar, WebinarInvalid
from webinars.models import Material, Webinar, WebinarSlot
from webinars.services import (
    Edit,
    NewMaterial,
    SlotChange,
    webinar_create,
    webinar_material_add,
    webinar_publish,
    webinar_slot_reschedule,
    webinar_unpublish,
    webinar_update,
)
from webinars.tests.factories import HeldRegistrationFactory, RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


def _stored(webinar) -> dict:
    webinar.refresh_from_db()
    return {
        f: getattr(webinar, f) for f in ("max_attendees", "price", "early_bird_price", "status")
    }


def test_capacity_below_the_seats_held_and_sold_is_refused_and_nothing_saved():
    webinar = WebinarFactory(max_attendees=10)
    RegistrationFactory.create_batch(3, webinar=webinar)
    HeldRegistrationFactory(webinar=webinar)
    before = _stored(webinar)
    with pytest.raises(WebinarInvalid) as caught:
        webinar_update(
            webinar_id=webinar.pk,
            by=webinar.coach.user,
            edit=Edit(fields={"max_attendees": 3, "title": "Renamed"}),
        )
    assert "4 seat(s) are already held or sold" in caught.value.errors["max_attendees"][0]
    assert _stored(webinar) == before
    assert Webinar.objects.get(pk=webinar.pk).title != "Renamed"


def test_capacity_down_to_the_live_seat_count_is_allowed():
    webinar = WebinarFactory(max_attendees=10)
    RegistrationFactory.create_batch(3, webinar=webinar)
    webinar_update(
        webinar_id=webinar.pk, by=webinar.coach.user, edit=Edit(fields={"max_attendees": 3})
    )
    assert _stored(webinar)["max_attendees"] == 3


def test_a_price_change_keeps_the_price_of_seats_already_held_or_sold():
    webinar = WebinarFactory(price=Decimal("120.00"))
    sold = RegistrationFactory(webinar=webinar, amount=Decimal("120.00"))
    held = HeldRegistrationFactory(webinar=webinar, amount=Decimal("120.00"))
    webinar_update(
        webinar_id=webinar.pk, by=webinar.coach.user, edit=Edit(fields={"price": Decimal("90")})
    )
    sold.refresh_from_db()
    held.refresh_from_db()
    assert (sold.amount, held.amount) == (Decimal("120.00"), Decimal("120.00"))
    assert _stored(webinar)["price"] == Decimal("90")


def test_the_currency_cannot_change_once_a_seat_was_sold():
    webinar = WebinarFactory()
    RegistrationFactory(webinar=webinar)
    with pytest.raises(WebinarInvalid) as caught:
        webinar_update(
            webinar_id=webinar.pk, by=webinar.coach.user, edit=Edit(fields={"currency": "EUR"})
        )
    assert "currency" in caught.value.errors
    webinar.refresh_from_db()
    assert webinar.currency == "CHF"


def test_an_early_bird_price_above_the_regular_price_is_refused():
    webinar = WebinarFactory(price=Decimal("100"))
    with pytest.raises(WebinarInvalid) as caught:
        webinar_update(
            webinar_id=webinar.pk,
            by=webinar.coach.user,
            edit=Edit(
                fields={
                    "early_bird_price": Decimal("150"),
                    "early_bird_deadline": timezone.now() + timedelta(days=1),
                }
            ),
        )
    assert "early_bird_price" in caught.value.errors
    assert _stored(webinar)["early_bird_price"] is None


def test_an_early_bird_deadline_after_the_start_is_refused():
    webinar = WebinarFactory(slots__starts_in=timedelta(days=3))
    with pytest.raises(WebinarInvalid) as caught:
        webinar_update(
            webinar_id=webinar.pk,
            by=webinar.coach.user,
            edit=Edit(
                fields={
                    "early_bird_price": Decimal("50"),
                    "early_bird_deadline": timezone.now() + timedelta(days=5),
                }
            ),
        )
    assert "before the webinar starts" in caught.value.errors["early_bird_deadline"][0]


def test_a_slot_in_the_past_is_refused_and_none_is_added():
    webinar = WebinarFactory()
    past = timezone.now() - timedelta(days=1)
    with pytest.raises(WebinarInvalid) as caught:
        webinar_update(
            webinar_id=webinar.pk,
            by=webinar.coach.user,
            edit=Edit(slots=[SlotChange(start=past, end=past + timedelta(hours=1))]),
        )
    assert "past" in caught.value.errors["start"][0]
    assert WebinarSlot.objects.filter(webinar=webinar).count() == 1


def test_moving_a_slot_tells_every_attendee():
    webinar = WebinarFactory()
    attendee = RegistrationFactory(webinar=webinar).user
    slot = webinar.slots.get()
    new_start = slot.start + timedelta(days=2)
    webinar_slot_reschedule(
        slot_id=slot.pk, by=webinar.coach.user, start=new_start, end=new_start + timedelta(hours=2)
    )
    slot.refresh_from_db()
    assert slot.start == new_start
    notice = Notification.objects.get(recipient=attendee, type="webinar_rescheduled")
    assert webinar.title in notice.title


@pytest.mark.parametrize(
    ("name", "data", "size", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", None, "not accepted"),
        ("notes.pdf", b"\x7fELF\x02", None, "Programs and scripts"),
        ("big.pdf", b"%PDF-1.4", 50 * 1024 * 1024, "larger than"),
    ],
)
def test_an_executable_or_a_50_mb_material_is_refused(name, data, size, message):
    webinar = WebinarFactory()
    upload = SimpleUploadedFile(name, data)
    if size:
        upload.size = size
    with pytest.raises(WebinarInvalid) as caught:
        webinar_material_add(
            webinar_id=webinar.pk,
            by=webinar.coach.user,
            material=NewMaterial(title="Slides", file=upload),
        )
    assert message in " ".join(caught.value.errors["material_file"])
    assert not Material.objects.filter(webinar=webinar).exists()


def test_a_pdf_material_is_stored_through_the_storage_api():
    webinar = WebinarFactory()
    material = webinar_material_add(
        webinar_id=webinar.pk,
        by=webinar.coach.user,
        material=NewMaterial(title="Slides", file=SimpleUploadedFile("s.pdf", b"%PDF-1.4 x")),
    )
    assert material.file.storage.exists(material.file.name)
    assert material.file.read() == b"%PDF-1.4 x"


def test_another_coach_cannot_edit():
    webinar = WebinarFactory()
    with pytest.raises(NotYourWebinar):
        webinar_update(
            webinar_id=webinar.pk,
            by=CoachFactory().user,
            edit=Edit(fields={"title": "Mine now"}),
        )


def test_create_is_a_draft_and_publish_opens_it_then_unpublish_hides_it():
    coach = CoachFactory()
    start = timezone.now() + timedelta(days=10)
    webinar = webinar_create(
        coach=coach,
        by=coach.user,
        fields={"title": "Feedback", "price": Decimal("40"), "max_attendees": 12},
        slots=[SlotChange(start=start, end=start + timedelta(hours=1))],
    )
    assert webinar.status == Webinar.Status.DRAFT
    assert webinar_publish(webinar_id=webinar.pk, by=coach.user).status == "scheduled"
    assert webinar_unpublish(webinar_id=webinar.pk, by=coach.user).status == "draft"


def test_publish_without_price_or_date_is_refused():
    coach = CoachFactory()
    webinar = webinar_create(coach=coach, by=coach.user, fields={"title": "T", "max_attendees": 5})
    with pytest.raises(WebinarInvalid) as caught:
        webinar_publish(webinar_id=webinar.pk, by=coach.user)
    assert set(caught.value.errors) == {"price", "slots"}
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.DRAFT


def test_unpublish_with_seats_sold_is_refused():
    webinar = WebinarFactory()
    RegistrationFactory(webinar=webinar)
    with pytest.raises(WebinarInvalid):
        webinar_unpublish(webinar_id=webinar.pk, by=webinar.coach.user)
    assert _stored(webinar)["status"] == Webinar.Status.SCHEDULED


# --- the editor pages ---------------------------------------------------------------------


def _editor_post(webinar=None, **overrides) -> dict:
    start = timezone.localtime(timezone.now() + timedelta(days=14))
    data = {
        "title": "Remote rituals",
        "description": "How teams meet well.",
        "price": "80.00",
        "early_bird_price": "",
        "early_bird_deadline": "",
        "max_attendees": "15",
        "min_attendees": "0",
        "join_link": "",
        "full_refund_hours": "48",
        "partial_refund_hours": "24",
        "partial_refund_percent": "50",
        "slots-TOTAL_FORMS": "1",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "20",
        "slots-0-slot_id": "",
        "slots-0-start": start.strftime(LOCAL),
        "slots-0-end": (start + timedelta(hours=2)).strftime(LOCAL),
    }
    data.update(overrides)
    return data


def test_a_coach_creates_a_draft_on_the_site_and_publishes_it(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    response = client.post(reverse("webinars:new"), _editor_post())
    webinar = Webinar.objects.get(coach=coach)
    assert response.status_code == 302
    assert response["Location"] == reverse("webinars:edit", args=[webinar.pk])
    assert (webinar.status, webinar.price, webinar.slots.count()) == ("draft", Decimal("80"), 1)
    client.post(reverse("webinars:publish", args=[webinar.pk]))
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.SCHEDULED


def test_the_editor_saves_the_attendee_cancellation_terms(client):
    webinar = WebinarFactory()
    client.force_login(webinar.coach.user)
    response = client.post(
        reverse("webinars:edit", args=[webinar.pk]),
        _editor_post(
            full_refund_hours="72",
            partial_refund_hours="12",
            partial_refund_percent="25",
            **{"slots-TOTAL_FORMS": "0"},
        ),
    )
    assert response.status_code == 302
    webinar.refresh_from_db()
    assert (webinar.full_refund_hours, webinar.partial_refund_hours) == (72, 12)
    assert webinar.partial_refund_percent == 25


def test_the_editor_refuses_a_full_refund_deadline_after_the_partial_one(client):
    webinar = WebinarFactory()
    client.force_login(webinar.coach.user)
    response = client.post(
        reverse("webinars:edit", args=[webinar.pk]),
        _editor_post(
            full_refund_hours="12", partial_refund_hours="24", **{"slots-TOTAL_FORMS": "0"}
        ),
    )
    assert response.status_code == 400
    assert "must come before the partial one" in response.content.decode()
    webinar.refresh_from_db()
    assert (webinar.full_refund_hours, webinar.partial_refund_hours) == (48, 24)


def test_the_editor_shows_a_field_error_for_capacity_below_seats_sold(client):
    webinar = WebinarFactory(max_attendees=10)
    RegistrationFactory.create_batch(4, webinar=webinar)
    client.force_login(webinar.coach.user)
    response = client.post(
        reverse("webinars:edit", args=[webinar.pk]),
        _editor_post(max_attendees="2", **{"slots-TOTAL_FORMS": "0"}),
    )
    assert response.status_code == 400
    assert "the capacity cannot be lower" in response.content.decode()
    assert _stored(webinar)["max_attendees"] == 10


def test_the_editor_refuses_an_executable_upload_with_a_field_error(client):
    webinar = WebinarFactory()
    client.force_login(webinar.coach.user)
    data = _editor_post(
        **{"slots-TOTAL_FORMS": "0", "material_title": "Tool"},
    )
    data["material_file"] = SimpleUploadedFile("tool.exe", b"MZ\x90\x00")
    response = client.post(reverse("webinars:edit", args=[webinar.pk]), data)
    assert response.status_code == 400
    assert "are not accepted" in response.content.decode()
    assert not Material.objects.filter(webinar=webinar).exists()


def test_the_editor_refuses_a_past_slot_with_a_field_error(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    past = timezone.localtime(timezone.now() - timedelta(days=2))
    response = client.post(
        reverse("webinars:new"),
        _editor_post(
            **{
                "slots-0-start": past.strftime(LOCAL),
                "slots-0-end": (past + timedelta(hours=1)).strftime(LOCAL),
            }
        ),
    )
    assert response.status_code == 400
    assert "cannot start in the past" in response.content.decode()
    assert not Webinar.objects.filter(coach=coach).exists()


def test_another_coachs_edit_and_publish_urls_are_404(client):
    webinar = WebinarFactory(status=Webinar.Status.DRAFT)
    client.force_login(CoachFactory().user)
    assert client.get(reverse("webinars:edit", args=[webinar.pk])).status_code == 404
    assert client.post(reverse("webinars:publish", args=[webinar.pk])).status_code == 404
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.DRAFT


def test_a_client_gets_403_on_the_new_webinar_page(client):
    client.force_login(UserFactory())
    assert client.get(reverse("webinars:new")).status_code == 403


def test_the_editor_page_renders_slots_in_the_coachs_time_zone(client):
    webinar = WebinarFactory()
    webinar.coach.user.timezone = "Asia/Tokyo"
    webinar.coach.user.save(update_fields=["timezone"])
    client.force_login(webinar.coach.user)
    html = client.get(reverse("webinars:edit", args=[webinar.pk])).content.decode()
    import zoneinfo

    local = webinar.slots.get().start.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert local.strftime(LOCAL) in html
