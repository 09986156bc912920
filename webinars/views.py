"""Webinar pages and endpoints (contracts in DESIGN.md). Thin: authorise, call one service or
selector, render. HTMX requests get partials of the same templates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.conditional import anonymous_conditional
from core.decorators import coach_required
from core.http import json_error, safe_next, wants_json
from core.pagination import paginate
from payments.money import format_money
from webinars import fragments, selectors, services
from webinars.errors import WebinarError
from webinars.exports import attendees_csv
from webinars.forms import CancelWebinarForm
from webinars.models import Registration

PANEL = "webinars/detail.html#booking_panel"
MY_BOOKINGS = "/bookings/mine/"


def _webinar_or_404(request, webinar_id: int):
    webinar = selectors.visible_webinar(
        webinar_id=webinar_id, user=request.user, now=timezone.now()
    )
    if webinar is None:
        raise Http404("Webinar not found.")
    return webinar


def _panel(request, webinar_id: int, *, error: str = "", status: int = 200) -> HttpResponse:
    webinar = _webinar_or_404(request, webinar_id)
    context = selectors.webinar_detail_context(webinar=webinar, user=request.user)
    return render(request, PANEL, {**context, "error": error}, status=status)


@require_GET
@anonymous_conditional
def webinar_list(request):
    """Open webinars, live ones then soonest first, one keyset window a page (`?after=` /
    `?before=` cursors: the page costs the same with 20 or 20,000 webinars)."""
    page = selectors.upcoming_webinars_page(
        now=timezone.now(),
        viewer=request.user,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    live = [item for item in page.items if item.has_started]  # in progress: "Live now"
    upcoming = [item for item in page.items if not item.has_started]
    fragments.attach_list_cards(request, upcoming)  # anonymous visitors: cached cards
    context = {"items": upcoming, "live_items": live, "page": page}
    parts = (
        tuple(
            (fragments.row_state(item.webinar), item.quote, item.has_started) for item in page.items
        ),
        page.next_cursor,
        page.prev_cursor,
        page.is_first,
    )
    return fragments.anonymous_page(request, "webinars/list.html", context, parts)


@require_GET
@anonymous_conditional
def webinar_detail(request, webinar_id: int):
    webinar = _webinar_or_404(request, webinar_id)
    context = selectors.webinar_detail_context(webinar=webinar, user=request.user)
    context["public_info_html"] = fragments.detail_public_html(request, webinar)
    state = context["state"]
    parts = (
        fragments.row_state(webinar),
        state.quote,
        state.closed_reason,
        state.has_started,
        webinar.coach.is_payment_ready,
    )
    modal = request.htmx and not request.htmx.boosted
    template = "webinars/detail.html#modal" if modal else "webinars/detail.html"
    return fragments.anonymous_page(request, template, context, parts)


@require_POST
def webinar_register(request, webinar_id: int):
    detail_url = reverse("webinars:detail", args=[webinar_id])
    if not request.user.is_authenticated:
        if wants_json(request, html_wins=False):
            return JsonResponse({"message": "Please log in to book this webinar."}, status=401)
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{reverse('accounts:login')}?next={detail_url}"
            return response
        return redirect_to_login(detail_url)
    try:
        result = services.webinar_register(webinar_id=webinar_id, user=request.user)
    except WebinarError as exc:
        if wants_json(request, html_wins=False):
            return json_error(exc)
        if request.htmx and exc.status_code != 404:
            return _panel(request, webinar_id, error=exc.message)
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        return redirect(detail_url)
    if wants_json(request, html_wins=False):
        registration = result.registration
        if result.free_booking:
            return JsonResponse({"free_booking": True, "registration_id": registration.pk})
        payment = result.payment
        if payment is None:  # webinar_register returns one with every seat that is not free
            raise RuntimeError(f"Registration {registration.pk} is on hold without a payment.")
        return JsonResponse(
            {
                "client_secret": payment.stripe_client_secret,
                "payment_intent_id": payment.stripe_payment_intent_id,
                "registration_id": registration.pk,
                "amount": str(payment.amount_total),
                "currency": payment.currency,
                "price_reason": registration.price_reason,
            }
        )
    if request.htmx:
        return _panel(request, webinar_id)
    if result.free_booking:
        messages.success(request, "You're booked!")
    return redirect(detail_url)


@require_GET
def booking_panel(request, webinar_id: int):
    """The viewer's booking panel (polled while a payment is being confirmed)."""
    if not request.htmx:
        return redirect("webinars:detail", webinar_id=webinar_id)
    return _panel(request, webinar_id)


