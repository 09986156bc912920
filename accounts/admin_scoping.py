"""“Only my objects” for coaches in the Django admin.

Every admin of a coach-owned model mixes in `OwnedByCoachAdminMixin` and names the lookup from
the model to `accounts.Coach` in `coach_lookup` ("coach", "webinar__coach", ...). Platform staff
(superusers and the staff role) see everything; a coach sees and changes only rows whose owner
is their own profile, also through direct URLs (the object permission checks below), and any
foreign key to another owned model only offers their own rows.
"""

from django.contrib import admin


def coach_of(user):
    # Lookups below compare against coach.pk: "pk" (the Coach admin itself) would not accept
    # a model instance, while "coach" / "webinar__coach" accept either.
    return getattr(user, "coach_profile", None) if user.is_authenticated else None


class OwnedByCoachAdminMixin:
    coach_lookup = "coach"
    # Foreign keys whose choices must be restricted too: field name -> lookup to Coach on the
    # related model ("coach", "webinar__coach", ...). A FK to accounts.Coach itself uses "pk".
    owned_foreign_keys: dict[str, str] = {}

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.sees_everything:
            return qs
        coach = coach_of(request.user)
        if coach is None:
            return qs.none()
        return qs.filter(**{self.coach_lookup: coach.pk})

    def _owns(self, request, obj) -> bool:
        if obj is None or request.user.sees_everything:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._owns(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._owns(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.sees_everything:
            coach = coach_of(request.user)
            lookup = self.owned_foreign_keys.get(db_field.name)
            if db_field.name == "coach" and lookup is None:
                lookup = "pk"
            if lookup is not None:
                related = db_field.remote_field.model._default_manager
                kwargs["queryset"] = (
                    related.filter(**{lookup: coach.pk}) if coach else related.none()
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        coach = coach_of(request.user)
        if coach is not None and self.coach_lookup == "coach":
            initial.setdefault("coach", coach.pk)
        return initial


class OwnedInlineMixin:
    """Inline of a child row whose parent is already scoped: restrict FK choices the same way."""

    owned_foreign_keys: dict[str, str] = {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        lookup = self.owned_foreign_keys.get(db_field.name)
        if lookup is not None and not request.user.sees_everything:
            coach = coach_of(request.user)
            related = db_field.remote_field.model._default_manager
            kwargs["queryset"] = related.filter(**{lookup: coach.pk}) if coach else related.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OwnedByCoachAdmin(OwnedByCoachAdminMixin, admin.ModelAdmin):
    pass
