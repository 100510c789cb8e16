from django.contrib import admin

from common.admin import ReadOnlyAdmin
from plans.models import (
    Assignment,
    DataElement,
    Indicator,
    Milestone,
    Plan,
    ReportingRule,
    Section,
    Sector,
    Target,
    Task,
)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["code", "issuer", "issued_on", "start_year", "end_year", "lead_agency"]
    search_fields = ["code", "title"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["ref", "kind", "title", "plan"]
    list_filter = ["plan", "kind"]
    search_fields = ["ref", "title", "text"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "start_year", "end_year", "plan"]
    list_filter = ["plan"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "plan"]
    list_filter = ["plan"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["ref", "title_en", "kind", "minimum_value", "stretch_value", "unit",
                    "milestone"]
    list_filter = ["plan", "milestone", "kind"]
    search_fields = ["ref", "code", "text", "title_en"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["ref", "title_en", "recurrence", "block"]
    list_filter = ["plan", "recurrence", "block"]
    search_fields = ["ref", "text", "title_en"]
    inlines = [AssignmentInline]


@admin.register(ReportingRule)
class ReportingRuleAdmin(admin.ModelAdmin):
    list_display = ["plan", "kind", "due_month", "due_day", "recipient"]


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "value_type", "unit", "task", "required"]
    list_filter = ["plan", "value_type", "required"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["task"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["task", "role", "unit", "group"]
    list_filter = ["role", "group", "task__plan"]
    list_select_related = ["task", "unit"]
    autocomplete_fields = ["unit"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    """Indicators come from the plan file only (scp-monitor plan load)."""

    list_display = ["code", "name", "formula", "plan"]
    list_filter = ["plan"]
