from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render

from core.selectors import coach_directory


def home(request):
    page = Paginator(coach_directory(), 12).get_page(request.GET.get("page"))
    return render(request, "core/home.html", {"page": page, "coaches": page.object_list})


def healthz(request):
    return JsonResponse({"status": "ok"})
