from django.contrib import admin

from orgunits.models import OrgUnit, Succession


class SuccessionOutInline(admin.TabularInline):
    model = Succession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to", "uncertain"]
    list_filter = ["kind", "uncertain"]
    search_fields = ["code", "name", "name_en", "official_code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [SuccessionOutInline]


@admin.register(Succession)
class SuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "date", "kind", "share", "uncertain"]
    list_filter = ["kind", "date", "uncertain"]
    list_select_related = ["predecessor", "successor"]
    autocomplete_fields = ["predecessor", "successor"]
