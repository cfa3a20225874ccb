from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from beatbook.accounts import services
from beatbook.accounts.models import ApiToken, Team, User
from beatbook.core.permissions import request_user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "get_full_name", "role", "team", "is_active", "last_login")
    list_filter = ("role", "team", "is_active")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("Beatbook", {"fields": ("role", "team", "badge_number", "phone", "must_change_password")}),
    )
    actions = ["unlock_accounts", "issue_api_token", "force_password_change"]

    @admin.action(description="Unlock the selected accounts (release a login lockout)")
    def unlock_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_unlock(actor=request_user(request), user=user)
        messages.success(request, f"Unlocked {queryset.count()} account(s).")

    @admin.action(description="Force a password change (password may be compromised)")
    def force_password_change(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_force_password_change(
                actor=request_user(request), user=user, reason="marked compromised in admin"
            )
        messages.success(request, f"{queryset.count()} account(s) must change password.")

    @admin.action(description="Issue an API token for the selected account")
    def issue_api_token(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            _, raw = services.api_token_issue(
                actor=request_user(request),
                user=user,
                name="issued in admin",
            )
            messages.warning(request, f"Token for {user.username} (shown once): {raw}")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_phone")
    filter_horizontal = ("beats",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "key_hash",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.api_token_revoke(actor=request_user(request), token=token)

    def get_actions(self, request: HttpRequest) -> Any:
        return super().get_actions(request)
