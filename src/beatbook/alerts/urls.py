from django.urls import path

from beatbook.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.AlertListView.as_view(), name="alert_list"),
    path("new/", views.AlertDraftView.as_view(), name="alert_draft"),
    path("library/", views.ArticleListView.as_view(), name="article_list"),
    path("library/new/", views.ArticleEditView.as_view(), name="article_new"),
    path("library/<int:article_id>/", views.ArticleEditView.as_view(), name="article_edit"),
    path("<int:alert_id>/", views.AlertDetailView.as_view(), name="alert_detail"),
    path("<int:alert_id>/edit/", views.AlertEditView.as_view(), name="alert_edit"),
    path("<int:alert_id>/<slug:step>/", views.AlertStepView.as_view(), name="alert_step"),
]
