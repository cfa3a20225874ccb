"""Codes a mapping left, given a Beatbook value on the page that lists them: the rows take it,
the dashboards follow, later imports of the source apply it, and only importers may."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from beatbook.analytics.models import WeeklyCount
from beatbook.analytics.rollups import rollups_check
from beatbook.calls.importing.corrections import (
    CodeCorrectionError,
    code_correct,
    code_correction_apply,
    code_correction_take_back,
)
from beatbook.calls.models import CallRecord, CallType, CodeCorrection, ImportRun
from beatbook.calls.tests.test_import import SEATTLE_HEADER, seattle_row
from beatbook.core.history import history_for
from beatbook.core.testing import assert_refused, roles_other_than

pytestmark = pytest.mark.django_db

PAGE = "/analytics/imports/"
ALARM = "--ALARMS - COMMERCIAL BURGLARY"


@pytest.fixture(autouse=True)
def imports_dir(settings: Any, tmp_path: Path) -> Path:
    settings.BEATBOOK_IMPORTS_DIR = tmp_path / "imports"
    return Path(settings.BEATBOOK_IMPORTS_DIR)


def seattle_upload(client: Any, rows: list[str], capture: Any, name: str = "calls.csv") -> Any:
    """Seattle's rows imported on the page with the shipped mapping; the run."""
    data = (SEATTLE_HEADER + "".join(rows)).replace("ASSISTANCE RENDERED", "GONE ON ARRIVAL", 1)
    with capture(execute=True):
        client.post(PAGE, {"calls": SimpleUploadedFile(name, data.encode()), "mapping": "seattle"})
    return ImportRun.objects.latest("id")


ROWS = [
    seattle_row("1"),  # noise, beat C3 (the agency has A1 and B1), gone on arrival
    seattle_row("2", type=ALARM),
    seattle_row("3", type=ALARM, beat="99"),
]


def correct(client: Any, run: ImportRun, capture: Any, **fields: str) -> Any:
    """Post a correction, let the worker apply it, and follow to the page it answers with."""
    with capture(execute=True):
        answer = client.post(f"/analytics/imports/{run.pk}/corrections/", fields)
    assert answer.status_code == 302
    page = client.get(answer["Location"])
    page.text = html.unescape(page.content.decode())
    page.location = answer["Location"]
    return page


def weekly_by_type() -> dict[str | None, int]:
    counts: dict[str | None, int] = {}
    for code, calls in WeeklyCount.objects.values_list("call_type__code", "calls"):
        counts[code] = counts.get(code, 0) + calls
    return counts


