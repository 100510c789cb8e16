"""The registries in the admin, read-only: entries change through the registry pages, the
API or an import (checked and audited by the services); the unit table through its file."""

from django.contrib import admin

from common.admin import ReadOnlyAdmin
from registry.models import (
    Area,
    AwarenessActivity,
    ConsumptionLine,
    ConsumptionRecord,
    Enterprise,
    FuelFactor,
    Item,
    MeasureKind,
    MeasureUnit,
    PackagingPractice,
    Retailer,
    ScpModel,
    StEnterprise,
)


class EntryAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "place", "later_place", "valid_from", "valid_to",
                    "illustrative"]
    list_filter = ["illustrative"]
    search_fields = ["name", "code", "address"]
    list_select_related = ["place", "later_place"]


@admin.register(Area)
class AreaAdmin(EntryAdmin):
    list_display = [*EntryAdmin.list_display, "kind"]
    list_filter = ["kind", "illustrative"]


@admin.register(Retailer)
class RetailerAdmin(EntryAdmin):
    list_display = [*EntryAdmin.list_display, "kind"]
    list_filter = ["kind", "illustrative"]


@admin.register(Enterprise)
class EnterpriseAdmin(EntryAdmin):
    list_display = ["name", "tax_code", "sector", "place", "reporting_unit", "valid_from",
                    "valid_to", "illustrative"]
    list_filter = ["sector", "illustrative"]
    search_fields = ["name", "tax_code"]
    list_select_related = ["sector", "place", "reporting_unit"]


@admin.register(ScpModel)
class ScpModelAdmin(EntryAdmin):
    list_display = [*EntryAdmin.list_display, "kind"]


@admin.register(StEnterprise)
class StEnterpriseAdmin(EntryAdmin):
    list_display = [*EntryAdmin.list_display, "certificate_number", "certificate_date"]


@admin.register(AwarenessActivity)
class AwarenessActivityAdmin(ReadOnlyAdmin):
    list_display = ["date", "title", "organiser", "participants"]
    search_fields = ["title"]
    list_select_related = ["organiser"]


@admin.register(PackagingPractice)
class PackagingPracticeAdmin(ReadOnlyAdmin):
    list_display = ["retailer", "since", "until", "basis"]
    list_select_related = ["retailer"]


class LineInline(admin.TabularInline):
    model = ConsumptionLine
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsumptionRecord)
class ConsumptionRecordAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "period", "source", "version", "illustrative"]
    list_filter = ["year", "period", "source"]
    list_select_related = ["enterprise"]
    inlines = [LineInline]


@admin.register(MeasureKind)
class MeasureKindAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "base_unit"]


@admin.register(MeasureUnit)
class MeasureUnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "symbol", "name", "kind", "factor"]
    list_filter = ["kind"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "role", "default_unit"]
    list_filter = ["role"]


@admin.register(FuelFactor)
class FuelFactorAdmin(ReadOnlyAdmin):
    list_display = ["item", "unit", "toe", "source"]


@admin.register(ConsumptionLine)
class ConsumptionLineAdmin(ReadOnlyAdmin):
    list_display = ["record", "item", "quantity", "unit"]
    list_select_related = ["record__enterprise", "item", "unit"]
