from django.contrib import admin

from common.admin import ReadOnlyAdmin
from jobs.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Written only by the queue's services (audited); the admin lists them."""

    list_display = ["pk", "kind", "owner", "state", "done", "total", "created_at",
                    "finished_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["owner"]
    exclude = ["content"]
    readonly_fields = ["kind", "owner", "org_unit", "language", "state", "params", "filename",
                       "done", "total", "message", "result", "worker", "created_at",
                       "started_at", "heartbeat_at", "finished_at"]
