from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.http import safe_next
from notifications import live, selectors, services
from notifications.forms import PreferencesForm

PAGE_SIZE = 20


def _list_context(request):
    page = Paginator(selectors.notifications_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {
        "page": page,
        "notifications": page.object_list,
        "unread_count": selectors.unread_count(user_id=request.user.pk),
    }


@login_required
@require_http_methods(["GET"])
def notification_list(request):
    template = "notifications/list.html#list" if request.htmx else "notifications/list.html"
    return render(request, template, _list_context(request))


def _next_url(request) -> str:
    return safe_next(request, reverse("notifications:list"))


def _bell_oob(request) -> str:
    return live.render_bell(user_id=request.user.pk, oob=True)


@login_required
@require_POST
def notification_read(request, notification_id: int):
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    if not request.htmx:
        return redirect(_next_url(request))
    notification = selectors.notifications_for(user=request.user).filter(pk=notification_id).first()
    response = render(request, "notifications/list.html#item", {"notification": notification})
    response.content += _bell_oob(request).encode()
    return response


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    if not request.htmx:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
        return redirect(_next_url(request))
    response = render(request, "notifications/list.html#list", _list_context(request))
    response.content += _bell_oob(request).encode()
    return response


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.preferences_update(user=request.user, choices=form.choices())
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
