class ReadOnlyRecordAdminMixin:
    """Records changed only through services (money, bookings): every field read-only, no
    adding or deleting from the admin."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
