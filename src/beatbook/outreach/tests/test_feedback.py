from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from beatbook.calls import services as call_services
from beatbook.calls.models import CallType
from beatbook.calls.tests.factories import intake
from beatbook.core.exceptions import ValidationFailed
from beatbook.outreach.exceptions import FeedbackRefused
from beatbook.outreach.models import Feedback
from beatbook.outreach.services import feedback as services
from beatbook.outreach.tests.factories import event, register

pytestmark = pytest.mark.django_db


def _closed_call(agency: dict[str, Any], email: str = "resident@example.org") -> Any:
    call = intake(agency["dispatcher"], caller_email=email)
    call_services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
    call_services.call_on_scene(actor=agency["cso"], call=call)
    return call_services.call_clear(actor=agency["cso"], call=call, disposition="advised")


class TestCallFeedback:
    def test_only_once_only_when_closed_and_without_phone_numbers(
        self, agency: dict[str, Any]
    ) -> None:
        open_call = intake(agency["dispatcher"])
        with pytest.raises(FeedbackRefused, match="once the report is closed"):
            services.feedback_for_call(token=open_call.public_token, satisfaction=5, trust=5)
        call = _closed_call(agency)
        with pytest.raises(ValidationFailed):
            services.feedback_for_call(token=call.public_token, satisfaction=6, trust=3)
        answer = services.feedback_for_call(
            token=call.public_token,
            satisfaction=4,
            trust=5,
            comment="Quick and kind. Call me on 206-555-0199 if needed.",
        )
        assert (answer.beat, answer.program) == (call.beat, call.call_type.name)
        assert "555-0199" not in answer.comment
        with pytest.raises(FeedbackRefused, match="already recorded"):
            services.feedback_for_call(token=call.public_token, satisfaction=1, trust=1)

    def test_the_closing_email_asks_and_the_tracking_page_takes_the_answers(
        self, client: Client, agency: dict[str, Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            call = _closed_call(agency)
        closing = mail.outbox[-1]
        assert f"/portal/track/{call.public_token}/#feedback" in closing.body
        page = client.get(f"/portal/track/{call.public_token}/").content.decode()
        assert 'id="feedback"' in page
        response = client.post(
            f"/portal/track/{call.public_token}/feedback/",
            {"satisfaction": "5", "trust": "4", "comment": "Thanks"},
        )
        assert response.status_code == 302
        assert Feedback.objects.get().satisfaction == 5
        assert 'id="feedback"' not in client.get(response["Location"]).content.decode()


class TestEventFeedback:
    def test_after_the_event_registrants_are_invited_once_and_answer_on_their_page(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        fair = event(agency["cso"])
        came = register(fair, 1)
        register(fair, 2)
        with pytest.raises(FeedbackRefused, match="after the event"):
            services.feedback_for_registration(token=came.token, satisfaction=5, trust=5)
        mail.outbox.clear()
        with time_machine.travel(fair.ends_at + dt.timedelta(hours=3)):
            call_command("outreach", "remind")
            call_command("outreach", "remind")
            assert sorted(m.to[0] for m in mail.outbox) == [
                "resident1@example.org",
                "resident2@example.org",
            ]
            assert f"/portal/registrations/{came.token}/#feedback" in mail.outbox[0].body
            page = client.get(f"/portal/registrations/{came.token}/").content.decode()
            assert 'id="feedback"' in page
            client.post(
                f"/portal/registrations/{came.token}/feedback/",
                {"satisfaction": "3", "trust": "4"},
            )
        answer = Feedback.objects.get()
        assert answer.program == "Event: Safety fair"
        assert answer.beat == fair.beat

    def test_an_answer_in_spanish_counts_under_the_same_program(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        """Analytics groups by the stored label, so it never follows the page's language."""
        fair = event(agency["cso"])
        came = register(fair, 1)
        with time_machine.travel(fair.ends_at + dt.timedelta(hours=1)):
            response = client.post(
                f"/es/portal/registrations/{came.token}/feedback/",
                {"satisfaction": "5", "trust": "5"},
            )
        assert response.status_code in (200, 302)
        answer = Feedback.objects.get()
        assert answer.language == "es"
        assert answer.program == "Event: Safety fair"

    def test_answers_stored_under_a_spanish_label_are_relabelled_by_the_migration(
        self, agency: dict[str, Any]
    ) -> None:
        """Before bfb85f4 a Spanish answer was stored as "Evento: Feria de seguridad"."""
        from django.apps import apps

        relabel = importlib.import_module(
            "beatbook.outreach.migrations.0004_feedback_program_in_agency_language"
        ).relabel
        fair = event(agency["cso"])
        spanish, english = register(fair, 1), register(fair, 2)
        with time_machine.travel(fair.ends_at + dt.timedelta(hours=1)):
            for registration in (spanish, english):
                services.feedback_for_registration(
                    token=registration.token, satisfaction=4, trust=4
                )
        Feedback.objects.filter(registration=spanish).update(program="Evento: Feria de seguridad")
        call_answer = Feedback.objects.create(
            call=intake(agency["dispatcher"]), program="Noise complaint", satisfaction=5, trust=5
        )
        relabel(apps, None)
        assert sorted(Feedback.objects.values_list("program", flat=True)) == [
            "Event: Safety fair",
            "Event: Safety fair",
            "Noise complaint",
        ]
        call_answer.refresh_from_db()
        assert call_answer.program == "Noise complaint"


class TestFeedbackAnalytics:
    def test_figures_by_beat_and_program_match_a_hand_count(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        for satisfaction, trust in ((5, 4), (2, 3), (4, 5)):
            call = _closed_call(agency, email="")
            services.feedback_for_call(
                token=call.public_token, satisfaction=satisfaction, trust=trust
            )
        fair = event(agency["cso"], address="1511 Oak Street")
        registration = register(fair, 1)
        with time_machine.travel(fair.ends_at + dt.timedelta(hours=1)):
            services.feedback_for_registration(
                token=registration.token, satisfaction=1, trust=2, comment="Too crowded"
            )
            today = timezone.localdate().isoformat()
            analyst = client_for("analyst")
            query = (
                f"start={(timezone.localdate() - dt.timedelta(days=30)).isoformat()}&end={today}"
            )
            page = analyst.get(f"/analytics/feedback/?{query}").content.decode()
            text = b"".join(
                analyst.get(f"/analytics/export/feedback-by-program.csv?{query}").streaming_content
            ).decode()
            only_b1 = analyst.get(
                f"/analytics/feedback/?{query}&beat={agency['b1'].pk}"
            ).content.decode()
            noise = CallType.objects.get(code="NOISE").pk
            only_noise = analyst.get(f"/analytics/feedback/?{query}&call_type={noise}")
            only_parking = analyst.get(
                f"/analytics/feedback/?{query}&call_type={CallType.objects.get(code='PARKING').pk}"
            )
        assert 'id="feedback-responses">4<' in page
        assert 'id="feedback-satisfaction">3.00<' in page  # (5 + 2 + 4 + 1) / 4
        assert 'id="feedback-satisfied">50 %<' in page  # 5 and 4 of four answers
        assert "Too crowded" in page
        rows = {r["program"]: r for r in csv.DictReader(io.StringIO(text))}
        assert rows["Noise complaint"] == {
            "program": "Noise complaint",
            "responses": "3",
            "mean_satisfaction": "3.67",
            "mean_trust": "4.00",
            "satisfied_share": "0.667",
        }
        assert rows["Event: Safety fair"]["responses"] == "1"
        assert 'id="feedback-responses">1<' in only_b1
        # A call type keeps the three noise calls' surveys and leaves out the fair's.
        assert 'id="feedback-responses">3<' in only_noise.content.decode()
        assert 'id="feedback-satisfaction">3.67<' in only_noise.content.decode()
        assert 'id="feedback-responses">0<' in only_parking.content.decode()
        for role in ("cso", "dispatcher"):
            assert client_for(role).get("/analytics/feedback/").status_code == 403
            assert client_for(role).get("/analytics/export/feedback-by-beat.csv").status_code == 403

    def test_with_no_answers_the_means_are_shown_as_missing_not_as_zero(
        self, client_for: Any
    ) -> None:
        page = client_for("analyst").get("/analytics/feedback/").content.decode()
        assert 'id="feedback-responses">0<' in page
        assert 'id="feedback-satisfaction">—<' in page
        assert 'id="feedback-satisfied">—<' in page
        assert 'id="feedback-trust">—<' in page
        assert "No answers yet." in page
        assert "No calls in this selection." not in page  # a survey page is not about calls
        assert '<option value="" selected>All beats</option>' in page
