"""Process-local copies of the call types and beats that every intake reads."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beatbook.calls.models import CallType
from beatbook.calls.selectors import call_type_get
from beatbook.core import reference
from beatbook.core.exceptions import NotFound
from beatbook.core.reference import ReferenceCopy
from beatbook.core.testing import INSIDE_A1
from beatbook.places.models import Beat
from beatbook.places.selectors import beat_for_point

pytestmark = pytest.mark.django_db


def test_a_second_read_costs_no_query(agency: dict[str, Any]) -> None:
    call_type_get(code="NOISE")
    beat_for_point(lat=INSIDE_A1[0], lon=INSIDE_A1[1])
    with CaptureQueriesContext(connection) as queries:
        noise = call_type_get(code="NOISE")
        assert [q.code for q in noise.questions.all()]  # the questions came with it
        assert beat_for_point(lat=INSIDE_A1[0], lon=INSIDE_A1[1]) is not None
    assert len(queries) == 0


def test_a_save_here_is_seen_at_once(agency: dict[str, Any]) -> None:
    noise = CallType.objects.get(code="NOISE")
    assert call_type_get(code="NOISE").name == noise.name
    noise.name = "Noise disturbance"
    noise.save()
    assert call_type_get(code="NOISE").name == "Noise disturbance"
    noise.is_active = False
    noise.save()
    with pytest.raises(NotFound):
        call_type_get(code="NOISE")
    question = CallType.objects.get(code="PARKING").questions.first()
    assert question is not None
    call_type_get(code="PARKING")
    question.delete()
    assert question.code not in [q.code for q in call_type_get(code="PARKING").questions.all()]


def test_an_edit_elsewhere_is_seen_within_the_set_age(
    agency: dict[str, Any], settings: Any, monkeypatch: Any
) -> None:
    """Another process's edit (an update() sends no signal here either) waits out the age."""
    settings.BEATBOOK_REFERENCE_SECONDS = 10
    clock = [reference.time.monotonic()]
    monkeypatch.setattr(reference.time, "monotonic", lambda: clock[0])
    reference.reference_copies_clear()  # loaded from here on, by this clock
    point = beat_for_point(lat=INSIDE_A1[0], lon=INSIDE_A1[1])
    assert point is not None
    Beat.objects.filter(pk=point.pk).update(min_lat=0, max_lat=1)  # moved away
    clock[0] += 9
    assert beat_for_point(lat=INSIDE_A1[0], lon=INSIDE_A1[1]) == point
    clock[0] += 2
    assert beat_for_point(lat=INSIDE_A1[0], lon=INSIDE_A1[1]) is None


def test_a_clear_during_a_load_is_not_undone_by_that_load() -> None:
    """A load that began before a change must not be kept after it."""
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        if len(loads) == 1:
            copy.clear()  # another thread saved a row while this one was reading
        return len(loads)

    copy: ReferenceCopy[int] = ReferenceCopy(load, models=())
    assert copy.get() == 1  # the caller gets what it read…
    assert copy.get() == 2  # …but the next one reads again
    assert copy.get() == 2
    assert len(loads) == 2
