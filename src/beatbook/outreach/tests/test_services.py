from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_for
from beatbook.outreach import services
from beatbook.outreach.choices import EventKind, RegistrationStatus
from beatbook.outreach.exceptions import EventChangeRefused, RegistrationRefused
from beatbook.outreach.models import MaterialHandout, PartnerOrganisation
from beatbook.outreach.tests.factories import event, register

pytestmark = pytest.mark.django_db


class TestEventCreate:
    def test_places_the_event_in_its_beat_with_a_number_and_history(
        self, agency: dict[str, Any]
    ) -> None:
        fair = event(agency["cso"])
        assert fair.number.startswith("EVT-")
        assert fair.beat == agency["a1"]
        assert "block of Pine St" in fair.block_text
        assert fair.organiser == agency["cso"]
        assert [e.verb for e in history_for(fair)] == ["event scheduled"]

    @pytest.mark.parametrize("role", ["dispatcher"])
    def test_a_dispatcher_may_not_organise(self, agency: dict[str, Any], role: str) -> None:
        with pytest.raises(PermissionDenied):
            event(agency[role])

    def test_refuses_an_address_outside_the_area_and_an_event_in_the_past(
        self, agency: dict[str, Any]
    ) -> None:
        with pytest.raises(ValidationFailed):
            event(agency["cso"], address="1 Nowhere Boulevard")
        past = timezone.now() - dt.timedelta(days=1)
        with pytest.raises(ValidationFailed, match="future"):
            event(agency["cso"], starts_at=past, ends_at=past + dt.timedelta(hours=1))

    def test_refuses_an_end_before_the_start(self, agency: dict[str, Any]) -> None:
        start = timezone.now() + dt.timedelta(days=2)
        with pytest.raises(ValidationFailed):
            event(agency["cso"], starts_at=start, ends_at=start - dt.timedelta(hours=1))


class TestRegistration:
    def test_confirms_while_seats_last_then_waitlists(
        self, agency: dict[str, Any], delivered: Any
    ) -> None:
        fair = event(agency["cso"], capacity=3)
        with delivered():
            first = register(fair, 1, party_size=2)
            second = register(fair, 2, party_size=2)  # 2 + 2 > 3
            third = register(fair, 3, party_size=1)
        assert [first.status, second.status, third.status] == [
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.WAITLISTED,
            RegistrationStatus.CONFIRMED,
        ]
        assert len(mail.outbox) == 3
        assert "waiting list" in mail.outbox[1].body
        assert mail.outbox[0].to == ["resident1@example.org"]

    def test_a_cancellation_moves_the_first_party_that_fits_off_the_waiting_list(
        self, agency: dict[str, Any], delivered: Any
    ) -> None:
        fair = event(agency["cso"], capacity=2)
        first = register(fair, 1, party_size=2)
        big = register(fair, 2, party_size=3)  # cannot fit even when seats free up
        small = register(fair, 3, party_size=1)
        mail.outbox.clear()
        with delivered():
            services.registration_cancel(token=first.token)
        big.refresh_from_db()
        small.refresh_from_db()
        assert big.status == RegistrationStatus.WAITLISTED
        assert small.status == RegistrationStatus.CONFIRMED
        assert [m.to for m in mail.outbox] == [["resident3@example.org"]]
        with pytest.raises(RegistrationRefused, match="already closed"):
            services.registration_cancel(token=first.token)

    def test_refuses_a_second_sign_up_with_the_same_email(self, agency: dict[str, Any]) -> None:
        fair = event(agency["cso"])
        register(fair, 1)
        with pytest.raises(RegistrationRefused, match="already registered"):
            register(fair, 9, email="RESIDENT1@example.org")

    def test_refuses_closed_cancelled_internal_and_started_events(
        self, agency: dict[str, Any]
    ) -> None:
        closed = event(agency["cso"], registration_open=False)
        internal = event(agency["cso"], is_public=False)
        cancelled = event(agency["cso"])
        services.event_cancel(actor=agency["cso"], event=cancelled, reason="Storm warning")
        for target, message in (
            (closed, "closed"),
            (internal, "not taking"),
            (cancelled, "not taking"),
        ):
            with pytest.raises(RegistrationRefused, match=message):
                register(target)
        started = event(agency["cso"])
        type(started).objects.filter(pk=started.pk).update(
            starts_at=timezone.now() - dt.timedelta(minutes=5)
        )
        started.refresh_from_db()
        with pytest.raises(RegistrationRefused, match="started"):
            register(started)

    def test_the_email_is_in_the_language_the_resident_used(
        self, agency: dict[str, Any], delivered: Any
    ) -> None:
        fair = event(agency["cso"])
        with delivered():
            register(fair, 1, language="es")
        message = mail.outbox[0]
        assert "Feria de seguridad" in message.subject
        assert "/es/portal/registrations/" in message.body


