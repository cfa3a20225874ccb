from django.urls import path

from beatbook.calls import views

app_name = "calls"
urlpatterns = [
    path("", views.CallListView.as_view(), name="call_list"),
    path("new/", views.CallIntakeView.as_view(), name="call_intake"),
    path("board/", views.BoardView.as_view(), name="board"),
    path("board/live/", views.BoardLiveView.as_view(), name="board_live"),
    path("board/map.json", views.BoardMapView.as_view(), name="board_map"),
    path("field/", views.FieldHomeView.as_view(), name="field"),
    path("field/new/", views.FieldCallCreateView.as_view(), name="field_call_create"),
    path("<int:call_id>/", views.CallDetailView.as_view(), name="call_detail"),
    path("<int:call_id>/photos/<int:photo_id>/", views.CallPhotoView.as_view(), name="call_photo"),
    path("<int:call_id>/<slug:action>/", views.CallActionView.as_view(), name="call_action"),
]
