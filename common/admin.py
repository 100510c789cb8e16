from django.contrib import admin

from common.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (so that every change leaves an audit
    record): the admin lists and shows them, and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "actor", "action", "target_repr", "scope"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "scope", "actor__username"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
