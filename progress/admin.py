from django.contrib import admin

from common.admin import ReadOnlyAdmin
from progress.models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    """Assessments are recorded on the target's page (audited), not here."""

    list_display = ["target", "year", "status", "assessed_by", "assessed_at"]
    list_filter = ["year", "status"]
