from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from beatbook.calls import services
from beatbook.calls.choices import CallStatus
from beatbook.calls.exceptions import (
    CallNeedsEscalation,
    CallTransitionRefused,
    DispositionRequired,
    UnitNotEligible,
)
from beatbook.calls.models import Call
from beatbook.calls.tests.factories import call_type, intake
from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.geo import distance_m
from beatbook.core.history import history_for
from beatbook.core.testing import INSIDE_A1, INSIDE_B1, OUTSIDE
from beatbook.places.exceptions import AddressNotFound, OutsideAgencyArea
from beatbook.roster.choices import UnitStatus
from beatbook.roster.models import Shift

pytestmark = pytest.mark.django_db


def verbs(call: Call) -> list[str]:
    return list(history_for(call).values_list("verb", flat=True))


class TestCallIntake:
    def test_numbers_places_and_queues_a_call(self, agency: dict[str, Any]) -> None:
        first = intake(agency["dispatcher"])
        second = intake(agency["dispatcher"], description="Barking dog", code="ANIMAL")
        year = timezone.localtime().year
        assert first.number == f"CFS-{year}-000001"
        assert second.number == f"CFS-{year}-000002"
        assert first.status == CallStatus.QUEUED
        assert first.beat.name == "A1"
        assert len(first.h3_cell) == 15
        assert first.h3_cell.startswith("89")
        assert first.block_text.endswith("block of Pine St")
        assert first.received_at is not None
        assert first.queued_at is not None
        assert verbs(first) == ["received", "queued"]
        assert history_for(first).first().actor == agency["dispatcher"]

    def test_writes_the_call_once(self, agency: dict[str, Any]) -> None:
        """Intake is the busiest write (Open311, the portal and the desk): the call row is
        inserted already queued and linked, never inserted and then updated."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        intake(agency["dispatcher"])
        with CaptureQueriesContext(connection) as queries:
            intake(agency["dispatcher"], lat=INSIDE_A1[0] + 0.0005, lon=INSIDE_A1[1])
        statements = " ".join(q["sql"] for q in queries)
        assert statements.count(f'INSERT INTO "{Call._meta.db_table}"') == 1
        assert f'UPDATE "{Call._meta.db_table}"' not in statements

    def test_geocodes_a_typed_address_with_a_typo(self, agency: dict[str, Any]) -> None:
        call = services.call_intake(
            actor=agency["dispatcher"],
            call_type=call_type("PARKING"),
            source="phone",
            description="Blocking driveway",
            address="1534 Pien Street",
        )
        assert call.beat.name == "A1"
        assert call.address_text == "1534 Pine St"
        assert call.block_text == "1500 block of Pine St"

    def test_refuses_a_point_outside_the_agency(self, agency: dict[str, Any]) -> None:
        with pytest.raises(OutsideAgencyArea, match="outside the agency's area"):
            intake(agency["dispatcher"], lat=OUTSIDE[0], lon=OUTSIDE[1])
        assert Call.objects.count() == 0

    def test_refuses_an_unknown_address(self, agency: dict[str, Any]) -> None:
        with pytest.raises(AddressNotFound, match="No street like"):
            services.call_intake(
                actor=agency["dispatcher"],
                call_type=call_type("NOISE"),
                source="phone",
                description="x",
                address="12 Nowhere Blvd",
            )

    def test_refuses_an_empty_description(self, agency: dict[str, Any]) -> None:
        with pytest.raises(ValidationFailed, match="Describe"):
            intake(agency["dispatcher"], description="   ")

    def test_analyst_may_not_take_calls(self, agency: dict[str, Any]) -> None:
        with pytest.raises(PermissionDenied):
            intake(agency["analyst"])

    def test_cso_may_only_record_field_initiated_calls(self, agency: dict[str, Any]) -> None:
        with pytest.raises(PermissionDenied, match="field-initiated"):
            intake(agency["cso"], source="phone")

    def test_field_initiated_call_puts_the_cso_on_scene(self, agency: dict[str, Any]) -> None:
        call = intake(
            agency["cso"],
            source="field",
            code="PARKING",
            description="Flagged down about a car on the sidewalk",
        )
        assert call.status == CallStatus.ON_SCENE
        assert call.assigned_unit == agency["cso_unit"]
        assert call.dispatched_at
        assert call.on_scene_at
        agency["cso_unit"].refresh_from_db()
        assert agency["cso_unit"].status == UnitStatus.ON_SCENE


class TestTriage:
    @pytest.mark.parametrize(
        "text",
        [
            "Man waving a knife outside the store",
            "Two people fighting in the street",
            "Woman bleeding from the head",
            "Smoke coming from the garage",
            "Neighbour found not breathing",
            "Shots fired near the park",
        ],
    )
    def test_danger_in_the_description_flags_for_sworn(
        self, agency: dict[str, Any], text: str
    ) -> None:
        call = intake(agency["dispatcher"], code="WELFARE", description=text)
        assert call.needs_escalation is True
        assert call.status == CallStatus.RECEIVED
        assert call.priority == 1
        assert call.triage_reasons
        assert "description signals" in call.triage_reasons[0]
        assert "flagged for escalation" in verbs(call)
        assert "queued" not in verbs(call)

    @pytest.mark.parametrize(
        "text",
        [
            "Minor collision, no injuries",
            "Car parked in the fire lane",
            "Nobody hurt, just a dent",
            "Fire hydrant leaking onto the sidewalk",
        ],
    )
    def test_harmless_wording_is_not_flagged(self, agency: dict[str, Any], text: str) -> None:
        call = intake(agency["dispatcher"], code="MVA", description=text)
        assert call.needs_escalation is False
        assert call.status == CallStatus.QUEUED

    def test_sworn_only_call_type_is_flagged(self, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"], code="DISORD", description="Argument at the bar")
        assert call.needs_escalation is True
        assert "sworn-only" in call.triage_reasons[0]

    def test_a_flagged_call_can_never_be_dispatched_to_a_cso(self, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"], code="WELFARE", description="Man with a gun")
        with pytest.raises(CallNeedsEscalation, match="sworn officers"):
            services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])

    def test_supervisor_may_override_a_false_text_signal(self, agency: dict[str, Any]) -> None:
        call = intake(
            agency["dispatcher"],
            code="CITASST",
            description="Kid hurt his feelings, wants someone to talk to",
        )
        assert call.needs_escalation
        with pytest.raises(PermissionDenied):
            services.call_triage_override(actor=agency["dispatcher"], call=call, reason="x")
        call = services.call_triage_override(
            actor=agency["supervisor"], call=call, reason="Not an injury"
        )
        assert call.status == CallStatus.QUEUED
        assert not call.needs_escalation
        assert "triage flag overridden" in verbs(call)

    def test_sworn_only_types_cannot_be_overridden(self, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"], code="DISORD", description="Argument")
        with pytest.raises(CallNeedsEscalation):
            services.call_triage_override(actor=agency["supervisor"], call=call, reason="x")


class TestLifeCycle:
    def test_whole_flow_records_a_time_and_actor_for_every_step(
        self, agency: dict[str, Any]
    ) -> None:
        dispatcher, cso, unit = agency["dispatcher"], agency["cso"], agency["cso_unit"]
        call = intake(dispatcher)
        call = services.call_dispatch(actor=dispatcher, call=call, unit=unit)
        unit.refresh_from_db()
        assert (call.status, unit.status) == (CallStatus.DISPATCHED, UnitStatus.BUSY)
        call = services.call_en_route(actor=cso, call=call)
        call = services.call_on_scene(actor=cso, call=call)
        services.call_note_add(actor=cso, call=call, text="Spoke with the resident")
        call = services.call_clear(
            actor=cso, call=call, disposition="warning", note="Music turned down"
        )
        unit.refresh_from_db()
        assert call.status == CallStatus.CLEARED
        assert call.disposition == "warning"
        assert call.received_at <= call.queued_at <= call.dispatched_at <= call.en_route_at
        assert call.en_route_at <= call.on_scene_at <= call.closed_at
        assert unit.status == UnitStatus.AVAILABLE
        history = list(history_for(call))
        assert [h.verb for h in history] == [
            "received",
            "queued",
            "dispatched",
            "marked en route",
            "marked on scene",
            "note added",
            "cleared",
        ]
        assert [h.actor for h in history[3:]] == [cso] * 4
        assert history[2].data == {"unit": unit.call_sign}

    def test_refuses_a_step_out_of_order_and_says_why(self, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"])
        with pytest.raises(CallTransitionRefused, match=r"is queued, so it cannot be cleared"):
            services.call_clear(actor=agency["dispatcher"], call=call, disposition="advised")
        call = services.call_dispatch(
            actor=agency["dispatcher"], call=call, unit=agency["cso_unit"]
        )
        with pytest.raises(CallTransitionRefused, match="From here it can be"):
            services.call_clear(actor=agency["cso"], call=call, disposition="advised")

    def test_closed_call_accepts_nothing_more(self, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"])
        services.call_cancel(actor=agency["dispatcher"], call=call, reason="Caller called back")
        with pytest.raises(CallTransitionRefused, match="closed"):
            services.call_escalate(actor=agency["dispatcher"], call=call, reason="x")

    def test_clearing_needs_a_disposition(self, agency: dict[str, Any]) -> None:
        call = intake(agency["cso"], source="field", code="PARKING", description="Car on curb")
        with pytest.raises(DispositionRequired):
            services.call_clear(actor=agency["cso"], call=call, disposition="")

    def test_only_the_assigned_cso_or_dispatch_may_work_a_call(
        self, agency: dict[str, Any]
    ) -> None:
        call = intake(agency["dispatcher"])
        services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
        with pytest.raises(PermissionDenied, match="Only the CSO assigned"):
            services.call_en_route(actor=agency["cso_north_2"], call=call)

    def test_escalation_keeps_the_reason_and_frees_the_unit(self, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"])
        services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
        services.call_on_scene(actor=agency["cso"], call=call)
        with pytest.raises(ValidationFailed, match="Say why"):
            services.call_escalate(actor=agency["cso"], call=call, reason=" ")
        call = services.call_escalate(
            actor=agency["cso"], call=call, reason="Resident threatened me with a bat"
        )
        agency["cso_unit"].refresh_from_db()
        assert call.status == CallStatus.ESCALATED
        assert call.escalation_reason == "Resident threatened me with a bat"
        assert agency["cso_unit"].status == UnitStatus.AVAILABLE

    def test_referral_is_kept_on_the_call(self, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"], code="VEHABND", description="Car left for weeks")
        call = services.call_refer(
            actor=agency["dispatcher"],
            call=call,
            division="traffic_enforcement",
            note="Tag for 72-hour tow",
        )
        assert (call.status, call.referral_division) == (CallStatus.REFERRED, "traffic_enforcement")
        assert call.referral_note == "Tag for 72-hour tow"
        with pytest.raises(ValidationFailed, match="Choose a division"):
            other = intake(
                agency["dispatcher"],
                code="VEHABND",
                description="Another car",
                lat=INSIDE_B1[0],
                lon=INSIDE_B1[1],
            )
            services.call_refer(actor=agency["dispatcher"], call=other, division="zoo")

    def test_unassign_returns_the_call_to_the_queue(self, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"])
        services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
        call = services.call_unassign(
            actor=agency["dispatcher"], call=call, reason="CSO needed elsewhere"
        )
        agency["cso_unit"].refresh_from_db()
        assert call.status == CallStatus.QUEUED
        assert call.assigned_unit is None
        assert agency["cso_unit"].status == UnitStatus.AVAILABLE


class TestDispatchEligibility:
    def test_out_of_service_unit_is_refused(self, agency: dict[str, Any]) -> None:
        unit = agency["cso_unit"]
        unit.status = UnitStatus.OUT_OF_SERVICE
        unit.save()
        call = intake(agency["dispatcher"])
        with pytest.raises(UnitNotEligible, match="out of service"):
            services.call_dispatch(actor=agency["dispatcher"], call=call, unit=unit)

    def test_off_duty_unit_is_refused(self, agency: dict[str, Any]) -> None:
        Shift.objects.filter(user=agency["cso"]).delete()
        call = intake(agency["dispatcher"])
        with pytest.raises(UnitNotEligible, match="not on shift"):
            services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])

    def test_cso_may_take_a_queued_call_but_not_assign_others(self, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"])
        with pytest.raises(PermissionDenied):
            services.call_dispatch(actor=agency["cso"], call=call, unit=agency["cso_north_2_unit"])
        call = services.call_dispatch(actor=agency["cso"], call=call, unit=agency["cso_unit"])
        assert call.assigned_unit == agency["cso_unit"]

    def test_second_dispatch_of_the_same_call_is_refused(self, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"])
        services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
        with pytest.raises(CallTransitionRefused, match="is dispatched"):
            services.call_dispatch(
                actor=agency["supervisor"], call=call, unit=agency["cso_north_2_unit"]
            )


class TestDuplicates:
    def test_same_type_nearby_and_recent_is_linked(self, agency: dict[str, Any]) -> None:
        first = intake(agency["dispatcher"])
        second = intake(agency["dispatcher"], lat=INSIDE_A1[0] + 0.0005, lon=INSIDE_A1[1])
        assert second.possible_duplicate_of == first
        assert Call.objects.get(pk=second.pk).possible_duplicate_of == first
        assert verbs(second) == ["received", "linked as possible duplicate", "queued"]

    def test_every_repeat_links_the_first_open_report_not_the_nearest(
        self, agency: dict[str, Any]
    ) -> None:
        lat, lon = INSIDE_A1  # 0.001° of latitude is 111 m; the limit is 150 m
        outside = intake(agency["dispatcher"], lat=lat + 0.0016, lon=lon)  # 178 m
        first = intake(agency["dispatcher"], lat=lat + 0.0012, lon=lon)  # 133 m
        nearer = intake(agency["dispatcher"], lat=lat + 0.0002, lon=lon)  # 22 m
        new = intake(agency["dispatcher"], lat=lat, lon=lon)
        assert outside.possible_duplicate_of is None
        assert first.possible_duplicate_of == outside  # 44 m from each other
        assert nearer.possible_duplicate_of == first  # not `outside`: 155 m away
        assert new.possible_duplicate_of == first  # a star around the first, not a chain

    def test_a_closed_first_report_passes_the_link_to_the_next_open_one(
        self, agency: dict[str, Any]
    ) -> None:
        first = intake(agency["dispatcher"])
        second = intake(agency["dispatcher"])
        services.call_merge(actor=agency["dispatcher"], call=first, into=second)
        assert intake(agency["dispatcher"]).possible_duplicate_of == second

    def test_the_distance_is_measured_in_metres_at_any_bearing(
        self, agency: dict[str, Any]
    ) -> None:
        lat, lon = INSIDE_A1
        degree_east = distance_m(lat, lon, lat, lon + 1)  # about 75 km at 47.6°
        first = intake(agency["dispatcher"], lat=lat, lon=lon)
        inside = intake(agency["dispatcher"], lat=lat, lon=lon + 140 / degree_east)
        outside = intake(agency["dispatcher"], lat=lat, lon=lon - 160 / degree_east)
        assert inside.possible_duplicate_of == first
        assert outside.possible_duplicate_of is None

    def test_other_type_far_or_old_is_not_linked(self, agency: dict[str, Any]) -> None:
        with time_machine.travel(timezone.now() - dt.timedelta(hours=3)):
            intake(agency["dispatcher"])
        assert intake(agency["dispatcher"]).possible_duplicate_of is None  # old
        assert (
            intake(agency["dispatcher"], code="ANIMAL", description="Dog").possible_duplicate_of
            is None
        )  # other type
        far = intake(agency["dispatcher"], lat=INSIDE_A1[0] + 0.005, lon=INSIDE_A1[1])
        assert far.possible_duplicate_of is None

    def test_merge_and_keep_apart(self, agency: dict[str, Any]) -> None:
        first = intake(agency["dispatcher"])
        second = intake(agency["dispatcher"])
        third = intake(agency["dispatcher"])
        merged = services.call_merge(actor=agency["dispatcher"], call=second, into=first)
        assert merged.status == CallStatus.MERGED
        assert merged.merged_into == first
        assert "duplicate merged in" in verbs(first)
        kept = services.call_duplicate_dismiss(actor=agency["dispatcher"], call=third)
        assert kept.possible_duplicate_of is None
        assert kept.status == CallStatus.QUEUED
        with pytest.raises(PermissionDenied):
            services.call_merge(actor=agency["cso"], call=third, into=first)
