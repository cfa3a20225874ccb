from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from beatbook.accounts import services as account_services
from beatbook.calls.tests.factories import intake
from beatbook.core.actors import SYSTEM
from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_for
from beatbook.core.models import AuditEntry
from beatbook.records import services
from beatbook.records.choices import ReviewStatus
from beatbook.records.exceptions import (
    AttachmentIntegrityError,
    AttachmentRejected,
    ReportLocked,
    ReviewRefused,
)
from beatbook.records.models import ReportAttachment
from beatbook.records.selectors import (
    ReportFilters,
    report_get,
    report_list,
    report_persons,
    review_queue,
)
from beatbook.roster import services as roster_services

pytestmark = pytest.mark.django_db


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (100, 80), (10, 120, 200)).save(buffer, format="JPEG")
    return SimpleUploadedFile("scene.jpg", buffer.getvalue(), content_type="image/jpeg")


def written(agency: dict[str, Any], **kwargs: Any) -> Any:
    call = intake(
        agency["dispatcher"],
        code="MVA",
        description="Two cars, no injuries",
        caller_name="Pat Caller",
        caller_phone="206-555-0104",
    )
    return services.report_create(actor=agency["cso"], call=call, **kwargs)


class TestReportCreate:
    def test_from_a_call_carries_its_facts_and_reporting_party(self, agency: Any) -> None:
        report = written(agency)
        year = timezone.localtime().year
        assert report.number == f"RPT-{year}-000001"
        assert report.kind == "collision"
        assert report.title == "Non-injury collision report"
        assert report.beat.name == "A1"
        assert report.narrative == "Two cars, no injuries"
        assert report.occurred_at == report.call.received_at
        person = report.persons.get()
        assert (person.role, person.name) == ("reporting_party", "Pat Caller")
        assert report.team == agency["north"]

    def test_on_its_own_it_needs_a_kind_and_a_title(self, agency: Any) -> None:
        with pytest.raises(ValidationFailed, match="kind"):
            services.report_create(actor=agency["cso"], title="x")
        with pytest.raises(ValidationFailed, match="title"):
            services.report_create(actor=agency["cso"], kind="information")
        report = services.report_create(
            actor=agency["cso"], kind="information", title="Streetlight out", address="1512 Pine St"
        )
        assert report.block_text == "1500 block of Pine St"

    def test_dispatchers_and_analysts_do_not_write_reports(self, agency: Any) -> None:
        for role in ("dispatcher", "analyst"):
            with pytest.raises(PermissionDenied):
                services.report_create(actor=agency[role], kind="incident", title="x")


