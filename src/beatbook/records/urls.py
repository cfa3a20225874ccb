from django.urls import path

from beatbook.records import views

app_name = "records"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="report_list"),
    path("new/", views.ReportCreateView.as_view(), name="report_create"),
    path("review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("<int:report_id>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("<int:report_id>/pdf/", views.ReportPdfView.as_view(), name="report_pdf"),
    path(
        "<int:report_id>/attachments/<int:attachment_id>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path("<int:report_id>/<slug:action>/", views.ReportActionView.as_view(), name="report_action"),
    path("dar/", views.DarTodayView.as_view(), name="dar_today"),
    path("dar/all/", views.DarListView.as_view(), name="dar_list"),
    path("dar/<int:dar_id>/", views.DarDetailView.as_view(), name="dar_detail"),
    path("dar/<int:dar_id>/pdf/", views.DarPdfView.as_view(), name="dar_pdf"),
    path("dar/<int:dar_id>/<slug:action>/", views.DarActionView.as_view(), name="dar_action"),
]
