from django.contrib import admin

from beatbook.outreach.models import PartnerOrganisation


# Events and registrations change only through the services (history, emails, seat rules);
# the admin keeps the list of partner organisations.
@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "website", "contact_email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
