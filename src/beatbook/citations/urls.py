from django.urls import path

from beatbook.citations import views

app_name = "citations"
urlpatterns = [
    path("", views.CitationListView.as_view(), name="citation_list"),
    path("new/", views.CitationIssueView.as_view(), name="citation_issue"),
    path("history/", views.OffenderHistoryView.as_view(), name="offender_history"),
    path("<int:citation_id>/", views.CitationDetailView.as_view(), name="citation_detail"),
    path(
        "<int:citation_id>/print.<slug:fmt>",
        views.CitationPrintView.as_view(),
        name="citation_print",
    ),
    path(
        "<int:citation_id>/<slug:action>/",
        views.CitationActionView.as_view(),
        name="citation_action",
    ),
]
