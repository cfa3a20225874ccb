from django.urls import path

from beatbook.places import views

app_name = "places"
urlpatterns = [
    path("beats/", views.BeatMapView.as_view(), name="beat_map"),
    path("beats.geojson", views.BeatGeojsonView.as_view(), name="beat_geojson"),
    path("streets.geojson", views.StreetsGeojsonView.as_view(), name="street_geojson"),
]
