from django.contrib import admin, messages

from trust.models import TrustScore
from trust.services import trust_score_refresh, trust_scores_recompute


@admin.register(TrustScore)
class TrustScoreAdmin(admin.ModelAdmin):
    """Staff only. Scores change only through the recompute (task or the actions here);
    sanctions are lifted on the user's page (Accounts → Users, "Lift")."""

    list_display = (
        "user",
        "score",
        "actioned_level",
        "actioned_at",
        "lifted_at_score",
        "computed_at",
    )
    list_filter = ("actioned_level",)
    list_select_related = ("user",)
    search_fields = ("user__email", "user__first_name", "user__last_name")
    readonly_fields = (
        "user",
        "score",
        "components",
        "computed_at",
        "actioned_level",
        "actioned_at",
        "lifted_at_score",
        "lifted_at",
    )
    actions = ["recompute_selected", "recompute_all"]

    def _staff(self, request) -> bool:
        return request.user.is_active and request.user.sees_everything

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Recompute the selected scores (no automatic action)")
    def recompute_selected(self, request, queryset):
        rows = list(queryset.select_related("user"))
        for row in rows:
            trust_score_refresh(user=row.user)
        self.message_user(request, f"{len(rows)} score(s) recomputed.")

    @admin.action(description="Run the full recompute now (every user, automatic actions)")
    def recompute_all(self, request, queryset):
        result = trust_scores_recompute()
        self.message_user(
            request,
            f"{result.users} users in {result.batches} batch(es); "
            f"actions: {result.actions or 'none'}.",
            messages.SUCCESS,
        )
