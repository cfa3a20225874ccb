from django.apps import AppConfig


class AnimalsConfig(AppConfig):
    name = "beatbook.animals"
    label = "animals"
    verbose_name = "Animal control"
