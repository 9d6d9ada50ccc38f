"""Admin pages for records that stay as they were written: logs and audits, readable and unalterable."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    # No one, superusers included, may add, alter or remove such a record through the staff desk.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
