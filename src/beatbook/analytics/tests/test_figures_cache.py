"""Cached dashboard figures: the same selection seen again reads no call, and every change to
what the figures read shows at once."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from unittest.mock import patch

import h3
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beatbook.analytics.figures_cache import figures_version, figures_version_bump
from beatbook.analytics.models import FiguresVersion
from beatbook.analytics.rollups import rollups_rebuild, rollups_refresh
from beatbook.analytics.tests.programme import closed_call
from beatbook.calls.models import CallRecord, CallType
from beatbook.calls.records import call_record_sync
from beatbook.calls.signals import call_records_changed

pytestmark = pytest.mark.django_db

DAYS = "start=2026-03-02&end=2026-03-15"
DASHBOARD = f"/analytics/?{DAYS}"
HOT_SPOTS = f"/analytics/hot-spots.geojson?{DAYS}"


@pytest.fixture
def march(agency: dict[str, Any]) -> dict[str, Any]:
    noise = CallType.objects.get(code="NOISE")
    tz = timezone.get_current_timezone()
    CallRecord.objects.bulk_create(
        CallRecord(
            source="test",
            source_id=str(day),
            received_at=dt.datetime(2026, 3, day, 14, tzinfo=tz),
            call_type=noise,
            original_code="NOISE",
            beat=agency["a1"],
            block_text="100 BLOCK OF PINE ST",
            h3_cell=h3.latlng_to_cell(lat, -122.33, 9),
            response_seconds=600,
        )
        for day, lat in ((2, 47.61), (3, 47.61), (9, 47.62))
    )
    return agency


def _reads_calls(client: Client, path: str) -> tuple[Any, bool]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response, any("calls_callrecord" in q["sql"] for q in queries.captured_queries)


def test_the_same_selection_seen_again_reads_no_call(
    march: dict[str, Any], client_for: Any
) -> None:
    analyst = client_for("analyst")
    first, read = _reads_calls(analyst, DASHBOARD)
    assert read
    assert first.context["total"] == 3
    again, read = _reads_calls(analyst, DASHBOARD)
    assert not read
    assert again.context["total"] == 3
    assert again.context["chart_types"] == first.context["chart_types"]
    # Kept as markup, not text: the cached charts are drawn, not shown escaped.
    assert again.content.count(b"<svg") == first.content.count(b"<svg") > 3
    assert b"&lt;svg" not in again.content
    # Another viewer's redraw of the same selection (HTMX) is served from it too.
    partial, read = _reads_calls(client_for("supervisor"), DASHBOARD)
    assert not read
    assert partial.context["by_type"] == [("Noise complaint", 3)]
    # Another selection is its own: another beat, other dates.
    beat, read = _reads_calls(analyst, f"{DASHBOARD}&beat={march['b1'].pk}")
    assert read
    assert beat.context["total"] == 0
    other, read = _reads_calls(analyst, "/analytics/?start=2026-03-03&end=2026-03-15")
    assert read
    assert other.context["total"] == 2


def test_the_hot_spot_map_seen_again_reads_no_call(march: dict[str, Any], client_for: Any) -> None:
    analyst = client_for("analyst")
    first, read = _reads_calls(analyst, HOT_SPOTS)
    assert read
    cells = json.loads(first.content)["features"]
    assert sorted(c["properties"]["calls"] for c in cells if c["properties"]["calls"]) == [1, 2]
    again, read = _reads_calls(analyst, HOT_SPOTS)
    assert not read
    assert again.content == first.content
    assert again["Content-Type"] == "application/json"
    # The permutation test is a figure of its own, not the normal test's.
    _, read = _reads_calls(analyst, f"{HOT_SPOTS}&hot_spot_test=permutations")
    assert read


def test_a_wrong_role_is_refused_a_cached_figure(march: dict[str, Any], client_for: Any) -> None:
    analyst = client_for("analyst")
    assert analyst.get(DASHBOARD).status_code == 200
    assert analyst.get(HOT_SPOTS).status_code == 200
    for role in ("cso", "dispatcher"):
        assert client_for(role).get(DASHBOARD).status_code == 403
        assert client_for(role).get(HOT_SPOTS).status_code == 403


def test_a_call_closed_shows_at_once(
    agency: dict[str, Any], client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    analyst = client_for("analyst")
    today = timezone.localdate()
    path = f"/analytics/?start={today - dt.timedelta(days=6)}&end={today}"
    assert analyst.get(path).context["total"] == 0
    received = timezone.now() - dt.timedelta(hours=3)
    call = closed_call(
        beat=agency["a1"],
        received=received,
        on_scene=received + dt.timedelta(minutes=10),
        closed=received + dt.timedelta(minutes=30),
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_record_sync(call)  # as the close does, in its transaction
    response, read = _reads_calls(analyst, path)
    assert read
    assert response.context["total"] == 1


def test_an_edited_call_type_shows_at_once(march: dict[str, Any], client_for: Any) -> None:
    analyst = client_for("analyst")
    assert analyst.get(DASHBOARD).context["by_type"] == [("Noise complaint", 3)]
    noise = CallType.objects.get(code="NOISE")
    noise.name = "Loud noise"
    noise.save()
    assert analyst.get(DASHBOARD).context["by_type"] == [("Loud noise", 3)]


def test_a_refresh_of_the_rollups_or_a_beat_saved_raises_the_version(
    agency: dict[str, Any],
) -> None:
    version = figures_version()  # raised as the agency's types and beats were made
    tz = timezone.get_current_timezone()
    rollups_refresh(dt.datetime(2026, 3, 2, tzinfo=tz), dt.datetime(2026, 3, 15, tzinfo=tz))
    assert figures_version() == version + 1
    rollups_rebuild()  # over no call at all: the rollups emptied, the figures stale too
    assert figures_version() == version + 2
    agency["a1"].save()
    assert figures_version() == version + 3
    # Calls changed: raised at once, not only when the worker has refreshed the rollups.
    with patch("beatbook.analytics.tasks.rollups_refresh_task") as task:
        call_records_changed.send(sender=CallRecord, start=timezone.now(), end=timezone.now())
    assert task.enqueue.called  # and not run
    assert figures_version() == version + 4
    FiguresVersion.objects.all().delete()  # gone (a flushed database): made again
    assert figures_version() == 0
    figures_version_bump()
    assert figures_version() == 1


def test_a_cache_time_of_zero_turns_it_off(
    march: dict[str, Any], client_for: Any, settings: Any
) -> None:
    settings.BEATBOOK_FIGURES_CACHE_SECONDS = 0
    analyst = client_for("analyst")
    assert _reads_calls(analyst, DASHBOARD)[1]
    assert _reads_calls(analyst, DASHBOARD)[1]


def test_a_hit_decodes_no_beat_polygon(march: dict[str, Any], client_for: Any) -> None:
    # The selection's beat list shows names only; Seattle's polygons cost a page up to a
    # tenth of a second of JSON, most of a cached hit.
    analyst = client_for("analyst")
    analyst.get(DASHBOARD)
    with CaptureQueriesContext(connection) as queries:
        response = analyst.get(DASHBOARD)
    assert b">A1</option>" in response.content
    assert [q["sql"] for q in queries.captured_queries if '"geometry"' in q["sql"]] == []


def _form_of(response: Any) -> str:
    page = response.content.decode()
    start = page.index('<form method="get" class="card row" id="scope-form"')
    return page[start : page.index("</form>", start)]


def test_the_selection_form_is_kept_with_the_figures(
    march: dict[str, Any], client_for: Any
) -> None:
    analyst = client_for("analyst")
    north = march["cso"].team
    chosen = f"{DASHBOARD}&team={north.pk}&hot_spot_test=permutations"
    first = analyst.get(chosen)
    with CaptureQueriesContext(connection) as queries:
        again = analyst.get(chosen)
    # Its selects' options are not read again (the chosen team is, to check it): the form
    # comes drawn, as it was the first time.
    tables = ("accounts_team", "calls_calltype", "places_beat")
    lists = [
        q["sql"]
        for q in queries.captured_queries
        if any(t in q["sql"] for t in tables) and "WHERE" not in q["sql"]
    ]
    assert lists == []
    assert _form_of(again) == _form_of(first)
    form = _form_of(again)
    assert f'<option value="{north.pk}" selected>{north.name}</option>' in form
    assert '<option value="permutations" selected>Permutations</option>' in form
    assert 'value="2026-03-02"' in form
    assert b"&lt;select" not in again.content
    # Each page and each selection has its own: the workload page's form, the default test.
    workload = _form_of(analyst.get(f"/analytics/workload/?{DAYS}&team={north.pk}"))
    assert 'hx-get="/analytics/workload/"' in workload
    assert f'<option value="{north.pk}" selected>' in workload
    diversion = _form_of(analyst.get(f"/analytics/diversion/?{DAYS}&team={north.pk}"))
    assert 'hx-get="/analytics/diversion/"' in diversion  # the same fields, its own page
    plain = _form_of(analyst.get(f"{DASHBOARD}&team={north.pk}"))
    assert '<option value="" selected>Normal (z)</option>' in plain
    # A team renamed shows at once, in the form as in the figures.
    north.name = "North Precinct"
    north.save()
    assert "selected>North Precinct</option>" in _form_of(analyst.get(chosen))
    # A redraw (HTMX) replaces the figures only, with no form to draw.
    redraw = analyst.get(f"{DASHBOARD}&beat={march['b1'].pk}", HTTP_HX_REQUEST="true")
    assert b'id="scope-form"' not in redraw.content
    assert redraw.context["scope_form"] == ""


def test_a_refused_selection_shows_the_form_with_its_error(client_for: Any) -> None:
    bad = client_for("analyst").get("/analytics/?start=2026-03-15&end=2026-03-02")
    assert bad.status_code == 400
    assert "The start date is after the end date." in _form_of(bad)


def test_a_download_of_a_figure_just_drawn_is_the_figure_drawn(
    march: dict[str, Any], client_for: Any
) -> None:
    from django.core.cache import cache

    analyst = client_for("analyst")

    def download(figure: str) -> tuple[str, bool]:
        with CaptureQueriesContext(connection) as queries:
            response = analyst.get(f"/analytics/export/{figure}.csv?{DAYS}")
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode()
        return body, any("calls_callrecord" in q["sql"] for q in queries.captured_queries)

    drawn = (
        "volume-by-type",
        "volume-by-beat",
        "hour-of-week",
        "weekly",
        "response-by-type",
        "response-by-beat",
        "stages-by-type",
    )
    computed = {figure: download(figure) for figure in drawn}
    assert all(read for _, read in computed.values())  # nothing drawn yet: each computed
    assert computed["volume-by-type"][0].splitlines()[1] == "Noise complaint,3"
    analyst.get(DASHBOARD)
    for figure in drawn:
        body, read = download(figure)
        assert not read, figure
        assert body == computed[figure][0], figure
    assert download("stages-by-beat")[1]  # not on the page: computed
    cache.clear()
    assert download("volume-by-type")[1]
