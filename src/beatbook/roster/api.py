"""REST API for units: list, status and position."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from beatbook.core.permissions import request_user
from beatbook.roster import services
from beatbook.roster.choices import UnitStatus
from beatbook.roster.models import Unit
from beatbook.roster.selectors import unit_get, unit_list


class UnitOutput(serializers.ModelSerializer):
    user = serializers.CharField(source="user.get_full_name")
    team = serializers.CharField(source="user.team.name", default=None)

    class Meta:
        model = Unit
        fields = [
            "id",
            "call_sign",
            "user",
            "team",
            "status",
            "status_changed_at",
            "lat",
            "lon",
            "position_at",
        ]
        read_only_fields = fields


class UnitListApi(APIView):
    @extend_schema(responses=UnitOutput(many=True), operation_id="units_list")
    def get(self, request: Request) -> Response:
        return Response(UnitOutput(unit_list(viewer=request_user(request)), many=True).data)


class UnitStatusApi(APIView):
    @extend_schema_serializer(component_name="UnitStatusInput")
    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=UnitStatus.choices)
        reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    @extend_schema(request=InputSerializer, responses=UnitOutput, operation_id="units_status")
    def post(self, request: Request, unit_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = unit_get(viewer=request_user(request), unit_id=unit_id)
        unit = services.unit_status_set(
            actor=request_user(request), unit=unit, **data.validated_data
        )
        return Response(UnitOutput(unit).data)


class UnitPositionApi(APIView):
    @extend_schema_serializer(component_name="UnitPositionInput")
    class InputSerializer(serializers.Serializer):
        lat = serializers.FloatField(min_value=-90, max_value=90)
        lon = serializers.FloatField(min_value=-180, max_value=180)

    @extend_schema(request=InputSerializer, responses=UnitOutput, operation_id="units_position")
    def post(self, request: Request, unit_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = unit_get(viewer=request_user(request), unit_id=unit_id)
        unit = services.unit_position_set(
            actor=request_user(request), unit=unit, **data.validated_data
        )
        return Response(UnitOutput(unit).data)


api_urlpatterns = [
    path("", UnitListApi.as_view(), name="unit_list"),
    path("<int:unit_id>/status/", UnitStatusApi.as_view(), name="unit_status"),
    path("<int:unit_id>/position/", UnitPositionApi.as_view(), name="unit_position"),
]
