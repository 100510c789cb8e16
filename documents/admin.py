from django.contrib import admin

from common.admin import ReadOnlyAdmin
from documents.models import OfficialDocument


@admin.register(OfficialDocument)
class OfficialDocumentAdmin(ReadOnlyAdmin):
    """Written only by the service (audited); the admin lists them."""

    list_display = ["number", "issued_on", "request", "signatory", "position", "scan_size"]
    search_fields = ["number", "signatory", "request__org_unit__name"]
    list_select_related = ["request", "request__period", "request__org_unit"]
    exclude = ["scan"]
    readonly_fields = ["request", "number", "issued_on", "signatory", "position", "scan_name",
                       "scan_size", "recorded_by"]
