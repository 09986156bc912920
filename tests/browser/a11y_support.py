"""The accessibility layer's shared parts: one seeded world for a whole module, page states for
anonymous, client and coach, session cookies made in the test process (no form login, no
PBKDF2 per page), axe-core (vendored, tests/a11y/vendor/axe.min.js) and the reflow check.

A *page state* is a URL plus, optionally, what a person does there before it is checked
(open the webinar modal, open the booking modal and choose a time, start paying). The states
are listed once in `page_states(world)`; the axe/reflow test, the screenshots and the HTML
validation all parametrize over the same list.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from conftest import ROOT

AXE_JS = ROOT / "tests" / "a11y" / "vendor" / "axe.min.js"
# A11Y_SCREENSHOTS=1 (or a folder): full-page screenshots of every state at 320, 390 and
# 1280 px, into var/screenshots/ (or that folder). Off by default: they cost time in CI.
_SHOTS = os.environ.get("A11Y_SCREENSHOTS", "")
TAKE_SCREENSHOTS = bool(_SHOTS) and _SHOTS != "0"
SCREENSHOT_DIR = Path(_SHOTS) if _SHOTS not in {"", "0", "1"} else ROOT / "var" / "screenshots"
WIDTHS = (320, 390, 1280)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}


@dataclass
class World:
    coach: object
    coach_user: object
    ada: object
    bob: object
    webinar: object
    booked_webinar: object
    pay_webinar: object
    booking: object
    request: object
    monday: dt.date
    week: dt.date
    staff: object = None
    full_webinar: object = None  # no seat left: "Join the waitlist"
    waitlist_webinar: object = None  # full, Ada waits in line
    offered_webinar: object = None  # a seat offered to Ada from its waitlist
    ada_request: object = None  # Ada's request with a suggested time (pick, withdraw)
    past_paid: object = None  # Ada's paid session last week (Ask for a refund)
    refund_request: object = None  # Ada's open refund request on another past session
    intro_type: object = None  # a free "Intro call" guests may book without an account
    guest_booking: object = None  # a guest's confirmed intro call (its signed manage page)
    review: object = None  # Bob's review of the coach (answered); Ada may still review hers


def seed_world() -> World:
    """Committed rows the server process sees: a coach with session types, availability and
    webinars; Ada (a client with a booking, a booked webinar, notifications); Bob (an open
    request in the coach's inbox). Nobody here logs in with a password (session cookies do),
    so the users get a fast hash instead of PBKDF2's ~0.3 s each."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        return _seed_world()


def _seed_world() -> World:
    from accounts.tests.factories import CoachFactory, UserFactory
    from bookings.models import Booking
    from bookings.tests.factories import (
        AvailabilitySlotFactory,
        BookingFactory,
        DiscountCodeFactory,
        SessionTypeFactory,
        at,
        future_weekday,
    )
    from notifications.tests.factories import NotificationFactory
    from webinars.tests.factories import MaterialFactory, RegistrationFactory, WebinarFactory

    coach = CoachFactory(
        user__first_name="Jane",
        user__last_name="Coach",
        user__email="jane.coach@example.com",
        headline="Leadership and career coaching",
        hourly_rate=Decimal("150.00"),
    )
    session_type = SessionTypeFactory(coach=coach, name="1:1 Coaching")
    SessionTypeFactory(coach=coach, name="Career check-in")
    monday = future_weekday(0, weeks_ahead=3)
    tuesday = monday + dt.timedelta(days=1)
    AvailabilitySlotFactory(
        coach=coach, start=at(monday, 9), end=at(monday, 17), instant_booking=True
    )
    AvailabilitySlotFactory(
        coach=coach, start=at(tuesday, 9), end=at(tuesday, 17), instant_booking=False
    )
    DiscountCodeFactory(coach=coach, code="WELCOME10")
    ada = UserFactory(first_name="Ada", last_name="Client", email="ada@example.com")
    bob = UserFactory(first_name="Bob", last_name="Requester", email="bob@example.com")
    webinar = WebinarFactory(
        coach=coach,
        title="Leading remote teams",
        price=Decimal("150.00"),
        early_bird_price=Decimal("120.00"),
        early_bird_deadline=timezone.now() + dt.timedelta(days=3),
        max_attendees=10,
    )
    MaterialFactory(webinar=webinar, title="Workbook")
    booked_webinar = WebinarFactory(coach=coach, title="Feedback that lands", max_attendees=8)
    MaterialFactory(webinar=booked_webinar, title="Slides")
    RegistrationFactory(webinar=booked_webinar, user=ada)
    pay_webinar = WebinarFactory(coach=coach, title="Running good one-on-ones")
    booking = BookingFactory(
        coach=coach,
        client=ada,
        session_type=session_type,
        start=at(monday, 14),
        end=at(monday, 15),
    )
    request = BookingFactory(
        coach=coach,
        client=bob,
        session_type=session_type,
        start=at(tuesday, 10),
        end=at(tuesday, 11),
        status=Booking.Status.REQUESTED,
        booking_type=Booking.Type.REQUEST,
        client_message="Could we focus on my next promotion?",
    )
    # Issue 15: a full webinar (Join the waitlist), one where Ada waits in line, Ada's request.
    from webinars.models import WaitlistEntry

    full_webinar = WebinarFactory(coach=coach, title="Negotiation basics", max_attendees=1)
    RegistrationFactory(webinar=full_webinar, user=bob)
    waitlist_webinar = WebinarFactory(coach=coach, title="Hiring well", max_attendees=1)
    RegistrationFactory(webinar=waitlist_webinar, user=bob)
    WaitlistEntry.objects.create(webinar=waitlist_webinar, user=ada)
    offered_webinar = WebinarFactory(coach=coach, title="Delegating well", max_attendees=1)
    offer_until = timezone.now() + dt.timedelta(hours=12)
    offered_seat = RegistrationFactory(
        webinar=offered_webinar,
        user=ada,
        status="held",
        confirmed_at=None,
        hold_expires_at=offer_until,
    )
    WaitlistEntry.objects.create(
        webinar=offered_webinar,
        user=ada,
        status=WaitlistEntry.Status.OFFERED,
        registration=offered_seat,
        offered_at=timezone.now(),
        offer_expires_at=offer_until,
    )
    # Answered with another time (not in the coach's open-request count): Ada may pick it,
    # decline it or withdraw the request.
    ada_request = BookingFactory(
        coach=coach,
        client=ada,
        session_type=session_type,
        start=at(tuesday, 14),
        end=at(tuesday, 15),
        status=Booking.Status.TIME_SUGGESTED,
        booking_type=Booking.Type.REQUEST,
    )
    from bookings.models import SuggestedTime

    SuggestedTime.objects.create(booking=ada_request, start=at(tuesday, 15), end=at(tuesday, 16))
    # Issue 14: two paid sessions last week; Ada asked for money back on one of them.
    from payments.models import Payment, RefundRequest
    from payments.tests.factories import PaymentFactory

    past_paid = past_refunded = None
    for days, kind in ((6, "paid"), (5, "asked")):
        start = timezone.now() - dt.timedelta(days=days)
        payment = PaymentFactory(payer=ada, coach=coach, status=Payment.Status.COMPLETED)
        past = BookingFactory(
            coach=coach,
            client=ada,
            session_type=session_type,
            start=start,
            end=start + dt.timedelta(hours=1),
            status=Booking.Status.COMPLETED,
            payment=payment,
        )
        if kind == "paid":
            past_paid = past
        else:
            past_refunded = RefundRequest.objects.create(
                payment=payment,
                client=ada,
                coach=coach,
                purchase_label=past.title,
                service_end=past.end,
                amount=Decimal("40.00"),
                currency="CHF",
                reason="technical",
                coach_due_at=timezone.now() + dt.timedelta(hours=72),
            )
            past_refunded.messages.create(
                author=ada, role="client", body="The video froze for twenty minutes."
            )
            past_refunded.events.create(actor=ada, action="opened", detail="CHF 40.00")
    # Issue 17: a free intro call that guests book without an account, and one guest booking.
    intro_type = SessionTypeFactory(
        coach=coach,
        name="Intro call",
        price_factor=Decimal("0"),
        duration_default=30,
        duration_min=30,
        duration_max=30,
    )
    guest_booking = BookingFactory(
        coach=coach,
        client=None,
        guest_name="Gina Guest",
        guest_email="gina.guest@example.org",
        source=Booking.Source.GUEST,
        session_type=intro_type,
        title="Intro call",
        start=at(monday, 16),
        end=at(monday, 16, 30),
        amount_total=Decimal("0.00"),
    )
    # A flush removes what data migrations shipped: the legal pages, as the migration has them.
    from launch.models import LegalPage

    for slug, title in (("terms", "Terms of service"), ("privacy", "Privacy policy")):
        LegalPage.objects.get_or_create(
            slug=slug, defaults={"title": title, "body": "Placeholder.\n\nSecond paragraph."}
        )
    LegalPage.objects.get_or_create(slug="imprint", defaults={"title": "Imprint", "body": "-"})
    # Issue 18 #2: two reviews on the profile (one answered by the coach); Ada's two past
    # sessions above are still reviewable, so her profile view shows the form.
    from reviews.models import Review

    reviews = []
    for days, author, rating, text in (
        (3, bob, 5, "Clear, kind and practical: I use the feedback model every week."),
        (2, UserFactory(first_name="Cleo", last_name="Client"), 4, "Good questions."),
    ):
        start = timezone.now() - dt.timedelta(days=days)
        attended = BookingFactory(
            coach=coach,
            client=author,
            session_type=session_type,
            start=start,
            end=start + dt.timedelta(hours=1),
            status=Booking.Status.COMPLETED,
        )
        reviews.append(
            Review.objects.create(
                coach=coach, author=author, booking=attended, rating=rating, text=text
            )
        )
    reviews[0].reply_text, reviews[0].replied_at = "Thank you, Bob!", timezone.now()
    reviews[0].save()
    from accounts.models import User

    staff = UserFactory(
        first_name="Sam", last_name="Staff", email="sam.staff@example.com", role=User.Role.STAFF
    )
    long_link = "/webinars/?utm_source=newsletter&utm_medium=email&utm_campaign=" + "x" * 80
    for user in (ada, coach.user):
        NotificationFactory(recipient=user, title="Payment received", link=long_link)
        NotificationFactory(recipient=user, title="Booking confirmed", link="/bookings/mine/")
    return World(
        coach=coach,
        coach_user=coach.user,
        ada=ada,
        bob=bob,
        webinar=webinar,
        booked_webinar=booked_webinar,
        pay_webinar=pay_webinar,
        booking=booking,
        request=request,
        monday=monday,
        week=monday,
        staff=staff,
        full_webinar=full_webinar,
        waitlist_webinar=waitlist_webinar,
        offered_webinar=offered_webinar,
        ada_request=ada_request,
        past_paid=past_paid,
        refund_request=past_refunded,
        intro_type=intro_type,
        guest_booking=guest_booking,
        review=reviews[0],
    )


def session_cookie(user) -> str:
    """A logged-in session for `user`, created in the test process's (shared) database
    (Django's test client `force_login`: no PBKDF2 verification)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@dataclass(frozen=True)
class PageState:
    id: str
    role: str  # "anonymous" | "client" | "coach" | "staff"
    path: str
    action: Callable | None = None  # action(page) after loading: opens a modal, etc.
    fragment: str | None = None  # an htmx fragment URL to validate as HTML as well
    status: int = 200  # what the page answers (an invalid form: 400, logged by the console)


def _wait_htmx(page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def open_webinar_modal(page) -> None:
    page.locator(".webinar-card").first.get_by_role("link").first.click()
    page.locator("#modal-root [role=dialog], #modal-root dialog[open]").first.wait_for()
    _wait_htmx(page)


def open_booking_modal(page) -> None:
    page.get_by_test_id("free-slot").first.click()
    page.locator("#modal-root [role=dialog], #modal-root dialog[open]").first.wait_for()
    _wait_htmx(page)


def open_booking_modal_and_choose(page) -> None:
    open_booking_modal(page)
    with page.expect_response(lambda r: "/book/" in r.url):
        page.get_by_role("radio", name="10:00").check()
    _wait_htmx(page)
    page.get_by_test_id("price-total").wait_for()


def start_paying(page) -> None:
    page.get_by_role("button", name="Book webinar").click()
    page.get_by_text("Your seat is held for").wait_for()
    page.get_by_text("You have no saved cards yet").wait_for()
    _wait_htmx(page)


def open_seat_cancel_modal(page) -> None:
    page.get_by_role("link", name="Cancel my seat").click()
    page.locator("#modal-root dialog[open]").first.wait_for()
    _wait_htmx(page)


def open_search_popover(page) -> None:
    """Type in the header search box (discovery) until the quick-results listbox is open
    and an option is active (ArrowDown)."""
    box = page.get_by_role("combobox", name="Search coaches, webinars and sessions")
    box.press_sequentially("coach")
    page.locator("#search-popover [role=listbox]").wait_for()
    _wait_htmx(page)
    box.press("ArrowDown")


def submit_empty_signup(page) -> None:
    page.get_by_role("button", name="Create account").click()
    page.locator("[role=alert]").first.wait_for()


def submit_empty_lead_form(page) -> None:
    page.get_by_role("button", name="Keep me posted").click()
    page.locator("[role=alert]").first.wait_for()


def submit_empty_guest_booking_form(page) -> None:
    """The "Book as guest" form sent with nothing filled in: the server's field errors."""
    page.get_by_role("button", name="Book as guest").click()
    page.locator("#guest-error[role=alert]").wait_for()


def submit_empty_webinar_form(page) -> None:
    page.get_by_role("button", name="Save as draft").click()
    page.locator("[role=alert]").first.wait_for()


def _guest_manage_path(world: World) -> str:
    from bookings.guest_links import manage_path

    return manage_path(world.guest_booking) if world.guest_booking else "/"


def submit_empty_review_form(page) -> None:
    """On the coach's profile: publish the review form with nothing chosen (400 page)."""
    page.get_by_role("button", name="Publish review").click()
    page.locator("[role=alert]").first.wait_for()


def open_report_form(page) -> None:
    """The coach profile's "Report" disclosure (moderation), opened with the keyboard and a
    reason chosen."""
    report = page.locator("[id^=report-coach-]")  # the profile's own (reviews have theirs)
    report.locator(".report-disclosure summary").focus()
    page.keyboard.press("Enter")
    report.get_by_label("Why are you reporting this?").select_option("spam")


def page_states(world: World) -> list[PageState]:
    c, w, b = world.coach.pk, world.webinar.pk, world.booking.pk
    cal = f"/coaches/{c}/calendar/?week={world.week.isoformat()}"
    book = f"/coaches/{c}/book/?date={world.monday.isoformat()}"
    profile = f"/coaches/{world.coach.slug}/"
    anonymous = [
        PageState("anon-home", "anonymous", "/"),
        PageState("anon-webinars", "anonymous", "/webinars/"),
        # a window with page links (a `before` cursor far in the future: every webinar)
        PageState("anon-webinars-paged", "anonymous", "/webinars/?before=99999999999000000.1"),
        PageState("anon-webinar-modal", "anonymous", "/webinars/", open_webinar_modal),
        PageState("anon-webinar-detail", "anonymous", f"/webinars/{w}/"),
        PageState("anon-calendar", "anonymous", cal),
        PageState("anon-login", "anonymous", "/accounts/login/"),
        PageState("anon-signup", "anonymous", "/accounts/signup/"),
        PageState(
            "anon-signup-errors", "anonymous", "/accounts/signup/", submit_empty_signup, status=400
        ),
        PageState("anon-legal", "anonymous", "/legal/terms/"),
        PageState("anon-leads", "anonymous", "/leads/"),
        PageState("anon-lead-errors", "anonymous", "/leads/", submit_empty_lead_form, status=400),
        PageState("anon-password-reset", "anonymous", "/accounts/password_reset/"),
        PageState("anon-password-reset-done", "anonymous", "/accounts/password_reset/done/"),
        PageState("anon-password-reset-bad-link", "anonymous", "/accounts/reset/MQ/x-y/"),
        PageState("anon-timezone", "anonymous", "/accounts/timezone/"),
        PageState("anon-coach-profile", "anonymous", profile),
        PageState("anon-search", "anonymous", "/search/?q=coaching"),
        PageState("anon-search-empty", "anonymous", "/search/?q=zzzxqv"),
        PageState(
            "anon-guest-booking-errors",
            "anonymous",
            f"/coaches/{c}/book/?session_type={world.intro_type.pk}"
            f"&date={world.monday.isoformat()}",
            submit_empty_guest_booking_form,
            status=400,
        ),
        PageState("anon-guest-manage", "anonymous", _guest_manage_path(world)),
        PageState(
            "anon-search-popover",
            "anonymous",
            "/",
            open_search_popover,
            fragment="/search/quick/?q=coach",
        ),
    ]
    client = [
        PageState("client-home", "client", "/"),
        PageState("client-webinars", "client", "/webinars/"),
        PageState(
            "client-webinar-modal",
            "client",
            "/webinars/",
            open_webinar_modal,
            fragment=f"/webinars/{w}/",
        ),
        PageState("client-webinar-detail", "client", f"/webinars/{w}/"),
        PageState("client-webinar-booked", "client", f"/webinars/{world.booked_webinar.pk}/"),
        PageState(
            "client-webinar-paying", "client", f"/webinars/{world.pay_webinar.pk}/", start_paying
        ),
        PageState("client-calendar", "client", cal),
        PageState("client-booking-modal", "client", cal, open_booking_modal, fragment=book),
        PageState("client-booking-chosen", "client", cal, open_booking_modal_and_choose),
        PageState("client-book-page", "client", book),
        PageState("client-my-bookings", "client", "/bookings/mine/"),
        PageState("client-booking-detail", "client", f"/bookings/{b}/"),
        PageState("client-booking-cancel", "client", f"/bookings/{b}/cancel/"),
        PageState("client-booking-reschedule", "client", f"/bookings/{b}/reschedule/"),
        PageState("client-notifications", "client", "/notifications/"),
        PageState("client-preferences", "client", "/notifications/preferences/"),
        PageState("client-profile", "client", "/accounts/profile/"),
        PageState("client-account-settings", "client", "/accounts/settings/"),
        PageState("client-password-change", "client", "/accounts/password_change/"),
        PageState("client-saved-cards", "client", "/payments/methods/"),
        PageState("client-webinar-full", "client", f"/webinars/{world.full_webinar.pk}/"),
        PageState("client-webinar-waitlisted", "client", f"/webinars/{world.waitlist_webinar.pk}/"),
        PageState("client-webinar-offered", "client", f"/webinars/{world.offered_webinar.pk}/"),
        PageState(
            "client-seat-cancel", "client", f"/webinars/{world.booked_webinar.pk}/cancel-seat/"
        ),
        PageState(
            "client-seat-cancel-modal",
            "client",
            f"/webinars/{world.booked_webinar.pk}/",
            open_seat_cancel_modal,
            fragment=f"/webinars/{world.booked_webinar.pk}/cancel-seat/",
        ),
        PageState("client-request-detail", "client", f"/bookings/{world.ada_request.pk}/"),
        PageState("client-launchpad", "client", "/dashboard/"),
        PageState("client-search", "client", "/search/?q=coaching&kind=session_type"),
        PageState("client-coach-profile", "client", profile),
        PageState("client-review-errors", "client", profile, submit_empty_review_form, status=400),
        PageState("client-coach-profile-report", "client", profile, open_report_form),
        PageState(
            "client-refund-new",
            "client",
            f"/payments/refund-requests/new/?booking_id={world.past_paid.pk}",
        ),
        PageState(
            "client-refund-request",
            "client",
            f"/payments/refund-requests/{world.refund_request.pk}/",
        ),
    ]
    coach = [
        PageState("coach-home", "coach", "/"),
        PageState("coach-webinars-mine", "coach", "/webinars/mine/"),
        PageState("coach-webinar-detail", "coach", f"/webinars/{w}/"),
        PageState("coach-webinar-cancel", "coach", f"/webinars/mine/{w}/cancel/"),
        PageState("coach-webinar-new", "coach", "/webinars/mine/new/"),
        PageState(
            "coach-webinar-new-errors",
            "coach",
            "/webinars/mine/new/",
            submit_empty_webinar_form,
            status=400,
        ),
        PageState("coach-webinar-edit", "coach", f"/webinars/mine/{w}/edit/"),
        PageState("coach-attendees", "coach", f"/webinars/{world.booked_webinar.pk}/attendees/"),
        PageState(
            "coach-attendees-waitlist", "coach", f"/webinars/{world.waitlist_webinar.pk}/attendees/"
        ),
        PageState("coach-requests", "coach", "/coach/requests/"),
        PageState("coach-request-detail", "coach", f"/bookings/{world.request.pk}/"),
        PageState("coach-dashboard", "coach", "/coach/dashboard/"),
        PageState("coach-calendar", "coach", f"/coaches/{c}/calendar/"),
        PageState("coach-notifications", "coach", "/notifications/"),
        PageState("coach-profile", "coach", "/accounts/profile/"),
        PageState("coach-public-profile", "coach", profile),
        PageState("coach-refunds", "coach", "/coach/refunds/"),
        PageState("coach-integrations", "coach", "/coach/integrations/"),
        PageState(
            "coach-refund-request", "coach", f"/payments/refund-requests/{world.refund_request.pk}/"
        ),
    ]
    staff = [PageState("staff-command-center", "staff", "/staff/")]
    return anonymous + client + coach + staff


# Ids only (pytest collects before the world exists); test modules look states up by id.
STATE_IDS = [
    "anon-home",
    "anon-webinars",
    "anon-webinars-paged",
    "anon-webinar-modal",
    "anon-webinar-detail",
    "anon-calendar",
    "anon-login",
    "anon-signup",
    "anon-signup-errors",
    "anon-legal",
    "anon-leads",
    "anon-lead-errors",
    "anon-password-reset",
    "anon-password-reset-done",
    "anon-password-reset-bad-link",
    "anon-timezone",
    "anon-coach-profile",
    "anon-search",
    "anon-search-empty",
    "anon-guest-booking-errors",
    "anon-guest-manage",
    "anon-search-popover",
    "client-home",
    "client-webinars",
    "client-webinar-modal",
    "client-webinar-detail",
    "client-webinar-booked",
    "client-webinar-paying",
    "client-calendar",
    "client-booking-modal",
    "client-booking-chosen",
    "client-book-page",
    "client-my-bookings",
    "client-booking-detail",
    "client-booking-cancel",
    "client-booking-reschedule",
    "client-notifications",
    "client-preferences",
    "client-profile",
    "client-account-settings",
    "client-password-change",
    "client-saved-cards",
    "client-webinar-full",
    "client-webinar-waitlisted",
    "client-webinar-offered",
    "client-seat-cancel",
    "client-seat-cancel-modal",
    "client-request-detail",
    "client-launchpad",
    "client-search",
    "client-coach-profile",
    "client-review-errors",
    "client-coach-profile-report",
    "client-refund-new",
    "client-refund-request",
    "coach-home",
    "coach-webinars-mine",
    "coach-webinar-detail",
    "coach-webinar-cancel",
    "coach-webinar-new",
    "coach-webinar-new-errors",
    "coach-webinar-edit",
    "coach-attendees",
    "coach-attendees-waitlist",
    "coach-requests",
    "coach-request-detail",
    "coach-dashboard",
    "coach-calendar",
    "coach-notifications",
    "coach-profile",
    "coach-public-profile",
    "coach-refunds",
    "coach-integrations",
    "coach-refund-request",
    "staff-command-center",
]


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now. Injected with evaluate
    (not a <script> tag), so the page's Content-Security-Policy stays what users get."""
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(AXE_JS.read_text())
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


def horizontal_overflow(page) -> dict:
    """How far the page is wider than the viewport, and the widest offenders."""
    return page.evaluate(
        """() => {
            const vw = document.documentElement.clientWidth;
            const offenders = [];
            for (const el of document.querySelectorAll('body *')) {
                const r = el.getBoundingClientRect();
                if (r.width && r.right > vw + 1 && getComputedStyle(el).position !== 'fixed') {
                    offenders.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                        + (el.className && typeof el.className === 'string'
                           ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
                        + ' → ' + Math.round(r.right) + 'px');
                }
            }
            return {scrollWidth: document.documentElement.scrollWidth, viewport: vw,
                    offenders: offenders.slice(0, 8)};
        }"""
    )
