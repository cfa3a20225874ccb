from django.urls import path

from beatbook.property import views

app_name = "property"
urlpatterns = [
    path("", views.ItemListView.as_view(), name="item_list"),
    path("new/", views.ItemIntakeView.as_view(), name="item_intake"),
    path("scan/", views.ItemScanView.as_view(), name="item_scan"),
    path("lost/", views.LostReportListView.as_view(), name="lost_list"),
    path("lost/<int:report_id>/", views.LostReportDetailView.as_view(), name="lost_detail"),
    path("lost/<int:report_id>/match/", views.LostMatchConfirmView.as_view(), name="lost_match"),
    path("lost/<int:report_id>/return/", views.LostReturnView.as_view(), name="lost_return"),
    path("<int:item_id>/", views.ItemDetailView.as_view(), name="item_detail"),
    path(
        "<int:item_id>/<slug:document>.pdf", views.ItemDocumentView.as_view(), name="item_document"
    ),
    path("<int:item_id>/photos/", views.ItemPhotoUploadView.as_view(), name="item_photo_add"),
    path(
        "<int:item_id>/photos/<int:photo_id>/<str:size>.jpg",
        views.ItemPhotoView.as_view(),
        name="item_photo",
    ),
    path("<int:item_id>/court-export/", views.CourtExportView.as_view(), name="item_court_export"),
    path("<int:item_id>/<slug:action>/", views.ItemActionView.as_view(), name="item_action"),
]
