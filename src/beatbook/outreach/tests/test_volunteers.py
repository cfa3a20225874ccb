from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from beatbook.calls.models import Call, CallType
from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.outreach.exceptions import ShiftSignupRefused
from beatbook.outreach.models import VettingCheck
from beatbook.outreach.selectors import vetting_gaps, volunteer_hours
from beatbook.outreach.services import volunteers as services
from beatbook.outreach.tests.factories import patrol_shift, volunteer

pytestmark = pytest.mark.django_db


class TestVetting:
    def test_a_failed_expired_or_missing_check_blocks_sign_up_with_the_reason(
        self, agency: dict[str, Any]
    ) -> None:
        person = volunteer(agency["analyst"], vetted=False)
        today = timezone.localdate()
        services.vetting_record(
            actor=agency["analyst"],
            volunteer=person,
            kind="background_check",
            result="failed",
            completed_on=today - dt.timedelta(days=3),
            expires_on=today + dt.timedelta(days=700),
        )
        services.vetting_record(
            actor=agency["analyst"],
            volunteer=person,
            kind="orientation",
            result="passed",
            completed_on=today - dt.timedelta(days=400),
            expires_on=today + dt.timedelta(days=1),  # valid today, not on the shift's day
        )
        shift = patrol_shift(agency["cso"], agency["a1"])
        gaps = vetting_gaps(person, "citizen_patrol", on=timezone.localdate(shift.ends_at))
        assert gaps == [
            "background check missing or expired",
            "orientation missing or expired",
            "patrol training (observe and report) missing or expired",
        ]
        with pytest.raises(ShiftSignupRefused, match="background check missing"):
            services.shift_signup(volunteer=person, shift=shift)

    def test_only_coordinators_record_vetting_and_dates_must_make_sense(
        self, agency: dict[str, Any]
    ) -> None:
        person = volunteer(agency["analyst"], vetted=False)
        today = timezone.localdate()
        with pytest.raises(PermissionDenied):
            services.vetting_record(
                actor=agency["cso"],
                volunteer=person,
                kind="orientation",
                result="passed",
                completed_on=today,
                expires_on=today + dt.timedelta(days=30),
            )
        with pytest.raises(ValidationFailed):
            services.vetting_record(
                actor=agency["analyst"],
                volunteer=person,
                kind="orientation",
                result="passed",
                completed_on=today,
                expires_on=today - dt.timedelta(days=1),
            )

    def test_the_daily_reminder_warns_once_before_a_check_runs_out(
        self, agency: dict[str, Any]
    ) -> None:
        agency["analyst"].email = "coordinator@example.org"
        agency["analyst"].save()
        person = volunteer(agency["analyst"])
        soon = timezone.localdate() + dt.timedelta(days=10)
        VettingCheck.objects.filter(volunteer=person, kind="background_check").update(
            expires_on=soon
        )
        mail.outbox.clear()
        call_command("outreach", "remind")
        assert len(mail.outbox) == 1
        assert set(mail.outbox[0].to) == {"sam@example.org", "coordinator@example.org"}
        assert "Background check" in mail.outbox[0].subject
        call_command("outreach", "remind")
        assert len(mail.outbox) == 1


class TestShifts:
    def test_capacity_overlap_and_repeat_sign_ups_are_refused(self, agency: dict[str, Any]) -> None:
        shift = patrol_shift(agency["cso"], agency["a1"], capacity=1)
        first, second = volunteer(agency["analyst"]), volunteer(agency["analyst"], "Kim Lee")
        services.shift_signup(volunteer=first, shift=shift)
        with pytest.raises(ShiftSignupRefused, match="already signed up"):
            services.shift_signup(volunteer=first, shift=shift)
        with pytest.raises(ShiftSignupRefused, match="full"):
            services.shift_signup(volunteer=second, shift=shift)
        overlapping = patrol_shift(agency["cso"], agency["b1"], in_days=2.05)
        with pytest.raises(ShiftSignupRefused, match="already have a shift"):
            services.shift_signup(volunteer=first, shift=overlapping)

    def test_a_patrol_needs_a_beat_and_a_leader_from_staff(self, agency: dict[str, Any]) -> None:
        with pytest.raises(ValidationFailed, match="beat"):
            patrol_shift(agency["cso"], None)
        with pytest.raises(PermissionDenied):
            patrol_shift(agency["dispatcher"], agency["a1"])

    def test_a_cancelled_place_frees_the_seat(self, agency: dict[str, Any]) -> None:
        shift = patrol_shift(agency["cso"], agency["a1"], capacity=1)
        first, second = volunteer(agency["analyst"]), volunteer(agency["analyst"], "Kim Lee")
        signup = services.shift_signup(volunteer=first, shift=shift)
        services.signup_cancel(volunteer=first, signup=signup)
        assert services.shift_signup(volunteer=second, shift=shift).volunteer == second


class TestPatrolLogs:
    def test_a_logged_observation_becomes_a_call_in_one_step_and_hours_add_up(
        self, agency: dict[str, Any]
    ) -> None:
        shift = patrol_shift(agency["cso"], agency["a1"])
        person = volunteer(agency["analyst"])
        signup = services.shift_signup(volunteer=person, shift=shift)
        with pytest.raises(ValidationFailed, match="not started"):
            services.patrol_log_record(
                volunteer=person,
                signup=signup,
                started_at=shift.starts_at,
                ended_at=shift.ends_at,
                route="Pine St",
            )
        with time_machine.travel(shift.ends_at + dt.timedelta(minutes=10)):
            with pytest.raises(ValidationFailed, match="within the shift"):
                services.patrol_log_record(
                    volunteer=person,
                    signup=signup,
                    started_at=shift.starts_at - dt.timedelta(hours=5),
                    ended_at=shift.ends_at,
                    route="Pine St",
                )
            log = services.patrol_log_record(
                volunteer=person,
                signup=signup,
                started_at=shift.starts_at,
                ended_at=shift.starts_at + dt.timedelta(hours=2, minutes=30),
                route="Pine St from 15th to 16th Ave and back",
            )
            noise = CallType.objects.get(code="NOISE")
            observation = services.observation_add(
                volunteer=person,
                log=log,
                text="Loud party with music in the street, people asking for quiet",
                address="1530 Pine St",
                report_as=noise,
            )
        call = Call.objects.get()
        assert observation.call == call
        assert call.source == "volunteer"
        assert call.call_type == noise
        assert call.beat == agency["a1"]
        assert call.description.startswith("Volunteer patrol: Loud party")
        with pytest.raises(ShiftSignupRefused, match="already a call"):
            services.observation_report(volunteer=person, observation=observation, call_type=noise)
        day = timezone.localdate(shift.starts_at)
        (row,) = volunteer_hours(start=day, end=day)
        assert (row.volunteer, row.program, row.shifts, row.hours) == (
            "Sam Rivera",
            "Citizen patrol",
            1,
            2.5,
        )
