import json

from accounts.errors import AccountError
from bookings.errors import BookingError, NotFound
from core.errors import DomainError
from core.http import json_error
from invoicing.errors import InvoicingError
from payments.errors import CardDeclined, PaymentError
from webinars.errors import WebinarError, WebinarNotFound


def test_every_app_base_error_is_a_domain_error():
    for cls in (AccountError, BookingError, InvoicingError, PaymentError, WebinarError):
        assert issubclass(cls, DomainError)


def test_json_error_keeps_status_and_message_code_shape():
    response = json_error(CardDeclined("Your card was declined.", code="card_declined"))
    assert response.status_code == 402
    assert json.loads(response.content) == {
        "message": "Your card was declined.",
        "code": "card_declined",
    }
    response = json_error(NotFound("No such booking."))
    assert response.status_code == 404
    assert json.loads(response.content) == {"message": "No such booking.", "code": "not_found"}


def test_json_error_falls_back_to_default_message():
    response = json_error(WebinarNotFound())
    assert response.status_code == 404
    assert json.loads(response.content)["message"] == "Webinar not found."
