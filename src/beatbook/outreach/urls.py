from django.urls import path

from beatbook.outreach import views

app_name = "outreach"
urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/new/", views.EventCreateView.as_view(), name="event_create"),
    path("events/<int:event_id>/", views.EventDetailView.as_view(), name="event_detail"),
    path("events/<int:event_id>/edit/", views.EventEditView.as_view(), name="event_edit"),
    path(
        "events/<int:event_id>/registrations/<int:registration_id>/<slug:step>/",
        views.RegistrationStepView.as_view(),
        name="registration_step",
    ),
    path(
        "events/<int:event_id>/follow-ups/<int:follow_up_id>/done/",
        views.FollowUpDoneView.as_view(),
        name="follow_up_done",
    ),
    path("events/<int:event_id>/<slug:step>/", views.EventStepView.as_view(), name="event_step"),
]
