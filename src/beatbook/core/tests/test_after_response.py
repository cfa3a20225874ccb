from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from beatbook.core.after_response import after_response


@pytest.fixture(autouse=True)
def _without_connection_recycling() -> Any:
    """The signals without Django's own receiver, as its test client sends them: on them
    `close_old_connections` checks the database connection (CONN_HEALTH_CHECKS), which these
    tests may not touch. Left in, these tests failed whenever an earlier test in the same
    process had left a connection open (the board's view tests did)."""
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_outside_a_request_the_work_runs_at_once() -> None:
    done: list[str] = []
    after_response(lambda: done.append("now"))
    assert done == ["now"]


def test_the_work_runs_when_the_response_is_closed_not_before() -> None:
    done: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        after_response(lambda: done.append("after"))
        return HttpResponse(f"sent with {len(done)} done")

    request_started.send(sender=None)
    response = view(RequestFactory().get("/"))
    assert response.content == b"sent with 0 done"
    assert done == []
    response.close()  # what the WSGI server does once the body is written
    assert done == ["after"]
    request_finished.send(sender=None)  # a later request's end does not run it again
    assert done == ["after"]


def test_one_failing_piece_of_work_is_logged_and_the_next_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    done: list[str] = []

    def broken() -> Any:
        raise RuntimeError("render failed")

    request_started.send(sender=None)
    after_response(broken)
    after_response(lambda: done.append("second"))
    with caplog.at_level(logging.ERROR, logger="beatbook.core.after_response"):
        request_finished.send(sender=None)
    assert done == ["second"]
    assert "work after the response failed" in caplog.text
    assert "render failed" in caplog.text
