from django.urls import path

from beatbook.portal import alerts as alert_views
from beatbook.portal import events as event_views
from beatbook.portal import feedback as feedback_views
from beatbook.portal import resources as resource_views
from beatbook.portal import views
from beatbook.portal import volunteers as volunteer_views

app_name = "portal"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("resources/", resource_views.ResourceSearchView.as_view(), name="resources"),
    path(
        "referral/<str:token>/",
        resource_views.ProviderReferralView.as_view(),
        name="referral_provider",
    ),
    path("report/thanks/", views.ReportThanksView.as_view(), name="report_thanks"),
    path("report/<slug:code>/", views.ReportView.as_view(), name="report"),
    path("nearby/", views.NearbyView.as_view(), name="nearby"),
    path("track/<str:token>/", views.TrackView.as_view(), name="track"),
    path(
        "track/<str:token>/photos/<int:photo_id>/<slug:size>/",
        views.TrackPhotoView.as_view(),
        name="track_photo",
    ),
    path("find-my-cso/", views.FindMyCsoView.as_view(), name="find_my_cso"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports.json", views.ReportMapDataView.as_view(), name="report_map_data"),
    path("reports/<str:reference>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<str:reference>/support/", views.SupportView.as_view(), name="report_support"),
    path("map/<slug:layer>.geojson", views.MapLayerView.as_view(), name="map_layer"),
    path("lost/", views.LostReportView.as_view(), name="lost_report"),
    path("lost/<str:token>/", views.LostTrackView.as_view(), name="lost_track"),
    path("found/", views.FoundSearchView.as_view(), name="found_search"),
    path("lost-pet/", views.LostPetReportView.as_view(), name="lost_pet"),
    path("lost-pet/<str:token>/", views.LostPetTrackView.as_view(), name="lost_pet_track"),
    path("found-animals/", views.FoundAnimalsView.as_view(), name="found_animals"),
]
urlpatterns += [
    path("events/", event_views.EventCalendarView.as_view(), name="event_calendar"),
    path("events.ics", event_views.CalendarFeedView.as_view(), name="calendar_feed"),
    path(
        "events/beat/<str:beat>.ics",
        event_views.CalendarFeedView.as_view(),
        name="calendar_feed_beat",
    ),
    path("events/<str:number>/", event_views.PublicEventView.as_view(), name="event_detail"),
    path("events/<str:number>/event.ics", event_views.EventIcsView.as_view(), name="event_ics"),
    path(
        "registrations/<str:token>/",
        event_views.RegistrationManageView.as_view(),
        name="event_registration",
    ),
]
urlpatterns += [
    path("alerts/", alert_views.AlertIndexView.as_view(), name="alert_index"),
    path("alerts.atom", alert_views.AlertFeed(), name="alert_feed"),
    path("alerts/subscribe/", alert_views.SubscribeView.as_view(), name="alert_subscribe"),
    path("alerts/confirm/<str:token>/", alert_views.ConfirmView.as_view(), name="alert_confirm"),
    path(
        "alerts/unsubscribe/<str:token>/",
        alert_views.UnsubscribeView.as_view(),
        name="alert_unsubscribe",
    ),
    path("prevention/", alert_views.PreventionIndexView.as_view(), name="prevention_index"),
    path(
        "prevention/<slug:slug>/",
        alert_views.PreventionArticleView.as_view(),
        name="prevention_article",
    ),
    path("alerts/<str:number>/", alert_views.PublicAlertView.as_view(), name="alert_detail"),
    path("alerts/<str:number>.xml", alert_views.AlertCapView.as_view(), name="alert_cap"),
]
urlpatterns += [
    path(
        "volunteer/<str:token>/", volunteer_views.VolunteerHomeView.as_view(), name="volunteer_home"
    ),
    path(
        "volunteer/<str:token>/shifts.ics",
        volunteer_views.VolunteerCalendarView.as_view(),
        name="volunteer_calendar",
    ),
    path(
        "volunteer/<str:token>/<slug:action>/<int:pk>/",
        volunteer_views.VolunteerActionView.as_view(),
        name="volunteer_action",
    ),
]
urlpatterns += [
    path(
        "track/<str:token>/feedback/",
        feedback_views.CallFeedbackView.as_view(),
        name="call_feedback",
    ),
    path(
        "registrations/<str:token>/feedback/",
        feedback_views.RegistrationFeedbackView.as_view(),
        name="registration_feedback",
    ),
]