class TestBlockPartyApproval:
    def test_requests_wait_for_staff_and_the_resident_hears_the_decision(
        self, agency: dict[str, Any], delivered: Any
    ) -> None:
        party = event(agency["cso"], kind=EventKind.BLOCK_PARTY, capacity=2)
        request = register(party, 1, party_size=2)
        assert request.status == RegistrationStatus.PENDING
        waiting = register(party, 2)  # the pending request holds both seats
        assert waiting.status == RegistrationStatus.WAITLISTED
        with pytest.raises(PermissionDenied):
            services.registration_decide(actor=agency["cso"], registration=request, approve=True)
        with pytest.raises(ValidationFailed, match="why"):
            services.registration_decide(
                actor=agency["supervisor"], registration=request, approve=False
            )
        mail.outbox.clear()
        with delivered():
            services.registration_decide(
                actor=agency["supervisor"],
                registration=request,
                approve=False,
                note="Street closed",
            )
        request.refresh_from_db()
        waiting.refresh_from_db()
        assert request.status == RegistrationStatus.DECLINED
        assert request.decided_by == agency["supervisor"]
        assert waiting.status == RegistrationStatus.PENDING  # off the list, still needs approval
        assert "Street closed" in mail.outbox[0].body
        with pytest.raises(RegistrationRefused, match="not waiting"):
            services.registration_decide(
                actor=agency["supervisor"], registration=request, approve=True
            )
        services.registration_decide(actor=agency["analyst"], registration=waiting, approve=True)
        waiting.refresh_from_db()
        assert waiting.status == RegistrationStatus.CONFIRMED
        verbs = [e.verb for e in history_for(party)]
        assert "registration declined" in verbs
        assert "registration approved" in verbs


