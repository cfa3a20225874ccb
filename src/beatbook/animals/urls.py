from django.urls import path

from beatbook.animals import views

app_name = "animals"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("new/", views.CaseOpenView.as_view(), name="case_open"),
    path("lost/", views.LostAnimalListView.as_view(), name="lost_list"),
    path("lost/<int:report_id>/", views.LostAnimalDetailView.as_view(), name="lost_detail"),
    path("lost/<int:report_id>/match/", views.LostAnimalMatchView.as_view(), name="lost_match"),
    path("<int:case_id>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:case_id>/<slug:form_name>/save/", views.CaseFormView.as_view(), name="case_form"),
    path("<int:case_id>/<slug:step>/", views.CaseStepView.as_view(), name="case_step"),
]