@require_POST
@login_required
def hold_cancel(request, webinar_id: int):
    """ "Cancel": release the viewer's seat hold at once (and cancel its payment)."""
    _webinar_or_404(request, webinar_id)  # an id beyond the column's range is a 404 here
    held = Registration.objects.filter(
        webinar_id=webinar_id, user=request.user, status=Registration.Status.HELD
    ).first()
    if held is not None:
        services.registration_release(registration_id=held.pk, user=request.user)
    if request.htmx:
        return _panel(request, webinar_id)
    messages.info(request, "Your seat was released. Nothing was charged.")
    return redirect("webinars:detail", webinar_id=webinar_id)


def _login_needed(request, webinar_id: int, what: str):
    detail_url = reverse("webinars:detail", args=[webinar_id])
    if wants_json(request, html_wins=False):
        return JsonResponse({"message": f"Please log in to {what}."}, status=401)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = f"{reverse('accounts:login')}?next={detail_url}"
        return response
    return redirect_to_login(detail_url)


def _error_answer(request, webinar_id: int, exc: WebinarError):
    """A refused waitlist or seat action: JSON with the status, the panel (htmx), or the
    page with a message."""
    if wants_json(request, html_wins=False):
        return json_error(exc)
    if exc.status_code == 404 and not request.htmx:
        raise Http404(exc.message)
    if request.htmx:
        return _panel(request, webinar_id, error=exc.message)
    messages.error(request, exc.message)
    return redirect("webinars:detail", webinar_id=webinar_id)


@require_POST
def waitlist_join(request, webinar_id: int):
    """ "Join the waitlist" on a full webinar (issue 15 #4)."""
    _webinar_or_404(request, webinar_id)
    if not request.user.is_authenticated:
        return _login_needed(request, webinar_id, "join the waitlist")
    try:
        entry = services.waitlist_join(webinar_id=webinar_id, user=request.user)
    except WebinarError as exc:
        return _error_answer(request, webinar_id, exc)
    _, position = selectors.waitlist_place(webinar_id=webinar_id, user=request.user)
    if wants_json(request, html_wins=False):
        return JsonResponse({"status": entry.status, "position": position})
    if request.htmx:
        return _panel(request, webinar_id)
    if position:
        messages.success(request, f"You're number {position} on the waitlist.")
    return redirect("webinars:detail", webinar_id=webinar_id)


@require_POST
def waitlist_leave(request, webinar_id: int):
    _webinar_or_404(request, webinar_id)
    if not request.user.is_authenticated:
        return _login_needed(request, webinar_id, "leave the waitlist")
    try:
        services.waitlist_leave(webinar_id=webinar_id, user=request.user)
    except WebinarError as exc:
        return _error_answer(request, webinar_id, exc)
    if wants_json(request, html_wins=False):
        return JsonResponse({"status": "left"})
    if request.htmx:
        return _panel(request, webinar_id)
    messages.info(request, "You left the waitlist.")
    return redirect(safe_next(request, reverse("webinars:detail", args=[webinar_id])))


@require_http_methods(["GET", "POST"])
@login_required
def seat_cancel(request, webinar_id: int):
    """An attendee gives the seat back (issue 15 #3). GET shows what the webinar's terms
    refund now; POST cancels: JSON `{"refund_amount", "currency"}`, or back to the page."""
    webinar = _webinar_or_404(request, webinar_id)
    error, status, preview = "", 200, None
    try:
        if request.method == "POST":
            preview = services.seat_cancel(webinar_id=webinar.pk, user=request.user)
        else:
            preview = services.seat_cancel_preview(webinar_id=webinar.pk, user=request.user)
    except WebinarError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        if wants_json(request, html_wins=False):
            return json_error(exc)
        error, status = exc.message, exc.status_code
    if request.method == "POST" and preview is not None:  # None: the service raised (error)
        refund = preview.refund
        currency = preview.registration.currency
        if wants_json(request, html_wins=False):
            return JsonResponse({"refund_amount": str(refund.amount), "currency": currency})
        text = "Your seat is cancelled."
        text += (
            f" {format_money(refund.amount, currency)} is refunded to your card."
            if refund.amount
            else " No refund applies."
        )
        messages.success(request, text)
        return redirect(safe_next(request, reverse("webinars:detail", args=[webinar.pk])))
    if request.method == "GET" and preview is not None and wants_json(request, html_wins=False):
        return JsonResponse(
            {
                "refund_amount": str(preview.refund.amount),
                "refund_percent": preview.refund.percent,
                "currency": preview.registration.currency,
                "explanation": preview.refund.explanation,
            }
        )
    from webinars.policy import terms_text

    context = {
        "webinar": webinar,
        "preview": preview,
        "error": error,
        "terms": terms_text(webinar),
        # Back where the person came from (My Bookings passes it); only a path on this site.
        "next": MY_BOOKINGS if request.GET.get("next") == MY_BOOKINGS else "",
    }
    template = "webinars/seat_cancel.html"
    if request.htmx and not request.htmx.boosted:
        template += "#dialog_modal"
    return render(request, template, context, status=status)


