from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import View

from beatbook.core.permissions import RoleRequiredMixin
from beatbook.core.roles import ALL_STAFF_ROLES
from beatbook.places.selectors import beat_list, beats_geojson, streets_geojson


class BeatMapView(RoleRequiredMixin, View):
    allowed_roles = ALL_STAFF_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        beats = beat_list().prefetch_related("teams")
        return render(request, "places/beat_map.html", {"beats": beats})


class StreetsGeojsonView(RoleRequiredMixin, View):
    """Street lines from the local address table, for maps without a basemap."""

    allowed_roles = ALL_STAFF_ROLES

    def get(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse(streets_geojson())


class BeatGeojsonView(RoleRequiredMixin, View):
    allowed_roles = ALL_STAFF_ROLES

    def get(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse(beats_geojson())
