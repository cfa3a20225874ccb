"""The current request's id and client address, for audit rows written deep in services."""

from __future__ import annotations

from contextvars import ContextVar

_source_ip: ContextVar[str | None] = ContextVar("beatbook_source_ip", default=None)
_request_id: ContextVar[str | None] = ContextVar("beatbook_request_id", default=None)


def current_source_ip() -> str | None:
    return _source_ip.get()


def current_request_id() -> str | None:
    return _request_id.get()


def bind(*, source_ip: str | None, request_id: str) -> tuple[object, object]:
    return _source_ip.set(source_ip), _request_id.set(request_id)


def unbind(tokens: tuple[object, object]) -> None:
    _source_ip.reset(tokens[0])  # type: ignore[arg-type]
    _request_id.reset(tokens[1])  # type: ignore[arg-type]
