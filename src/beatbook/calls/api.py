"""REST API for calls: list, create (idempotent), read, and one endpoint per life-cycle step."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from beatbook.calls import services
from beatbook.calls.choices import CallSource, CallStatus, Disposition, Division
from beatbook.calls.models import Call
from beatbook.calls.selectors import (
    CallFilters,
    call_get,
    call_list,
    call_type_get,
    call_type_list,
    unit_recommendations,
)
from beatbook.core.api import Pagination, idempotent_create
from beatbook.core.permissions import request_user


class CallOutput(serializers.ModelSerializer):
    call_type = serializers.CharField(source="call_type.code")
    call_type_name = serializers.CharField(source="call_type.name")
    beat = serializers.CharField(source="beat.name")
    assigned_unit = serializers.CharField(source="assigned_unit.call_sign", default=None)
    possible_duplicate_of = serializers.CharField(
        source="possible_duplicate_of.number", default=None
    )
    merged_into = serializers.CharField(source="merged_into.number", default=None)

    class Meta:
        model = Call
        fields = [
            "id",
            "number",
            "call_type",
            "call_type_name",
            "source",
            "status",
            "priority",
            "description",
            "caller_name",
            "caller_phone",
            "caller_email",
            "address_text",
            "block_text",
            "lat",
            "lon",
            "beat",
            "h3_cell",
            "needs_escalation",
            "triage_reasons",
            "assigned_unit",
            "received_at",
            "queued_at",
            "dispatched_at",
            "en_route_at",
            "on_scene_at",
            "closed_at",
            "disposition",
            "escalation_reason",
            "referral_division",
            "referral_note",
            "close_note",
            "possible_duplicate_of",
            "merged_into",
        ]
        read_only_fields = fields


class CallCollectionApi(APIView):
    class FilterSerializer(serializers.Serializer):
        status = serializers.MultipleChoiceField(choices=CallStatus.choices, required=False)
        open = serializers.BooleanField(required=False, default=False)
        call_type = serializers.CharField(required=False, max_length=16, default="")
        beat = serializers.CharField(required=False, max_length=50, default="")
        since = serializers.DateTimeField(required=False, default=None)
        until = serializers.DateTimeField(required=False, default=None)
        q = serializers.CharField(required=False, max_length=100, default="")

    @extend_schema_serializer(component_name="CallCreateInput")
    class InputSerializer(serializers.Serializer):
        call_type = serializers.CharField(max_length=16)
        source = serializers.ChoiceField(  # type: ignore[assignment]
            choices=[CallSource.PHONE, CallSource.WALK_IN, CallSource.FIELD, CallSource.API]
        )
        description = serializers.CharField(max_length=4000)
        address = serializers.CharField(
            max_length=200, required=False, default="", allow_blank=True
        )
        lat = serializers.FloatField(
            required=False, default=None, allow_null=True, min_value=-90, max_value=90
        )
        lon = serializers.FloatField(
            required=False, default=None, allow_null=True, min_value=-180, max_value=180
        )
        caller_name = serializers.CharField(
            max_length=150, required=False, default="", allow_blank=True
        )
        caller_phone = serializers.CharField(
            max_length=40, required=False, default="", allow_blank=True
        )
        caller_email = serializers.EmailField(required=False, default="", allow_blank=True)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if (attrs["lat"] is None) != (attrs["lon"] is None):
                raise serializers.ValidationError("Give both lat and lon, or neither.")
            if attrs["lat"] is None and not attrs["address"].strip():
                raise serializers.ValidationError("Give an address or lat and lon.")
            return attrs

    @extend_schema(
        parameters=[FilterSerializer],
        responses=CallOutput(many=True),
        operation_id="calls_list",
    )
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        filters = CallFilters(
            status=sorted(d.get("status") or []),
            open_only=d["open"],
            call_type=d["call_type"],
            beat=d["beat"],
            since=d["since"],
            until=d["until"],
            text=d["q"],
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(
            call_list(viewer=request_user(request), filters=filters), request, view=self
        )
        return paginator.get_paginated_response(CallOutput(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: CallOutput},
        operation_id="calls_create",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Repeat the same key to retry safely.",
            )
        ],
    )
    @idempotent_create
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        call_type = call_type_get(code=fields.pop("call_type"))
        call = services.call_intake(actor=request_user(request), call_type=call_type, **fields)
        return Response(CallOutput(call).data, status=201)


class CallDetailApi(APIView):
    @extend_schema(responses=CallOutput, operation_id="calls_retrieve")
    def get(self, request: Request, call_id: int) -> Response:
        return Response(CallOutput(call_get(viewer=request_user(request), call_id=call_id)).data)


class CallStepApi(APIView):
    """Base for one life-cycle step: validate input, call the service, return the call."""

    class InputSerializer(serializers.Serializer):
        pass

    step: ClassVar[str] = ""  # the URL segment and schema name

    def post(self, request: Request, call_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call = call_get(viewer=request_user(request), call_id=call_id)
        services.call_step(
            step=self.step, actor=request_user(request), call=call, data=dict(data.validated_data)
        )
        return Response(CallOutput(call_get(viewer=request_user(request), call_id=call_id)).data)


STEP_SUMMARIES = {
    "dispatch": "Assign a unit to a queued call",
    "en-route": "Mark the assigned unit en route",
    "on-scene": "Mark the assigned unit on scene",
    "clear": "Clear a call with a disposition",
    "escalate": "Hand a call to sworn officers, with the reason",
    "refer": "Refer a call to another division",
    "cancel": "Cancel a call, with the reason",
    "unassign": "Take a call back from its unit into the queue",
    "override-triage": "Clear a false triage flag (supervisor)",
    "merge": "Merge a duplicate into another open call",
    "keep-apart": "Dismiss a possible-duplicate link",
    "note": "Add a note to a call",
}


def _step(name: str, input_fields: dict[str, serializers.Field]) -> type[CallStepApi]:
    input_class = type(
        f"{name.title().replace('-', '')}Input", (serializers.Serializer,), dict(input_fields)
    )

    # Each class needs its own `post` function: the schema decoration is stored on it.
    @extend_schema(
        request=input_class,
        responses=CallOutput,
        operation_id=f"calls_{name.replace('-', '_')}",
        summary=STEP_SUMMARIES[name],
    )
    def post(self: CallStepApi, request: Request, call_id: int) -> Response:
        return CallStepApi.post(self, request, call_id)

    return type(
        f"Call{name.title().replace('-', '')}Api",
        (CallStepApi,),
        {
            "InputSerializer": input_class,
            "step": name,
            "post": post,
        },
    )


def _reason() -> serializers.CharField:
    return serializers.CharField(max_length=300)


def _note_field() -> serializers.CharField:
    return serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


# step → its input fields; the work itself is `services.call_step`, shared with the pages.
STEP_APIS = [
    _step("dispatch", {"unit_id": serializers.IntegerField()}),
    _step("en-route", {}),
    _step("on-scene", {}),
    _step(
        "clear",
        {
            "disposition": serializers.ChoiceField(choices=Disposition.choices),
            "note": _note_field(),
        },
    ),
    _step("escalate", {"reason": _reason()}),
    _step(
        "refer",
        {"division": serializers.ChoiceField(choices=Division.choices), "note": _note_field()},
    ),
    _step("cancel", {"reason": _reason()}),
    _step("unassign", {"reason": _reason()}),
    _step("override-triage", {"reason": _reason()}),
    _step("merge", {"into_id": serializers.IntegerField()}),
    _step("keep-apart", {}),
    _step(
        "note",
        {
            "text": serializers.CharField(max_length=4000),
            "is_public": serializers.BooleanField(required=False, default=False),
        },
    ),
]


class RecommendationOutput(serializers.Serializer):
    unit_id = serializers.IntegerField()
    call_sign = serializers.CharField()
    score = serializers.FloatField()
    distance_m = serializers.FloatField(allow_null=True)
    active_calls = serializers.IntegerField()
    calls_today = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class CallRecommendationsApi(APIView):
    @extend_schema(responses=RecommendationOutput(many=True), operation_id="calls_recommendations")
    def get(self, request: Request, call_id: int) -> Response:
        call = call_get(viewer=request_user(request), call_id=call_id)
        return Response(RecommendationOutput(unit_recommendations(call=call), many=True).data)


class CallTypeOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    apco_code = serializers.CharField()
    priority = serializers.IntegerField()
    target_minutes = serializers.IntegerField()
    responder = serializers.CharField()
    referral_division = serializers.CharField()
    is_public = serializers.BooleanField()


class CallTypeListApi(APIView):
    @extend_schema(responses=CallTypeOutput(many=True), operation_id="call_types_list")
    def get(self, request: Request) -> Response:
        return Response(CallTypeOutput(call_type_list(), many=True).data)


api_urlpatterns = [
    path("", CallCollectionApi.as_view(), name="call_collection"),
    path("types/", CallTypeListApi.as_view(), name="call_type_list"),
    path("<int:call_id>/", CallDetailApi.as_view(), name="call_detail"),
    path(
        "<int:call_id>/recommendations/",
        CallRecommendationsApi.as_view(),
        name="call_recommendations",
    ),
    *[
        path(f"<int:call_id>/{api.step}/", api.as_view(), name=f"call_{api.step}")
        for api in STEP_APIS
    ],
]
