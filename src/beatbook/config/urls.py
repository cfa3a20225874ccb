from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from beatbook.config import api_urls

# The admin accepts only sessions that passed the second factor, and signs in through the
# same page as everyone else (notice, lockout, TOTP).
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Beatbook administration"

urlpatterns = [
    # First: the busiest write (every client app's POST) resolves without trying the other
    # eighteen prefixes; no other pattern starts with it.
    path("open311/v2/", include("beatbook.open311.urls")),
    path("", include("beatbook.core.urls")),
    path("accounts/", include("beatbook.accounts.urls")),
    path("places/", include("beatbook.places.urls")),
    path("calls/", include("beatbook.calls.urls")),
    path("roster/", include("beatbook.roster.urls")),
    path("reports/", include("beatbook.records.urls")),
    path("citations/", include("beatbook.citations.urls")),
    path("property/", include("beatbook.property.urls")),
    path("animals/", include("beatbook.animals.urls")),
    path("outreach/", include("beatbook.outreach.urls")),
    path("alerts/", include("beatbook.alerts.urls")),
    path("resources/", include("beatbook.resources.urls")),
    path("casework/", include("beatbook.casework.urls")),
    path("analytics/", include("beatbook.analytics.urls")),
    path("api/v1/", include(api_urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("favicon.ico", RedirectView.as_view(url=static("core/favicon.svg"), permanent=True)),
    path(
        "admin/login/", RedirectView.as_view(url=reverse_lazy("accounts:login"), query_string=True)
    ),
    path("admin/", admin.site.urls),
]
# The resident portal in every language: /portal/… in English, /es/portal/… in Spanish.
urlpatterns += i18n_patterns(
    path("portal/", include("beatbook.portal.urls")), prefix_default_language=False
)
