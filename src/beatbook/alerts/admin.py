from django.contrib import admin

from beatbook.alerts.models import Subscription


# Alerts change only through the services (approval, history, emails). The admin can see
# subscriptions to answer a resident's question, but not change who receives what.
@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "language", "confirmed_at", "unsubscribed_at")
    search_fields = ("email",)
    fields = readonly_fields = ("email", "language", "confirmed_at", "unsubscribed_at", "beats")

    def has_add_permission(self, request: object) -> bool:
        return False
