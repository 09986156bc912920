from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

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
    return JsonResponse({"status": "ok"})
