from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from beatbook.core.permissions import request_user
from beatbook.open311 import services
from beatbook.open311.models import Open311Client


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email", "key_prefix", "is_active", "created_at")
    readonly_fields = ("key_prefix", "key_hash", "created_at")
    actions = ["issue_key"]

    @admin.action(description="Issue a new api_key (the old one stops working)")
    def issue_key(self, request: HttpRequest, queryset: QuerySet[Open311Client]) -> None:
        for client in queryset:
            raw = services.client_key_issue(actor=request_user(request), client=client)
            messages.warning(request, f"api_key for {client.name} (shown once): {raw}")
