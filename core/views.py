from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.health import health_report, is_healthy
from core.selectors import coach_directory


@require_GET
def home(request):
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(coach_directory(search=search, viewer=request.user), 12).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "coaches": page.object_list, "search": search}
    # The search box swaps only the results (HTMX); without JavaScript it reloads the page.
    template = "core/home.html#coach-results" if request.htmx else "core/home.html"
    return render(request, template, context)


@require_GET
def healthz(request):
    """Readiness: 200 when every configured service answers, 503 when one is down."""
    report = health_report()
    response = JsonResponse(report, status=200 if is_healthy(report) else 503)
    response["Cache-Control"] = "no-store"
    return response
