from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods

from core.throttle import Throttle
from launch import services
from launch.forms import LeadForm
from launch.models import LegalPage

# Every submission counts (valid or not): a lead form is a cheap way to send someone mail.
LEAD_THROTTLE = Throttle("lead-capture", limit=5, window=3600)


@require_GET
@ensure_csrf_cookie
def landing(request):
    return render(request, "launch/landing.html", {"form": LeadForm()})


@require_GET
def legal_page(request, slug):
    page = get_object_or_404(LegalPage, slug=slug)
    return render(request, "launch/legal.html", {"page": page})


@require_http_methods(["GET", "POST"])
def lead_create(request):
    if request.method == "GET":
        return render(request, "launch/lead_form.html", {"form": LeadForm()})
    if LEAD_THROTTLE.is_exceeded(request):
        form = LeadForm(request.POST)
        form.is_valid()  # keeps what they typed; the error below is the one shown on top
        form.add_error(None, "Too many sign-ups from your network. Please try again in an hour.")
        return render(request, "launch/lead_form.html", {"form": form}, status=429)
    LEAD_THROTTLE.record_failure(request)
    form = LeadForm(request.POST)
    if not form.is_valid():
        return render(request, "launch/lead_form.html", {"form": form}, status=400)
    lead = services.lead_capture(email=form.cleaned_data["email"], role=form.cleaned_data["role"])
    # The same answer for a new and a known address: the page does not reveal who signed up.
    return render(request, "launch/lead_sent.html", {"email": lead.email})


@require_GET
def lead_confirm(request, token):
    lead = services.lead_confirm(token=token[:64])
    if lead is None:
        raise Http404("Unknown or expired confirmation link")
    return render(request, "launch/lead_confirmed.html", {"lead": lead})
