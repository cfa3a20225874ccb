from django.urls import path

from beatbook.roster import views

app_name = "roster"
urlpatterns = [
    path("me/<slug:action>/", views.FieldActionView.as_view(), name="field_action"),
    path(
        "alarms/<int:alarm_id>/acknowledge/",
        views.AlarmAcknowledgeView.as_view(),
        name="alarm_acknowledge",
    ),
]
