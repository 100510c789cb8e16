from django.contrib import admin

from common.admin import ReadOnlyAdmin
from progress.models import Assessment, LinkPart, RecordPart, SectorTotals, SummaryBasis


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    """Assessments are recorded on the target's page (audited), not here."""

    list_display = ["target", "year", "status", "assessed_by", "assessed_at"]
    list_filter = ["year", "status"]


@admin.register(RecordPart)
class RecordPartAdmin(ReadOnlyAdmin):
    """Derived from the figures (progress.summary), never edited."""

    list_display = ["enterprise", "year", "sector", "energy", "observed"]
    list_filter = ["year"]
    list_select_related = ["enterprise", "sector"]


@admin.register(LinkPart)
class LinkPartAdmin(ReadOnlyAdmin):
    """Derived from the figures (progress.summary), never edited."""

    list_display = ["enterprise", "year", "group", "series"]
    list_filter = ["year", "group"]
    list_select_related = ["enterprise"]


@admin.register(SectorTotals)
class SectorTotalsAdmin(ReadOnlyAdmin):
    """Kept by progress.summary (summed again after each change), never edited."""

    list_display = ["sector", "generation", "computed_generation"]
    list_select_related = ["sector"]


@admin.register(SummaryBasis)
class SummaryBasisAdmin(ReadOnlyAdmin):
    list_display = ["key", "fingerprint", "built_at"]
