"""Work a request leaves for after its response has been sent.

The WSGI server calls the response's `close()` once the body is written, and Django sends
`request_finished` from there: what is queued here runs then, in the same worker, while the
client already has its answer. For work whose result serves the *next* request (the board's
shared render), not this one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.signals import request_finished, request_started

logger = logging.getLogger(__name__)

_pending: ContextVar[list[Callable[[], object]] | None] = ContextVar(
    "beatbook_after_response", default=None
)


def after_response(work: Callable[[], object]) -> None:
    """Run `work` once this request's response is out; outside a request, at once."""
    pending = _pending.get()
    if pending is None:
        work()
    else:
        pending.append(work)


def _open(**kwargs: Any) -> None:
    _pending.set([])


def _run(**kwargs: Any) -> None:
    pending = _pending.get()
    _pending.set(None)
    for work in pending or []:
        try:
            work()
        except Exception:  # the response is gone: nobody else would hear of it
            logger.exception("work after the response failed")


request_started.connect(_open, dispatch_uid="beatbook_after_response_open")
request_finished.connect(_run, dispatch_uid="beatbook_after_response_run")