class TestReview:
    def test_draft_submit_return_resubmit_approve_each_in_history(self, agency: Any) -> None:
        report = written(agency)
        services.report_submit(actor=agency["cso"], report=report)
        services.report_return(
            actor=agency["supervisor"], report=report, comment="Add the second driver's insurance"
        )
        assert report.status == ReviewStatus.RETURNED
        services.report_update(
            actor=agency["cso"],
            report=report,
            narrative="Two cars, no injuries. Insurance exchanged.",
        )
        services.report_submit(actor=agency["cso"], report=report)
        services.report_approve(actor=agency["supervisor"], report=report)
        assert report.status == ReviewStatus.APPROVED
        assert report.approved_by == agency["supervisor"]
        verbs = [h.verb for h in history_for(report)]
        assert verbs == [
            "report started",
            "submitted for review",
            "returned with comments",
            "report edited",
            "submitted for review",
            "approved",
        ]
        assert report.review_comments.get().text == "Add the second driver's insurance"

    def test_an_approved_report_is_locked(self, agency: Any) -> None:
        report = written(agency)
        services.report_submit(actor=agency["cso"], report=report)
        services.report_approve(actor=agency["supervisor"], report=report)
        with pytest.raises(ReportLocked, match="supplement"):
            services.report_update(actor=agency["cso"], report=report, narrative="changed")
        with pytest.raises(ReportLocked):
            services.report_person_add(
                actor=agency["cso"], report=report, role="witness", name="Late Witness"
            )

    def test_a_submitted_report_waits_for_review(self, agency: Any) -> None:
        report = written(agency)
        services.report_submit(actor=agency["cso"], report=report)
        with pytest.raises(ReportLocked, match="waiting for review"):
            services.report_update(actor=agency["cso"], report=report, title="x")

    def test_nobody_reviews_their_own_report_and_csos_do_not_review(self, agency: Any) -> None:
        report = written(agency)
        services.report_submit(actor=agency["cso"], report=report)
        with pytest.raises(PermissionDenied):
            services.report_approve(actor=agency["cso"], report=report)
        with pytest.raises(PermissionDenied):
            services.report_approve(actor=agency["cso_north_2"], report=report)
        own = services.report_create(
            actor=agency["supervisor"],
            kind="information",
            title="Supervisor's own note",
            narrative="Text",
        )
        services.report_submit(actor=agency["supervisor"], report=own)
        with pytest.raises(PermissionDenied, match="own"):
            services.report_approve(actor=agency["supervisor"], report=own)
        services.report_approve(actor=agency["admin"], report=own)

    def test_only_the_author_edits(self, agency: Any) -> None:
        report = written(agency)
        with pytest.raises(PermissionDenied):
            services.report_update(actor=agency["cso_north_2"], report=report, title="mine now")

    def test_submitting_needs_a_narrative_and_returning_a_comment(self, agency: Any) -> None:
        report = services.report_create(actor=agency["cso"], kind="incident", title="Graffiti")
        with pytest.raises(ValidationFailed, match="narrative"):
            services.report_submit(actor=agency["cso"], report=report)
        services.report_update(actor=agency["cso"], report=report, narrative="Tag on wall")
        services.report_submit(actor=agency["cso"], report=report)
        with pytest.raises(ValidationFailed, match="needs fixing"):
            services.report_return(actor=agency["supervisor"], report=report, comment=" ")
        services.report_approve(actor=agency["supervisor"], report=report)
        with pytest.raises(ReviewRefused):
            services.report_return(actor=agency["supervisor"], report=report, comment="late")

    def test_supplements_only_on_approved_reports_and_are_reviewed(self, agency: Any) -> None:
        report = written(agency)
        with pytest.raises(ReviewRefused):
            services.supplement_create(actor=agency["cso_north_2"], report=report)
        services.report_submit(actor=agency["cso"], report=report)
        services.report_approve(actor=agency["supervisor"], report=report)
        supplement = services.supplement_create(
            actor=agency["cso_north_2"], report=report, narrative="Second driver called back"
        )
        assert supplement.number == f"{report.number}-S1"
        assert supplement.status == ReviewStatus.DRAFT
        services.report_submit(actor=agency["cso_north_2"], report=supplement)
        services.report_approve(actor=agency["supervisor"], report=supplement)
        assert list(report.supplements.all()) == [supplement]

    def test_review_queue_shows_ages_oldest_first(self, agency: Any) -> None:
        older = written(agency)
        services.report_submit(actor=agency["cso"], report=older)
        older.submitted_at = timezone.now() - dt.timedelta(hours=5)
        older.save()
        newer = services.report_create(
            actor=agency["cso"], kind="incident", title="x", narrative="y"
        )
        services.report_submit(actor=agency["cso"], report=newer)
        queue = review_queue(viewer=agency["supervisor"])
        assert [e.item for e in queue] == [older, newer]
        assert queue[0].waiting > dt.timedelta(hours=4)
        assert review_queue(viewer=agency["cso"]) == [] or all(
            e.item.author != agency["cso"] for e in review_queue(viewer=agency["cso"])
        )


class TestConfidentialPeople:
    def test_a_flagged_victim_is_masked_except_for_author_and_reviewers(self, agency: Any) -> None:
        report = written(agency)
        services.report_person_add(
            actor=agency["cso"],
            report=report,
            role="victim",
            name="Valentina Hidden",
            phone="206-555-0188",
            is_confidential=True,
            confidentiality_reason="domestic_violence",
        )
        services.report_submit(actor=agency["cso"], report=report)
        services.report_approve(actor=agency["supervisor"], report=report)
        analyst_view = report_persons(report=report, viewer=agency["analyst"])
        assert "Valentina Hidden" not in str(analyst_view)
        assert any(p.name == "[confidential]" for p in analyst_view)
        for who in ("cso", "supervisor", "admin"):
            assert "Valentina Hidden" in str(report_persons(report=report, viewer=agency[who]))
        assert "Valentina" not in str(list(AuditEntry.objects.values_list("data", flat=True)))

    def test_confidentiality_needs_a_reason(self, agency: Any) -> None:
        with pytest.raises(ValidationFailed):
            services.report_person_add(
                actor=agency["cso"],
                report=written(agency),
                role="victim",
                name="X",
                is_confidential=True,
            )

    def test_search_does_not_find_confidential_names_for_others(self, agency: Any) -> None:
        report = written(agency)
        services.report_person_add(
            actor=agency["cso"],
            report=report,
            role="victim",
            name="Valentina Hidden",
            is_confidential=True,
            confidentiality_reason="stalking",
        )
        services.report_submit(actor=agency["cso"], report=report)
        services.report_approve(actor=agency["supervisor"], report=report)
        assert list(
            report_list(viewer=agency["supervisor"], filters=ReportFilters(text="Valentina"))
        ) == [report]
        assert (
            list(report_list(viewer=agency["analyst"], filters=ReportFilters(text="Valentina")))
            == []
        )


