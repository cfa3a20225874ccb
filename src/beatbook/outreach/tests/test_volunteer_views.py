from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import icalendar
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from beatbook.alerts.tests.factories import published
from beatbook.calls.models import Call, CallType
from beatbook.core.testing import assert_refused
from beatbook.outreach.models import ShiftSignup, Volunteer, WatchGroup
from beatbook.outreach.services import volunteers as volunteer_services
from beatbook.outreach.services import watch as watch_services
from beatbook.outreach.tests.factories import event, patrol_shift, register, volunteer

pytestmark = pytest.mark.django_db


def _body(response: Any) -> str:
    return (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else response.content.decode()
    )


class TestStaffAccess:
    def test_only_outreach_staff_see_volunteers_and_watch_members(
        self, client: Client, client_for: Any, agency: dict[str, Any]
    ) -> None:
        person = volunteer(agency["analyst"])
        urls = [
            "/outreach/volunteers/",
            f"/outreach/volunteers/{person.pk}/",
            "/outreach/volunteers/hours.csv",
            "/outreach/shifts/",
            "/outreach/watch/",
        ]
        for url in urls:
            assert_refused(client.get(url))
            assert client_for("dispatcher").get(url).status_code == 403
            assert client_for("cso").get(url).status_code == 200
        cso = client_for("cso")
        response = cso.post(
            "/outreach/volunteers/", {"name": "X", "email": "x@example.org", "language": "en"}
        )
        assert response.status_code == 403
        response = cso.post(
            f"/outreach/volunteers/{person.pk}/vetting/",
            {
                "kind": "orientation",
                "result": "passed",
                "completed_on": "2026-01-01",
                "expires_on": "2027-01-01",
            },
        )
        assert response.status_code == 403
        assert Volunteer.objects.count() == 1

    def test_hours_export_is_a_csv_and_a_bad_range_is_a_json_400(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        analyst = client_for("analyst")
        response = analyst.get("/outreach/volunteers/hours.csv?start=2026-01-01&end=2026-01-31")
        assert response["Content-Type"].startswith("text/csv")
        assert next(csv.reader(io.StringIO(_body(response)))) == [
            "volunteer",
            "program",
            "shifts",
            "hours",
        ]
        bad = analyst.get("/outreach/volunteers/hours.csv?start=2026-02-01&end=2026-01-01")
        assert bad.status_code == 400
        assert bad.json()["code"] == "bad_range"

    def test_a_cso_starts_a_watch_group_by_drawing_its_area(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        cso = client_for("cso")
        area = (
            '{"type": "Polygon", "coordinates": [[[-122.34, 47.61], [-122.33, 47.61], '
            "[-122.33, 47.62], [-122.34, 47.61]]]}"
        )
        data = {"name": "Pine watch", "liaison": agency["cso"].pk, "started_on": "2026-11-01"}
        assert cso.post("/outreach/watch/", data).status_code == 400  # no beat, no area
        response = cso.post("/outreach/watch/", data | {"area": area})
        group = WatchGroup.objects.get()
        assert response["Location"] == f"/outreach/watch/{group.pk}/"
        assert group.area["type"] == "Polygon"
        page = cso.get(f"/outreach/watch/{group.pk}/").content.decode()
        assert "data-area=" in page
        assert "data-highlight-beats" not in page  # the drawn area is the one shown
        assert 'id="before-after-link"' not in page  # a drawn area has no beat to compare

    def test_analysts_go_from_a_beat_group_to_its_before_and_after(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        group = watch_services.watch_group_create(
            actor=agency["cso"],
            name="A1 watch",
            liaison=agency["cso"],
            started_on=dt.date(2026, 11, 1),
            beat=agency["a1"],
        )
        link = f"/analytics/before-after/?beat={agency['a1'].pk}&amp;date=2026-11-01"
        analyst = client_for("analyst")
        page = analyst.get(f"/outreach/watch/{group.pk}/").content.decode()
        assert link in page
        assert f'data-highlight-beats="{agency["a1"].pk}"' in page  # its beat, on the map
        comparison = analyst.get(link.replace("&amp;", "&"))
        assert comparison.status_code == 200
        assert "Calls in beat A1," in comparison.content.decode()
        assert link not in client_for("cso").get(f"/outreach/watch/{group.pk}/").content.decode()
        # A group that starts today has no day after it to compare yet: no link, a note.
        today = watch_services.watch_group_create(
            actor=agency["cso"],
            name="A1 new watch",
            liaison=agency["cso"],
            started_on=timezone.localdate(),
            beat=agency["a1"],
        )
        page = analyst.get(f"/outreach/watch/{today.pk}/").content.decode()
        assert 'id="before-after-link"' not in page
        assert 'id="before-after-later"' in page


class TestVolunteerPortal:
    def test_a_volunteer_signs_up_logs_and_reports_through_their_link(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        person = volunteer(agency["analyst"])
        shift = patrol_shift(agency["cso"], agency["a1"])
        home = f"/portal/volunteer/{person.token}/"
        page = client.get(home)
        assert page["Cache-Control"] == "private, no-store"
        assert shift.title in page.content.decode()
        client.post(f"{home}sign-up/{shift.pk}/")
        signup = ShiftSignup.objects.get()
        feed = icalendar.Calendar.from_ical(client.get(f"{home}shifts.ics").content)
        (vevent,) = feed.walk("VEVENT")
        assert str(vevent["SUMMARY"]) == shift.title
        with time_machine.travel(shift.ends_at + dt.timedelta(minutes=5)):
            local = timezone.localtime(shift.starts_at)
            response = client.post(
                f"{home}log/{signup.pk}/",
                {
                    "started_at": local.strftime("%Y-%m-%dT%H:%M"),
                    "ended_at": (local + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                    "route": "Pine St, 15th to 16th",
                },
            )
            assert response.status_code == 302
            signup.refresh_from_db()
            noise = CallType.objects.get(code="NOISE")
            missing_address = client.post(
                f"{home}observe/{signup.log.pk}/",
                {"text": "Loud music", "report_as": noise.pk},
            )
            assert missing_address.status_code == 400
            assert "Give the address" in missing_address.content.decode()
            assert not Call.objects.exists()
            client.post(
                f"{home}observe/{signup.log.pk}/",
                {"text": "Loud music", "address": "1530 Pine St", "report_as": noise.pk},
            )
        assert Call.objects.get().source == "volunteer"

    def test_a_wrong_token_is_404_and_an_unvetted_volunteer_is_told_why(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        assert client.get("/portal/volunteer/not-a-token/").status_code == 404
        person = volunteer(agency["analyst"], vetted=False)
        shift = patrol_shift(agency["cso"], agency["a1"])
        home = f"/portal/volunteer/{person.token}/"
        assert "background check missing" in client.get(home).content.decode()
        response = client.post(f"{home}sign-up/{shift.pk}/", follow=True)
        assert "background check missing" in response.content.decode()
        assert not ShiftSignup.objects.exists()
        other = volunteer(agency["analyst"], "Kim Lee")
        mine = ShiftSignup.objects.create(shift=shift, volunteer=other)
        assert client.post(f"{home}cancel/{mine.pk}/").status_code == 404


def test_no_volunteer_member_or_registrant_detail_reaches_any_public_output(
    client: Client, agency: dict[str, Any]
) -> None:
    fair = event(agency["cso"])
    register(fair, 1, name="Regina Registrant", phone="206-555-0101")
    person = volunteer(agency["analyst"], "Vera Volunteer")
    volunteer_services.shift_signup(
        volunteer=person, shift=patrol_shift(agency["cso"], agency["a1"])
    )
    group = watch_services.watch_group_create(
        actor=agency["cso"],
        name="Oak watch",
        beat=agency["b1"],
        liaison=agency["cso"],
        started_on=timezone.localdate(),
    )
    watch_services.watch_member_add(
        actor=agency["cso"],
        group=group,
        name="Wanda Watcher",
        email="wanda@example.org",
        phone="206-555-0102",
        address="1521 Oak Street",
        consent_method="signed_form",
        consent_to_email=True,
    )
    alert = published(agency["cso"], agency["supervisor"])
    public = [
        "/portal/",
        "/portal/events/",
        f"/portal/events/{fair.number}/",
        "/portal/events.ics",
        f"/portal/events/{fair.number}/event.ics",
        "/portal/events/beat/A1.ics",
        "/portal/alerts/",
        "/portal/alerts.atom",
        f"/portal/alerts/{alert.number}/",
        f"/portal/alerts/{alert.number}.xml",
        "/portal/prevention/",
        "/open311/v2/requests.json",
    ]
    secrets_ = [
        "Regina",
        "resident1@example.org",
        "206-555-0101",
        "Vera",
        "vera@example.org",
        "Wanda",
        "wanda@example.org",
        "206-555-0102",
        "1521 Oak",
        "Tester",  # staff names: organiser, alert author and approver
    ]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in secrets_:
            assert secret not in body, (url, secret)


def test_the_volunteer_page_reads_the_checks_once_however_many_shifts(
    client: Client, agency: dict[str, Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = volunteer(agency["analyst"])
    patrol_shift(agency["cso"], agency["a1"], in_days=1)
    home = f"/portal/volunteer/{person.token}/"
    with CaptureQueriesContext(connection) as one:
        client.get(home)
    for day in range(2, 7):
        patrol_shift(agency["cso"], agency["a1"], in_days=day)
    with CaptureQueriesContext(connection) as six:
        page = client.get(home).content.decode()
    assert page.count("Sign up</button>") == 6
    assert len(six) == len(one)
