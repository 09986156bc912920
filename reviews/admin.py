"""Reviews in the admin: platform staff only (coaches answer on their profile page). Author,
target and text are read-only here; hiding and unhiding go through the services."""

from __future__ import annotations

from django.contrib import admin, messages

from reviews import services
from reviews.errors import ReviewError
from reviews.models import Review


class HiddenFilter(admin.SimpleListFilter):
    title = "visibility"
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("no", "Shown"), ("yes", "Hidden")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        return queryset


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("pk", "coach", "author", "rating", "created_at", "replied_at", "hidden_at")
    list_filter = (HiddenFilter, "rating", "created_at")
    search_fields = ("text", "author__email", "coach__user__email", "coach__user__last_name")
    list_select_related = ("coach__user", "author")
    readonly_fields = (
        "coach",
        "author",
        "booking",
        "registration",
        "rating",
        "text",
        "created_at",
        "edited_at",
        "reply_text",
        "replied_at",
        "hidden_at",
        "hidden_reason",
    )
    fields = readonly_fields
    actions = ("hide_reviews", "unhide_reviews")
    date_hierarchy = "created_at"

    # Staff only: a coach (is_staff, scoped admin) has no business moderating their reviews.
    def _staff(self, request) -> bool:
        return request.user.is_active and request.user.sees_everything

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_change_permission(self, request, obj=None):
        return self._staff(request)

    def has_add_permission(self, request):
        return False  # reviews come from the people who attended

    def has_delete_permission(self, request, obj=None):
        return False  # hide instead: the moderation log keeps what happened

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if self._staff(request) else qs.none()

    def _each(self, request, queryset, run, done: str) -> None:
        changed = 0
        for review in queryset:
            try:
                run(review)
            except ReviewError as exc:
                self.message_user(request, f"Review {review.pk}: {exc.message}", messages.ERROR)
            else:
                changed += 1
        self.message_user(request, f"{changed} review(s) {done}.", messages.SUCCESS)

    @admin.action(description="Hide selected reviews (not shown, not in the average)")
    def hide_reviews(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: services.review_hide(
                actor=request.user, review_id=r.pk, reason="Hidden by staff in the admin"
            ),
            "hidden",
        )

    @admin.action(description="Show selected reviews again")
    def unhide_reviews(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: services.review_unhide(actor=request.user, review_id=r.pk),
            "shown again",
        )
