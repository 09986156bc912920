class PlatformStaffOnlyMixin:
    """ModelAdmins only platform staff (`sees_everything`) may see: coaches, who are staff for
    their own objects, get neither the module nor its pages."""

    def has_module_permission(self, request):
        user = request.user
        return user.is_active and user.is_authenticated and user.sees_everything

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


class ReadOnlyRecordAdminMixin:
    """Records changed only through services (money, bookings): every field read-only, no
    adding or deleting from the admin."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SingleLineInputsAdminMixin:
    """For ModelAdmins and inlines: every one-line text input refuses line breaks (see
    core.validators.validate_single_line), so an admin-typed title cannot break its emails."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        from core.validators import is_single_line_input, validate_single_line

        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and is_single_line_input(formfield):
            formfield.validators = [*formfield.validators, validate_single_line]
        return formfield