class TestSearchAndScope:
    def test_full_text_search_over_title_and_narrative(self, agency: Any) -> None:
        hit = services.report_create(
            actor=agency["cso"],
            kind="incident",
            title="Graffiti on the library",
            narrative="Spray paint on the north wall of the library",
        )
        services.report_create(
            actor=agency["cso"], kind="incident", title="Lost dog", narrative="Brown terrier"
        )
        found = list(report_list(viewer=agency["cso"], filters=ReportFilters(text="library")))
        assert found == [hit]
        assert list(report_list(viewer=agency["cso"], filters=ReportFilters(text=hit.number))) == [
            hit
        ]

    def test_scope_by_role_and_team(self, agency: Any) -> None:
        north = written(agency)
        south = services.report_create(
            actor=agency["cso_other_team"], kind="incident", title="South report", narrative="n"
        )
        assert set(report_list(viewer=agency["cso"])) == {north}
        assert set(report_list(viewer=agency["cso_north_2"])) == {north}
        assert set(report_list(viewer=agency["supervisor"])) == {north}  # North's supervisor
        assert set(report_list(viewer=agency["admin"])) == {north, south}
        assert set(report_list(viewer=agency["analyst"])) == set()  # only approved
        assert list(report_list(viewer=agency["dispatcher"])) == []
        from beatbook.core.exceptions import NotFound

        with pytest.raises(NotFound):
            report_get(viewer=agency["cso"], report_id=south.pk)


class TestAttachments:
    def test_sha256_is_recorded_and_checked_on_every_read(self, agency: Any) -> None:
        report = written(agency)
        attachment = services.report_attachment_add(
            actor=agency["cso"], report=report, upload=jpeg()
        )
        assert len(attachment.sha256) == 64
        data = services.attachment_read(actor=agency["cso"], attachment=attachment)
        assert data[:3] == b"\xff\xd8\xff"
        # Someone changes the stored file behind the application's back.
        storage = attachment.file.storage
        name = attachment.file.name
        storage.delete(name)
        storage.save(name, io.BytesIO(data[:-10] + b"tampered!!"))
        with pytest.raises(AttachmentIntegrityError, match="quarantined"):
            services.attachment_read(actor=agency["supervisor"], attachment=attachment)
        attachment.refresh_from_db()
        assert attachment.quarantined_at is not None
        assert AuditEntry.objects.filter(
            verb="attachment integrity failure", outcome="failure"
        ).exists()
        with pytest.raises(AttachmentIntegrityError):
            services.attachment_read(actor=agency["cso"], attachment=attachment)

    def test_only_photos_and_pdfs(self, agency: Any) -> None:
        fake = SimpleUploadedFile("scene.jpg", b"<html>not a photo</html>")
        with pytest.raises(AttachmentRejected):
            services.report_attachment_add(actor=agency["cso"], report=written(agency), upload=fake)
        assert not ReportAttachment.objects.exists()
        pdf = SimpleUploadedFile("statement.pdf", b"%PDF-1.4\n%test\n")
        attachment = services.report_attachment_add(
            actor=agency["cso"], report=written(agency), upload=pdf
        )
        assert attachment.content_type == "application/pdf"


