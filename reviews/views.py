"""Review endpoints: JSON with `Accept: application/json` (or a JSON body), HTML otherwise.
Thin: parse, call one service, answer. Form posts come back to the coach's profile with a
message; a form with field errors is shown again on its own page (400)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Coach
from core.http import json_body, json_error, wants_json
from reviews import selectors, services
from reviews.errors import ReviewError
from reviews.forms import ReviewForm, parse_target
from reviews.models import Review

MAX_ID = 2**63 - 1


def _json(request, data: dict | None) -> bool:
    return data is not None or wants_json(request, html_wins=False)


def _login_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if wants_json(request, html_wins=False) or request.content_type == "application/json":
                return JsonResponse(
                    {"message": "Please log in first.", "code": "login_required"}, status=401
                )
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _profile_url(coach) -> str:
    return coach.get_absolute_url() + "#reviews"


@require_POST
@_login_required
def review_create(request, coach_id: int):
    coach = Coach.objects.select_related("user").filter(pk=min(coach_id, MAX_ID)).first()
    if coach is None:
        raise Http404
    data = json_body(request)
    if _json(request, data):
        return _create_json(request, coach, request.POST.dict() if data is None else data)
    return _create_form(request, coach)


def _create_json(request, coach, data: dict):
    try:
        review = services.review_create(
            author=request.user,
            coach_id=coach.pk,
            rating=data.get("rating"),
            text=data.get("text", ""),
            booking_id=services.clean_id(data.get("booking"), field="booking"),
            registration_id=services.clean_id(data.get("registration"), field="registration"),
        )
    except ReviewError as exc:
        return json_error(exc)
    return JsonResponse(selectors.review_as_dict(review), status=201)


def _create_form(request, coach):
    reviewables = selectors.reviewable_items(author=request.user, coach=coach)
    form = ReviewForm(request.POST, reviewables=reviewables)
    direct = "target" not in request.POST  # a form-encoded API client naming booking/registration
    if direct:
        form.fields["target"].required = False
    if not form.is_valid():
        return _form_page(request, coach, form)
    booking, registration = (
        (request.POST.get("booking"), request.POST.get("registration"))
        if direct
        else parse_target(form.cleaned_data["target"])
    )
    try:
        services.review_create(
            author=request.user,
            coach_id=coach.pk,
            rating=form.cleaned_data["rating"],
            text=form.cleaned_data["text"],
            booking_id=services.clean_id(booking, field="target"),
            registration_id=services.clean_id(registration, field="target"),
        )
    except ReviewError as exc:
        if exc.status_code == 400:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return _form_page(request, coach, form)
        messages.error(request, exc.message)
        return redirect(_profile_url(coach))
    messages.success(request, "Thank you: your review is on the coach's profile.")
    return redirect(_profile_url(coach))


def _form_page(request, coach, form):
    context = {"coach": coach, "form": form}
    return render(request, "reviews/review_form_page.html", context, status=400)


def _review_or_404(review_id: int) -> Review:
    review = Review.objects.select_related("coach__user").filter(pk=min(review_id, MAX_ID)).first()
    if review is None:
        raise Http404
    return review


def _answer(request, review, run, *, done: str, data: dict | None):
    try:
        review = run()
    except ReviewError as exc:
        if _json(request, data):
            return json_error(exc)
        messages.error(request, exc.message)
        return redirect(_profile_url(review.coach))
    if _json(request, data):
        return JsonResponse(selectors.review_as_dict(review))
    messages.success(request, done)
    return redirect(_profile_url(review.coach))


@require_POST
@_login_required
def review_reply(request, review_id: int):
    review = _review_or_404(review_id)
    data = json_body(request)
    fields = request.POST if data is None else data
    text = fields.get("reply_text", fields.get("text"))
    return _answer(
        request,
        review,
        lambda: services.review_reply(coach_user=request.user, review_id=review.pk, text=text),
        done="Your reply is published below the review.",
        data=data,
    )


@require_POST
@_login_required
def review_edit(request, review_id: int):
    review = _review_or_404(review_id)
    data = json_body(request)
    fields = request.POST if data is None else data
    rating, text = fields.get("rating"), fields.get("text", "")
    return _answer(
        request,
        review,
        lambda: services.review_edit(
            author=request.user, review_id=review.pk, rating=rating, text=text
        ),
        done="Your review is updated.",
        data=data,
    )