class TestEventChanges:
    def test_a_new_time_bumps_the_sequence_and_emails_registrants(
        self, agency: dict[str, Any], delivered: Any
    ) -> None:
        fair = event(agency["cso"])
        register(fair, 1)
        mail.outbox.clear()
        later = fair.starts_at + dt.timedelta(hours=1)
        fields = {name: getattr(fair, name) for name in services.EVENT_FIELDS}
        fields |= {"starts_at": later, "ends_at": later + dt.timedelta(hours=2)}
        with delivered():
            changed = services.event_update(actor=agency["cso"], event=fair, **fields)
        assert changed.sequence == 1
        assert len(mail.outbox) == 1
        assert "changed" in mail.outbox[0].body
        fields["description"] = "Also: free bike lights."
        unchanged_time = services.event_update(actor=agency["cso"], event=changed, **fields)
        assert unchanged_time.sequence == 1  # a text change does not move calendars
        entry = history_for(fair).filter(verb="event changed").last()
        assert entry is not None
        assert "description" in entry.data
        library = PartnerOrganisation.objects.create(name="Branch library")
        services.event_update(actor=agency["cso"], event=fair, partners=[library], **fields)
        entry = history_for(fair).filter(verb="event changed").last()
        assert entry is not None
        assert entry.data == {"partners": ["", "Branch library"]}

    def test_capacity_cannot_drop_below_the_seats_taken(self, agency: dict[str, Any]) -> None:
        fair = event(agency["cso"], capacity=5)
        register(fair, 1, party_size=4)
        fields = {name: getattr(fair, name) for name in services.EVENT_FIELDS}
        with pytest.raises(ValidationFailed, match="4 seats"):
            services.event_update(actor=agency["cso"], event=fair, **(fields | {"capacity": 3}))

    def test_cancelling_needs_a_reason_and_tells_everyone_registered(
        self, agency: dict[str, Any], delivered: Any
    ) -> None:
        fair = event(agency["cso"], capacity=1)
        register(fair, 1)
        register(fair, 2)  # waitlisted: told too
        mail.outbox.clear()
        with pytest.raises(ValidationFailed):
            services.event_cancel(actor=agency["cso"], event=fair, reason=" ")
        with delivered():
            cancelled = services.event_cancel(
                actor=agency["cso"], event=fair, reason="Heat warning"
            )
        assert cancelled.sequence == 1
        assert sorted(m.to[0] for m in mail.outbox) == [
            "resident1@example.org",
            "resident2@example.org",
        ]
        assert all("Heat warning" in m.body for m in mail.outbox)
        with pytest.raises(EventChangeRefused):
            services.event_cancel(actor=agency["cso"], event=fair, reason="again")


class TestAfterTheEvent:
    def test_attendance_counts_checked_in_parties_and_walk_ins(
        self, agency: dict[str, Any]
    ) -> None:
        from beatbook.outreach.selectors import event_summary

        fair = event(agency["cso"], capacity=10)
        family = register(fair, 1, party_size=3)
        register(fair, 2)
        services.registration_attendance_set(
            actor=agency["cso"], registration=family, attended=True
        )
        fair = services.event_walk_ins_set(actor=agency["cso"], event=fair, count=12)
        summary = event_summary(fair)
        assert (summary.seats_taken, summary.seats_left, summary.attended) == (4, 6, 15)
        with pytest.raises(ValidationFailed):
            services.event_walk_ins_set(actor=agency["cso"], event=fair, count=-1)

    def test_materials_are_counted_by_kind_and_zero_removes_a_line(
        self, agency: dict[str, Any]
    ) -> None:
        fair = event(agency["cso"])
        services.material_record(actor=agency["cso"], event=fair, kind="bike_lock", quantity=40)
        services.material_record(actor=agency["cso"], event=fair, kind="bike_lock", quantity=45)
        services.material_record(actor=agency["cso"], event=fair, kind="flyer", quantity=200)
        assert dict(MaterialHandout.objects.values_list("kind", "quantity")) == {
            "bike_lock": 45,
            "flyer": 200,
        }
        services.material_record(actor=agency["cso"], event=fair, kind="flyer", quantity=0)
        assert list(MaterialHandout.objects.values_list("kind", flat=True)) == ["bike_lock"]
        with pytest.raises(ValidationFailed):
            services.material_record(actor=agency["cso"], event=fair, kind="cake", quantity=1)

    def test_follow_ups_go_to_outreach_staff_and_close_once(self, agency: dict[str, Any]) -> None:
        fair = event(agency["cso"])
        due = timezone.localdate() + dt.timedelta(days=3)
        with pytest.raises(ValidationFailed):
            services.follow_up_add(
                actor=agency["cso"],
                event=fair,
                text="Report the dark streetlight",
                assigned_to=agency["dispatcher"],
                due_on=due,
            )
        task = services.follow_up_add(
            actor=agency["cso"],
            event=fair,
            text="Report the dark streetlight",
            assigned_to=agency["cso_north_2"],
            due_on=due,
        )
        services.follow_up_done(actor=agency["cso_north_2"], follow_up=task)
        task.refresh_from_db()
        assert task.done_at is not None
        with pytest.raises(EventChangeRefused):
            services.follow_up_done(actor=agency["cso"], follow_up=task)