class TestDailyActivityReport:
    def test_assembled_from_calls_patrols_citations_and_reports(self, agency: Any) -> None:
        from beatbook.calls import services as call_services
        from beatbook.citations.services import citation_issue
        from beatbook.citations.tests.factories import ordinance

        cso = agency["cso"]
        call = intake(agency["dispatcher"])
        call_services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
        call_services.call_on_scene(actor=cso, call=call)
        call_services.call_clear(actor=cso, call=call, disposition="advised")
        roster_services.patrol_start(actor=cso, unit=agency["cso_unit"], beat=agency["a1"])
        roster_services.checkpoint_add(actor=cso, unit=agency["cso_unit"], label="Park gate")
        roster_services.patrol_end(actor=cso, unit=agency["cso_unit"])
        citation_issue(actor=cso, ordinance=ordinance(), plate="ABC123", address="1512 Pine St")
        services.report_create(actor=cso, kind="information", title="Lights out")
        dar = services.dar_open(actor=cso, day=timezone.localdate())
        kinds = {item["kind"] for item in services.dar_activity(dar=dar)}
        assert kinds == {"call", "patrol", "citation", "report"}
        services.dar_submit(actor=cso, dar=dar, remarks="Quiet afternoon")
        assert len(dar.snapshot) == 4
        with pytest.raises(PermissionDenied):
            services.dar_approve(actor=cso, dar=dar)
        services.dar_return(actor=agency["supervisor"], dar=dar, comment="Add the school visit")
        services.dar_submit(actor=cso, dar=dar, remarks="Quiet afternoon; school visit at 3")
        services.dar_approve(actor=agency["supervisor"], dar=dar)
        assert dar.status == ReviewStatus.APPROVED

    def test_one_dar_per_day_and_only_csos_write_them(self, agency: Any) -> None:
        day = timezone.localdate()
        assert services.dar_open(actor=agency["cso"], day=day) == services.dar_open(
            actor=agency["cso"], day=day
        )
        with pytest.raises(PermissionDenied):
            services.dar_open(actor=agency["dispatcher"], day=day)


def test_a_second_supervisor_may_review_the_first(agency: Any) -> None:
    other = account_services.user_create(
        actor=SYSTEM,
        username="sup2",
        role="supervisor",
        password="correct horse battery 42",
        team=agency["north"],
    )
    report = services.report_create(
        actor=agency["supervisor"], kind="information", title="Note", narrative="Text"
    )
    services.report_submit(actor=agency["supervisor"], report=report)
    services.report_approve(actor=other, report=report)
    assert report.approved_by == other


def test_postgresql_search_is_stemmed_and_ranked(agency: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("stemming is PostgreSQL full-text search; SQLite matches substrings")
    title_hit = services.report_create(
        actor=agency["cso"], kind="incident", title="Vehicles parked on the sidewalk", narrative="x"
    )
    narrative_hit = services.report_create(
        actor=agency["cso"], kind="incident", title="Complaint", narrative="A vehicle was parking"
    )
    found = list(report_list(viewer=agency["cso"], filters=ReportFilters(text="vehicle parks")))
    assert found == [title_hit, narrative_hit]  # title matches rank above narrative ones


def test_fixity_sweep_finds_a_changed_file(agency: Any) -> None:
    from django.core.management import CommandError, call_command

    report = written(agency)
    attachment = services.report_attachment_add(actor=agency["cso"], report=report, upload=jpeg())
    call_command("fixity_sweep")
    storage, name = attachment.file.storage, attachment.file.name
    storage.delete(name)
    storage.save(name, io.BytesIO(b"\xff\xd8\xffchanged"))
    with pytest.raises(CommandError, match="1 of 1 attachments failed"):
        call_command("fixity_sweep")
    attachment.refresh_from_db()
    assert attachment.quarantined_at is not None


def test_a_confidential_victim_never_reaches_public_outputs(agency: Any) -> None:
    from django.test import Client

    Client().post(
        "/portal/report/VEHABND/",
        {
            "description": "Van left here",
            "address": "1534 Pine St",
            "q_DAYS": "gt7",
            "idempotency_key": "victim-test",
        },
    )
    from beatbook.calls.models import Call

    call = Call.objects.get()
    report = services.report_create(actor=agency["cso"], call=call)
    services.report_person_add(
        actor=agency["cso"],
        report=report,
        role="victim",
        name="Valentina Hidden",
        phone="206-555-0177",
        is_confidential=True,
        confidentiality_reason="stalking",
    )
    services.report_submit(actor=agency["cso"], report=report)
    services.report_approve(actor=agency["supervisor"], report=report)
    public = Client()
    for path in [
        "/portal/reports/",
        "/portal/reports.json",
        f"/portal/reports/{call.number}/",
        f"/portal/track/{call.public_token}/",
        "/open311/v2/requests.json",
        f"/open311/v2/requests/{call.number}.xml",
    ]:
        body = public.get(path).content.decode()
        assert "Valentina" not in body, path
        assert "0177" not in body, path
