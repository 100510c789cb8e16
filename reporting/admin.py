"""Reporting in the admin: read-mostly; every workflow change goes through the services."""

from django.contrib import admin

from common.admin import ReadOnlyAdmin
from reporting.models import (
    AdhocQuestion,
    ConflictCopy,
    DataValue,
    Period,
    ReminderLog,
    ReportRequest,
    TaskAnswer,
)


class AdhocQuestionInline(admin.TabularInline):
    model = AdhocQuestion
    extra = 0


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "plan", "start", "end", "due_date"]
    list_filter = ["kind", "plan"]
    search_fields = ["code", "title"]
    inlines = [AdhocQuestionInline]
    filter_horizontal = ["recipients"]


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    list_display = ["period", "org_unit", "state", "version", "first_submitted_on",
                    "accepted_at"]
    list_filter = ["state", "period"]
    list_select_related = ["period", "org_unit"]
    search_fields = ["org_unit__name", "org_unit__code", "period__code"]
    readonly_fields = [f.name for f in ReportRequest._meta.fields]

    def has_add_permission(self, request):  # requests open through period_open
        return False


@admin.register(ConflictCopy)
class ConflictCopyAdmin(admin.ModelAdmin):
    list_display = ["request", "author", "base_version", "current_version", "created_at",
                    "resolution"]
    list_select_related = ["request__period", "request__org_unit", "author"]
    readonly_fields = [f.name for f in ConflictCopy._meta.fields]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["request", "kind", "offset_days", "recipient", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["request__period", "request__org_unit"]
    readonly_fields = [f.name for f in ReminderLog._meta.fields]


@admin.register(AdhocQuestion)
class AdhocQuestionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "value_type", "period"]
    list_filter = ["value_type"]
    list_select_related = ["period"]


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = ["request", "element", "question", "value", "comment"]
    list_select_related = ["request__period", "request__org_unit", "element", "question"]
    search_fields = ["element__code", "question__code", "request__org_unit__name"]


@admin.register(TaskAnswer)
class TaskAnswerAdmin(ReadOnlyAdmin):
    list_display = ["request", "task", "status"]
    list_filter = ["status"]
    list_select_related = ["request__period", "request__org_unit", "task"]
