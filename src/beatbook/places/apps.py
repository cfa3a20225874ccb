from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "beatbook.places"
    label = "places"
    verbose_name = "Places and beats"
