from django.urls import include, path

from beatbook.calls.api import api_urlpatterns as calls_api
from beatbook.roster.api import api_urlpatterns as roster_api

urlpatterns = [
    path("calls/", include((calls_api, "calls_api"))),
    path("units/", include((roster_api, "roster_api"))),
]
