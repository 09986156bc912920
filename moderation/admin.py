"""The staff moderation queue (/admin/moderation/queue/) and the read-only records of flags and
moderation actions. Platform staff only (superusers and the staff role): coaches are
`is_staff` for their scoped admin but see none of this (403)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from core.admin import PlatformStaffOnlyMixin, ReadOnlyRecordAdminMixin
from moderation.errors import ModerationError
from moderation.models import Flag, ModerationAction, Queue
from moderation.selectors import moderation_queue
from moderation.services import moderation_act, parse_target_id


class StaffRecordsMixin(PlatformStaffOnlyMixin):
    """Platform staff see these records; nobody edits them in the admin (services write)."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Flag)
class FlagAdmin(StaffRecordsMixin, ReadOnlyRecordAdminMixin, admin.ModelAdmin):
    list_display = ("id", "created_at", "target_kind", "target_id", "reason", "reporter", "status")
    list_filter = ("status", "reason", "target_kind")
    list_select_related = ("reporter",)
    search_fields = ("reporter__email", "note")
    ordering = ("-created_at", "-pk")


@admin.register(ModerationAction)
class ModerationActionAdmin(StaffRecordsMixin, ReadOnlyRecordAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "action", "target_label", "days", "actor", "subject")
    list_filter = ("action", "target_kind")
    list_select_related = ("actor", "subject")
    search_fields = ("target_label", "reason", "subject__email")

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "flags"]


QUEUE_ACTIONS = (
    ModerationAction.Action.DISMISS,
    ModerationAction.Action.HIDE,
    ModerationAction.Action.WARN,
    ModerationAction.Action.SUSPEND,
    ModerationAction.Action.BAN,
)


@admin.register(Queue)
class QueueAdmin(StaffRecordsMixin, admin.ModelAdmin):
    """Open flags grouped by target, the oldest waiting first, 20 targets a page; one form
    per target whose buttons are the decisions (moderation.services.moderation_act)."""

    def get_urls(self):
        return [
            path("", self.admin_site.admin_view(self.queue_view), name="moderation_queue"),
            # The admin index links a model through its changelist URL name.
            path(
                "",
                self.admin_site.admin_view(self.queue_view),
                name="moderation_queue_changelist",
            ),
            path(
                "act/",
                self.admin_site.admin_view(require_POST(self.act_view)),
                name="moderation_queue_act",
            ),
        ]

    def queue_view(self, request):
        if not self.has_module_permission(request):
            raise PermissionDenied
        page = moderation_queue(page_number=request.GET.get("page") or 1)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Moderation queue",
            "page": page,
            "items": page.object_list,
            "actions": [(a.value, a.label) for a in QUEUE_ACTIONS],
        }
        return TemplateResponse(request, "admin/moderation/queue.html", context)

    def act_view(self, request):
        if not self.has_module_permission(request):
            raise PermissionDenied
        back = reverse("admin:moderation_queue")
        page = request.POST.get("page") or ""
        if page.isdigit():
            back += f"?page={page}"
        target_id = parse_target_id(request.POST.get("target_id"))
        if target_id is None:
            messages.error(request, "Unknown target.")
            return redirect(back)
        try:
            record = moderation_act(
                target_kind=request.POST.get("target_kind") or "",
                target_id=target_id,
                action=request.POST.get("action") or "",
                actor=request.user,
                days=request.POST.get("days") or None,
                reason=request.POST.get("reason") or "",
            )
        except ModerationError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        messages.success(
            request,
            f"{record.get_action_display()}: {record.target_label}. "
            f"{record.flags.count()} report(s) resolved; the people involved were told.",
        )
        return redirect(back)
