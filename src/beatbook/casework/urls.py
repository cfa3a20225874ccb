from django.urls import path

from beatbook.casework import views

app_name = "casework"
urlpatterns = [
    path("mediation/", views.MediationListView.as_view(), name="mediation_list"),
    path("mediation/new/", views.MediationCreateView.as_view(), name="mediation_create"),
    path("mediation/<int:case_id>/", views.MediationDetailView.as_view(), name="mediation_detail"),
    path(
        "mediation/<int:case_id>/agreement.pdf",
        views.AgreementPdfView.as_view(),
        name="agreement_pdf",
    ),
    path(
        "mediation/<int:case_id>/signed.pdf",
        views.SignedAgreementView.as_view(),
        name="signed_pdf",
    ),
    path(
        "mediation/<int:case_id>/<slug:step>/",
        views.MediationStepView.as_view(),
        name="mediation_step",
    ),
    path(
        "mediation/<int:case_id>/<slug:step>/<int:item>/",
        views.MediationStepView.as_view(),
        name="mediation_item_step",
    ),
    path("victims/", views.VictimListView.as_view(), name="victim_list"),
    path("victims/open/<int:person_id>/", views.VictimOpenView.as_view(), name="victim_open"),
    path("victims/<int:assistance_id>/", views.VictimDetailView.as_view(), name="victim_detail"),
    path(
        "victims/<int:assistance_id>/<slug:step>/",
        views.VictimStepView.as_view(),
        name="victim_step",
    ),
    path(
        "victims/<int:assistance_id>/<slug:step>/<int:item>/",
        views.VictimStepView.as_view(),
        name="victim_item_step",
    ),
]
