from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.http import wants_json
from discovery import selectors
from discovery.forms import SearchForm

MAX_ID = 2**31 - 1  # beyond the id column's range: no such coach (not a database error)


@require_GET
def coach_profile(request, slug: str | None = None, coach_id: int | None = None):
    """`/coaches/<slug>/`, and `/coaches/<id>/` (the Coach's id, as in the calendar's URL)
    with the slug URL as its canonical link."""
    if coach_id is not None and coach_id > MAX_ID:
        raise Http404
    profile = selectors.coach_profile(slug=slug, coach_id=coach_id, viewer=request.user)
    return render(
        request, "discovery/coach_profile.html", {"profile": profile, "coach": profile.coach}
    )


@require_GET
def coach_photo(request, slug: str):
    """The coach's photo under the profile's visibility rules (media is not served publicly)."""
    coach = selectors.visible_coach(slug=slug, viewer=request.user)
    if not coach.photo:
        raise Http404
    try:
        handle = coach.photo.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    # The file name is a content hash: a new photo is a new URL, so this may be cached long,
    # but only privately (an unlisted or blocked coach's photo must not sit in shared caches).
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _page_number(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 1


@require_GET
def search(request):
    form = SearchForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    text = selectors.normalize_query(data.get("q") or request.GET.get("q", ""))
    filters = selectors.Filters(
        kind=data.get("kind") or "",
        min_price=data.get("min_price"),
        max_price=data.get("max_price"),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        language=data.get("language") or "",
        format=data.get("format") or "",
    )
    page = selectors.search(
        text=text,
        viewer=request.user,
        filters=filters,
        page=_page_number(request.GET.get("page")),
    )
    if wants_json(request, html_wins=False):
        status = 200 if valid else 400
        return JsonResponse(
            {
                "results": [r.as_json() for r in page.results],
                "total": page.total,
                "page": page.page,
                **({} if valid else {"errors": form.errors.get_json_data()}),
            },
            status=status,
        )
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context = {
        "form": form,
        "q": text,
        "page": page,
        "query_string": query_string.urlencode(),
    }
    return render(request, "discovery/search.html", context)


@require_GET
def quick(request):
    text = selectors.normalize_query(request.GET.get("q"))
    groups = selectors.quick_search(text=text, viewer=request.user)
    labels = {
        "coach": "Coaches",
        "webinar": "Webinars",
        "session_type": "Session types",
        "booking": "Your bookings",
    }
    context = {"q": text, "groups": [(labels[k], items) for k, items in groups.items()]}
    return render(request, "discovery/_quick.html", context)
