from django.urls import path

from beatbook.resources import views

app_name = "resources"
urlpatterns = [
    path("", views.SearchView.as_view(), name="search"),
    path("services/new/", views.ServiceEditView.as_view(), name="service_create"),
    path("services/<uuid:service_id>/", views.ServiceDetailView.as_view(), name="service_detail"),
    path("services/<uuid:service_id>/edit/", views.ServiceEditView.as_view(), name="service_edit"),
    path("refer/", views.ReferralCreateView.as_view(), name="referral_create"),
    path("referrals/", views.ReferralListView.as_view(), name="referral_list"),
    path(
        "referrals/<int:referral_id>/", views.ReferralDetailView.as_view(), name="referral_detail"
    ),
    path("directory/", views.DirectoryAdminView.as_view(), name="directory_admin"),
    path("directory/hsds.json", views.ExportJsonView.as_view(), name="export_json"),
    path("directory/hsds.zip", views.ExportPackageView.as_view(), name="export_zip"),
]
