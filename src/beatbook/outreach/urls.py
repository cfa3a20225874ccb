from django.urls import path

from beatbook.outreach.views import events, volunteers, watch

app_name = "outreach"
urlpatterns = [
    path("events/", events.EventListView.as_view(), name="event_list"),
    path("events/new/", events.EventCreateView.as_view(), name="event_create"),
    path("events/<int:event_id>/", events.EventDetailView.as_view(), name="event_detail"),
    path("events/<int:event_id>/edit/", events.EventEditView.as_view(), name="event_edit"),
    path(
        "events/<int:event_id>/registrations/<int:registration_id>/<slug:step>/",
        events.RegistrationStepView.as_view(),
        name="registration_step",
    ),
    path(
        "events/<int:event_id>/follow-ups/<int:follow_up_id>/done/",
        events.FollowUpDoneView.as_view(),
        name="follow_up_done",
    ),
    path("events/<int:event_id>/<slug:step>/", events.EventStepView.as_view(), name="event_step"),
]
urlpatterns += [
    path("volunteers/", volunteers.VolunteerListView.as_view(), name="volunteer_list"),
    path("volunteers/hours.csv", volunteers.HoursExportView.as_view(), name="volunteer_hours"),
    path(
        "volunteers/<int:volunteer_id>/",
        volunteers.VolunteerDetailView.as_view(),
        name="volunteer_detail",
    ),
    path(
        "volunteers/<int:volunteer_id>/vetting/",
        volunteers.VettingRecordView.as_view(),
        name="vetting_record",
    ),
    path("shifts/", volunteers.ShiftListView.as_view(), name="shift_list"),
    path("watch/", watch.WatchGroupListView.as_view(), name="watch_list"),
    path("watch/<int:group_id>/", watch.WatchGroupDetailView.as_view(), name="watch_detail"),
    path(
        "watch/<int:group_id>/members/<int:member_id>/withdraw/",
        watch.WatchMemberWithdrawView.as_view(),
        name="watch_member_withdraw",
    ),
    path("watch/<int:group_id>/<slug:step>/", watch.WatchStepView.as_view(), name="watch_step"),
]
