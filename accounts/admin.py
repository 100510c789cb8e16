from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User
from accounts.services import token_revoke, user_upsert


class UserAddForm(forms.ModelForm):
    """A new account without a password: its owner chooses one from the e-mailed link."""

    class Meta:
        model = User
        fields = ["username", "email", "first_name", "last_name", "role", "org_unit"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "org_unit"]
    list_filter = ["role", "is_active", "org_unit__kind"]
    list_select_related = ["org_unit"]
    autocomplete_fields = ["org_unit"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("SCP Monitor"), {"fields": ("role", "org_unit", "phone")}),
    )
    add_form = UserAddForm
    add_fieldsets = ((None, {"fields": ("username", "email", "first_name", "last_name",
                                        "role", "org_unit")}),)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # Through the service: audited, and the set-password e-mail goes out on commit.
        user, _created = user_upsert(
            username=obj.username, role=obj.role, org_unit=obj.org_unit, email=obj.email,
            full_name=f"{obj.first_name} {obj.last_name}".strip(), actor=request.user)
        obj.pk = user.pk
        obj._state.adding = False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at",
                    "revoked_at"]
    list_filter = ["revoked_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["user", "prefix", "digest", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token is shown once: its owner creates it on the profile page

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The selected tokens are revoked."))