def _content_webinar_or_403(request, webinar_id: int):
    if not request.user.is_authenticated:
        raise PermissionDenied
    webinar = _webinar_or_404(request, webinar_id)
    if not selectors.can_access_content(webinar=webinar, user=request.user):
        raise PermissionDenied("Only attendees of this webinar and its coach can open this.")
    return webinar


@require_GET
def material_download(request, webinar_id: int, material_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    _content_webinar_or_403(request, webinar_id)
    material = selectors.material_of(webinar_id=webinar_id, material_id=material_id)
    if material is None:
        raise Http404("Material not found.")
    if material.file:
        response = FileResponse(material.file.open("rb"), as_attachment=True)
        response["Cache-Control"] = "private, no-store"
        return response
    return HttpResponseRedirect(material.url)


@require_GET
def join(request, webinar_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    webinar = _content_webinar_or_403(request, webinar_id)
    if webinar.join_link:
        return HttpResponseRedirect(webinar.join_link)
    return render(request, "webinars/session_room.html", {"webinar": webinar})


@require_GET
@login_required
@coach_required
def coach_webinars(request, coach):
    page = paginate(
        request,
        selectors.coach_webinars(coach=coach, now=timezone.now()),
        per_page=selectors.COACH_PAGE_SIZE,
    )
    context = {"webinars": page.object_list, "page": page}
    return render(request, "webinars/coach_webinars.html", context)


@require_GET
@login_required
def webinar_attendees(request, webinar_id: int):
    webinar = _webinar_or_404(request, webinar_id)
    if not (request.user.sees_everything or webinar.coach.user_id == request.user.pk):
        raise PermissionDenied("Only the webinar's coach can see its attendees.")
    attendees = selectors.webinar_attendees(webinar=webinar)
    if request.GET.get("format") == "csv":
        response = HttpResponse(attendees_csv(attendees), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="webinar-{webinar.pk}-attendees.csv"'
        )
        return response
    if request.htmx:
        return render(request, "webinars/detail.html#attendees", {"webinar": webinar})
    page = paginate(request, attendees, per_page=selectors.ATTENDEES_PAGE_SIZE)
    context = {
        "webinar": webinar,
        "attendees": page.object_list,
        "page": page,
        "waitlist": selectors.webinar_waitlist(webinar=webinar),
        "offer_hours": settings.WAITLIST_OFFER_HOURS,
    }
    return render(request, "webinars/attendees.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def webinar_cancel(request, webinar_id: int):
    """The coach's "Cancel webinar": GET shows the confirmation step (who is refunded, how
    much, a reason field), POST cancels through `services.webinar_cancel`."""
    webinar = _webinar_or_404(request, webinar_id)
    if not (request.user.sees_everything or webinar.coach.user_id == request.user.pk):
        raise PermissionDenied("Only the webinar's coach can cancel it.")
    form = CancelWebinarForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                result = services.webinar_cancel(
                    webinar_id=webinar.pk, by=request.user, reason=form.cleaned_data["reason"]
                )
            except WebinarError as exc:
                error, status = exc.message, exc.status_code
            else:
                messages.success(request, _cancelled_message(result))
                return redirect("webinars:coach_webinars")
    context = {
        "webinar": webinar,
        "preview": selectors.cancellation_preview(webinar=webinar),
        "form": form,
        "error": error,
        "already_cancelled": webinar.status == webinar.Status.CANCELLED,
    }
    template = "webinars/cancel.html"
    if request.htmx and not request.htmx.boosted:
        template += "#dialog_modal"
    return render(request, template, context, status=status)


def _cancelled_message(result) -> str:
    webinar = result.webinar
    text = f"“{webinar.title}” is cancelled."
    if result.refunded:
        people = "attendee is" if result.refunded == 1 else "attendees are"
        total = format_money(result.refund_total, webinar.currency)
        text += f" {result.refunded} {people} refunded {total} in total."
    return text