def test_an_analyst_maps_the_codes_left_on_the_page_and_the_figures_follow(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    run = seattle_upload(client, ROWS, django_capture_on_commit_callbacks)
    url = f"/analytics/imports/{run.pk}/"
    page = client.get(url).content.decode()
    assert f'action="/analytics/imports/{run.pk}/corrections/"' in page
    assert 'aria-label="Beatbook value for C3"' in page
    assert weekly_by_type() == {"NOISE": 1, None: 2}

    answer = correct(
        client,
        run,
        django_capture_on_commit_callbacks,
        kind="call_type",
        code=ALARM,
        value="PERSUSP",
    )
    assert answer.location == f"{url}#code-corrections"
    text = answer.text
    assert f"Call type {ALARM} → PERSUSP: the rows of seattle with that code are being" in text
    records = CallRecord.objects.order_by("source_id")
    assert [r.call_type.code for r in records] == ["NOISE", "PERSUSP", "PERSUSP"]
    correction = CodeCorrection.objects.get()
    assert (correction.rows_updated, correction.previous, correction.pending) == (2, "", False)
    assert correction.changed_by == "Analyst Tester (analyst)"
    # The dashboards' weekly counts moved with the rows.
    assert rollups_check() == []
    assert weekly_by_type() == {"NOISE": 1, "PERSUSP": 2}
    # What the mapping left was counted again: the code is gone from its list.
    coverage = answer.context["coverage"]
    assert [c.code for c in coverage.call_types] == []
    assert coverage.shares[0].rows == 3
    assert 'id="correction-' in text
    assert 'data-state="applied"' in text

    correct(client, run, django_capture_on_commit_callbacks, kind="beat", code="c3", value="B1")
    correct(
        client,
        run,
        django_capture_on_commit_callbacks,
        kind="disposition",
        code="GONE ON ARRIVAL",
        value="gone_on_arrival",
    )
    records = CallRecord.objects.order_by("source_id")
    assert [r.beat.name if r.beat else None for r in records] == ["B1", "B1", None]
    assert [r.disposition for r in records] == ["gone_on_arrival", "assisted", "assisted"]
    coverage = client.get(url).context["coverage"]
    assert [(c.code, c.rows) for c in coverage.beats] == [("99", 1)]
    assert coverage.dispositions == []
    assert list(history_for(correction).order_by("id").values_list("verb", flat=True)) == [
        "code corrected",
        "code correction applied",
    ]


def test_a_later_import_of_the_source_applies_what_was_given_here(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    run = seattle_upload(client, ROWS, django_capture_on_commit_callbacks)
    capture = django_capture_on_commit_callbacks
    correct(client, run, capture, kind="call_type", code=ALARM, value="PERSUSP")
    correct(client, run, capture, kind="beat", code="99", value="A1")
    correct(client, run, capture, kind="disposition", code="GONE ON ARRIVAL", value="unfounded")
    later = [
        seattle_row("4", type=ALARM.lower(), beat="99"),  # codes are matched whatever the case
        seattle_row("5", type="--DISTURBANCE - NOISE", beat="A1"),
    ]
    seattle_upload(client, later, capture, name="later.csv")
    new = {r.source_id: r for r in CallRecord.objects.filter(source_id__in=["4", "5"])}
    assert (new["4"].call_type.code, new["4"].beat.name, new["4"].disposition) == (
        "PERSUSP",
        "A1",
        "unfounded",
    )
    # What the mapping maps itself is not touched.
    assert (new["5"].call_type.code, new["5"].beat.name) == ("NOISE", "A1")


def test_changing_a_value_changes_the_rows_that_took_it_and_no_others(
    client_for: Any, analyst: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    capture = django_capture_on_commit_callbacks
    run = seattle_upload(client, ROWS, capture)
    correct(client, run, capture, kind="call_type", code=ALARM, value="NOISE")
    assert weekly_by_type() == {"NOISE": 3}
    page = correct(client, run, capture, kind="call_type", code=ALARM, value="PERSUSP")
    records = CallRecord.objects.order_by("source_id")
    assert [r.call_type.code for r in records] == ["NOISE", "PERSUSP", "PERSUSP"]
    correction = CodeCorrection.objects.get()
    assert (correction.value, correction.previous, correction.rows_updated) == (
        "PERSUSP",
        "NOISE",
        2,
    )
    assert "(was NOISE)" in page.text
    assert weekly_by_type() == {"NOISE": 1, "PERSUSP": 2}
    # Two changes before the worker gets to the first: the rows still hold the value applied
    # last, and the second change replaces that one.
    code_correct(actor=analyst, source="seattle", kind="call_type", code=ALARM, value="WELFARE")
    code_correct(actor=analyst, source="seattle", kind="call_type", code=ALARM, value="DISORD")
    correction.refresh_from_db()
    assert (correction.previous, correction.pending) == ("PERSUSP", True)
    code_correction_apply(correction_id=correction.pk)
    assert [r.call_type.code for r in records.all()] == ["NOISE", "DISORD", "DISORD"]


def test_a_value_given_by_mistake_is_taken_back_from_the_rows_and_later_imports(
    client_for: Any, analyst: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    capture = django_capture_on_commit_callbacks
    run = seattle_upload(client, ROWS, capture)
    correct(client, run, capture, kind="call_type", code=ALARM, value="PERSUSP")
    page = client.get(f"/analytics/imports/{run.pk}/").content.decode()
    assert f'aria-label="Take back PERSUSP from {html.escape(ALARM)}"' in page
    assert 'data-confirm="Take back PERSUSP from call type code' in html.unescape(page)

    answer = correct(client, run, capture, kind="call_type", code=ALARM, take_back="1")
    assert (
        f"Call type {ALARM}: PERSUSP is taken back; the rows of seattle with that code that "
        "hold it are losing it, and later imports of seattle no longer apply it." in answer.text
    )
    records = CallRecord.objects.order_by("source_id")
    assert [r.call_type.code if r.call_type else None for r in records] == ["NOISE", None, None]
    correction = CodeCorrection.objects.get()
    assert (correction.value, correction.previous, correction.rows_updated) == ("", "PERSUSP", 2)
    assert 'data-state="taken-back"' in answer.text
    assert "Taken back" in answer.text
    assert "Take back PERSUSP" not in answer.text  # nothing left to take back
    # The dashboards and what the mapping left follow: the code is listed again, to map.
    assert rollups_check() == []
    assert weekly_by_type() == {"NOISE": 1, None: 2}
    assert [(c.code, c.rows) for c in answer.context["coverage"].call_types] == [(ALARM, 2)]
    assert (
        f'aria-label="Beatbook value for {html.escape(ALARM)}"'
        in client.get(answer.location).content.decode()
    )
    assert list(history_for(correction).order_by("id").values_list("verb", flat=True)) == [
        "code corrected",
        "code correction applied",
        "code correction taken back",
        "code correction taken back from the rows",
    ]
    # Taken back twice is taken back once.
    assert (
        code_correction_take_back(
            actor=analyst, source="seattle", kind="call_type", code=ALARM.lower()
        )
        == correction
    )
    assert history_for(correction).count() == 4

    # A later import no longer applies it; given again, every row with the code takes it.
    seattle_upload(client, [seattle_row("4", type=ALARM)], capture, name="later.csv")
    assert CallRecord.objects.get(source_id="4").call_type is None
    correct(client, run, capture, kind="call_type", code=ALARM, value="WELFARE")
    correction.refresh_from_db()
    assert (correction.value, correction.previous, correction.rows_updated) == ("WELFARE", "", 3)
    assert CallRecord.objects.filter(call_type__code="WELFARE").count() == 3


def test_taking_back_a_value_not_yet_applied_takes_back_what_the_rows_hold(
    client_for: Any, analyst: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    run = seattle_upload(client, ROWS, django_capture_on_commit_callbacks)
    correct(client, run, django_capture_on_commit_callbacks, kind="beat", code="99", value="A1")
    # Changed, then taken back, before the worker applied the change: the rows hold A1.
    code_correct(actor=analyst, source="seattle", kind="beat", code="99", value="B1")
    correction = code_correction_take_back(actor=analyst, source="seattle", kind="beat", code="99")
    assert (correction.value, correction.previous, correction.pending) == ("", "A1", True)
    code_correction_apply(correction_id=correction.pk)
    assert CallRecord.objects.get(source_id="3").beat is None
    # Given and taken back before the worker applied it: no row held it, none changes
    # (not even the rows without a disposition, which an empty value would match).
    code_correct(
        actor=analyst, source="seattle", kind="disposition", code="GONE ON ARRIVAL", value="report"
    )
    never = code_correction_take_back(
        actor=analyst, source="seattle", kind="disposition", code="GONE ON ARRIVAL"
    )
    assert (never.previous, code_correction_apply(correction_id=never.pk).rows_updated) == ("", 0)
    # Nothing given to a code: nothing to take back, and the page says so.
    page = correct(
        client, run, django_capture_on_commit_callbacks, kind="beat", code="C3", take_back="1"
    )
    assert "No value was given here to code C3 of 'seattle'." in page.text


def test_a_value_that_could_not_be_applied_given_again_replaces_what_the_rows_hold(
    client_for: Any, analyst: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The rows still hold the value applied before the one that failed."""
    client = client_for("analyst")
    run = seattle_upload(client, ROWS, django_capture_on_commit_callbacks)
    correct(
        client, run, django_capture_on_commit_callbacks, kind="call_type", code=ALARM, value="NOISE"
    )
    spare = CallType.objects.create(code="SPARE", name="Spare", priority=3, target_minutes=30)
    correction = code_correct(
        actor=analyst, source="seattle", kind="call_type", code=ALARM, value="SPARE"
    )
    spare.delete()
    code_correction_apply(correction_id=correction.pk)
    correction.refresh_from_db()
    assert correction.message
    assert correction.held == "NOISE"
    CallType.objects.create(code="SPARE", name="Spare", priority=3, target_minutes=30)
    correct(
        client, run, django_capture_on_commit_callbacks, kind="call_type", code=ALARM, value="SPARE"
    )
    correction.refresh_from_db()
    assert (correction.previous, correction.rows_updated) == ("NOISE", 2)
    assert CallRecord.objects.filter(call_type__code="SPARE").count() == 2


def test_the_page_shows_a_correction_being_applied_and_polls_until_it_is(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    run = seattle_upload(client, ROWS, django_capture_on_commit_callbacks)
    url = f"/analytics/imports/{run.pk}/"
    assert "hx-trigger" not in client.get(url).content.decode()
    client.post(f"{url}corrections/", {"kind": "call_type", "code": ALARM, "value": "PERSUSP"})
    page = client.get(url).content.decode()  # the worker has not run it yet
    assert 'data-state="pending"' in page
    assert "Updating…" in page
    assert 'hx-trigger="every 2s"' in page
    code_correction_apply(correction_id=CodeCorrection.objects.get().pk)
    page = client.get(url).content.decode()
    assert 'data-state="applied"' in page
    assert "hx-trigger" not in page


def test_bad_corrections_are_refused_with_their_reason_and_change_nothing(
    client_for: Any, analyst: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    run = seattle_upload(client, ROWS, django_capture_on_commit_callbacks)
    before = list(CallRecord.objects.order_by("id").values_list("call_type", "beat", "disposition"))
    cases = [
        (
            {"kind": "call_type", "code": ALARM, "value": "NOPE"},
            "'NOPE' is not a Beatbook call type.",
        ),
        ({"kind": "beat", "code": "C3", "value": "Z9"}, "'Z9' is not a Beatbook beat."),
        (
            {"kind": "disposition", "code": "GONE ON ARRIVAL", "value": "Gone"},
            "'Gone' is not a Beatbook disposition.",
        ),
        ({"kind": "priority", "code": "3", "value": "1"}, "'priority' is not a call type, beat"),
        ({"kind": "call_type", "code": " ", "value": "PERSUSP"}, "Name the source's code"),
        (
            {"kind": "call_type", "code": "--DISTURBANCE - NOISE", "value": "PERSUSP"},
            "its mapping maps it, or no row has it.",
        ),
    ]
    for fields, reason in cases:
        page = correct(client, run, django_capture_on_commit_callbacks, **fields)
        assert page.status_code == 200
        assert reason in page.text, fields
    assert not CodeCorrection.objects.exists()
    after = list(CallRecord.objects.order_by("id").values_list("call_type", "beat", "disposition"))
    assert after == before
    with pytest.raises(CodeCorrectionError) as error:
        code_correct(actor=analyst, source="other", kind="beat", code="C3", value="A1")
    assert error.value.field == "code"


def test_a_value_gone_before_the_worker_applies_it_is_reported(
    client_for: Any, analyst: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    run = seattle_upload(client, ROWS, django_capture_on_commit_callbacks)
    spare = CallType.objects.create(code="SPARE", name="Spare", priority=3, target_minutes=30)
    correction = code_correct(
        actor=analyst, source="seattle", kind="call_type", code=ALARM, value="SPARE"
    )
    spare.delete()
    code_correction_apply(correction_id=correction.pk)
    correction.refresh_from_db()
    assert (correction.message, correction.rows_updated) == (
        "'SPARE' is no longer in Beatbook.",
        None,
    )
    assert not CallRecord.objects.filter(call_type__isnull=False, original_code=ALARM).exists()
    page = client.get(f"/analytics/imports/{run.pk}/").content.decode()
    assert 'data-state="failed"' in page
    assert "no longer in Beatbook" in page
    # The call type made again, the same correction given again is applied this time.
    CallType.objects.create(code="SPARE", name="Spare", priority=3, target_minutes=30)
    correct(
        client,
        run,
        django_capture_on_commit_callbacks,
        kind="call_type",
        code=ALARM,
        value="SPARE",
    )
    correction.refresh_from_db()
    assert (correction.message, correction.rows_updated) == ("", 2)


def test_only_analysts_and_administrators_correct_codes(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    run = seattle_upload(client_for("analyst"), ROWS, django_capture_on_commit_callbacks)
    url = f"/analytics/imports/{run.pk}/corrections/"
    fields = {"kind": "call_type", "code": ALARM, "value": "PERSUSP"}
    # A supervisor reads the page but gets no forms, and a post is refused.
    page = client_for("supervisor").get(f"/analytics/imports/{run.pk}/").content.decode()
    assert "corrections/" not in page
    assert ALARM in page
    for role in roles_other_than({"analyst", "admin"}):
        assert_refused(client_for(role).post(url, fields), allow_404=False)
    assert not CodeCorrection.objects.exists()
    admin = correct(client_for("admin"), run, django_capture_on_commit_callbacks, **fields)
    assert admin.status_code == 200
    assert CodeCorrection.objects.get().changed_by.endswith("(admin)")
    # Taking it back too: refused to every other role, and no button for a supervisor.
    assert (
        "Take back"
        not in client_for("supervisor").get(f"/analytics/imports/{run.pk}/").content.decode()
    )
    take_back = {"kind": "call_type", "code": ALARM, "take_back": "1"}
    for role in roles_other_than({"analyst", "admin"}):
        assert_refused(client_for(role).post(url, take_back), allow_404=False)
    assert CodeCorrection.objects.get().value == "PERSUSP"


def test_a_correction_post_needs_its_csrf_token(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    run = seattle_upload(client_for("analyst"), ROWS, django_capture_on_commit_callbacks)
    client = client_for("analyst", csrf=True)
    fields = {"kind": "call_type", "code": ALARM, "value": "PERSUSP"}
    assert client.post(f"/analytics/imports/{run.pk}/corrections/", fields).status_code == 403
    assert not CodeCorrection.objects.exists()
