from django.db import models


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    BUSY = "busy", "Busy (assigned)"
    EN_ROUTE = "en_route", "En route"
    ON_SCENE = "on_scene", "On scene"
    OUT_OF_SERVICE = "out_of_service", "Out of service"
