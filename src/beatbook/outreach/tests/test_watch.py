from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_for
from beatbook.outreach.models import WatchMessage
from beatbook.outreach.services import watch as services

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-122.34, 47.61], [-122.33, 47.61], [-122.33, 47.62], [-122.34, 47.61]]],
}


@pytest.fixture
def group(agency: dict[str, Any]) -> Any:
    return services.watch_group_create(
        actor=agency["cso"],
        name="Pine Street Block Watch",
        liaison=agency["cso"],
        started_on=timezone.localdate(),
        area=SQUARE,
    )


class TestWatchGroups:
    def test_a_group_needs_a_beat_or_a_proper_drawn_area(self, agency: dict[str, Any]) -> None:
        common = {
            "actor": agency["cso"],
            "liaison": agency["cso"],
            "started_on": timezone.localdate(),
        }
        with pytest.raises(ValidationFailed, match="beat or draw"):
            services.watch_group_create(name="Nowhere", **common)
        open_ring = {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0][:-1]]}
        with pytest.raises(ValidationFailed, match="end where it starts"):
            services.watch_group_create(name="Open", area=open_ring, **common)
        with pytest.raises(ValidationFailed, match="Polygon"):
            services.watch_group_create(name="Line", area={"type": "LineString"}, **common)
        by_beat = services.watch_group_create(name="Oak watch", beat=agency["b1"], **common)
        assert by_beat.area is None
        with pytest.raises(PermissionDenied):
            services.watch_group_create(
                name="Desk watch",
                beat=agency["b1"],
                actor=agency["dispatcher"],
                liaison=agency["cso"],
                started_on=timezone.localdate(),
            )

    def test_members_need_recorded_consent_and_messages_reach_only_those_who_agreed(
        self, agency: dict[str, Any], group: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        with pytest.raises(ValidationFailed, match="consented"):
            services.watch_member_add(
                actor=agency["cso"], group=group, name="No Consent", consent_method=""
            )
        captain = services.watch_member_add(
            actor=agency["cso"],
            group=group,
            name="Rosa Díaz",
            email="rosa@example.org",
            is_captain=True,
            consent_method="signed_form",
            consent_to_email=True,
        )
        services.watch_member_add(
            actor=agency["cso"],
            group=group,
            name="Phone Only",
            phone="206-555-0142",
            consent_method="verbal",
        )
        leaver = services.watch_member_add(
            actor=agency["cso"],
            group=group,
            name="Leaving Soon",
            email="leaver@example.org",
            consent_method="online",
            consent_to_email=True,
        )
        assert captain.consent_at is not None
        services.watch_member_withdraw(actor=agency["cso"], member=leaver)
        leaver.refresh_from_db()
        assert (leaver.email, leaver.phone, leaver.address) == ("", "", "")
        with django_capture_on_commit_callbacks(execute=True):
            services.watch_message_send(
                actor=agency["cso"],
                group=group,
                subject="Meeting moved to Thursday",
                body="We meet Thursday at 7 pm in the library.",
            )
        assert [m.to for m in mail.outbox] == [["rosa@example.org"]]
        assert "Pine Street Block Watch" in mail.outbox[0].body
        assert WatchMessage.objects.get().recipients == 1
        verbs = [e.verb for e in history_for(group)]
        assert verbs.count("member added") == 3
        assert "member withdrew" in verbs
        assert "message sent" in verbs

    def test_meetings_are_recorded(self, agency: dict[str, Any], group: Any) -> None:
        meeting = services.watch_meeting_record(
            actor=agency["cso"],
            group=group,
            held_at=timezone.now() - dt.timedelta(days=1),
            place="Library meeting room",
            attendance=14,
            notes="Talked about package thefts.",
        )
        assert group.meetings.get() == meeting
