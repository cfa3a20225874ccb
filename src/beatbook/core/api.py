"""API plumbing shared by every app: one error shape, pagination, idempotent creates."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from beatbook.core.exceptions import DomainError, ValidationFailed
from beatbook.core.models import IdempotencyRecord


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def error_body(code: str, detail: Any, **extra: Any) -> dict[str, Any]:
    return {"code": code, "detail": detail, **extra}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain and framework errors to `{"code": ..., "detail": ...}`."""
    if isinstance(exc, DomainError):
        extra = {"field": exc.field} if isinstance(exc, ValidationFailed) and exc.field else {}
        return Response(error_body(exc.code, exc.message, **extra), status=exc.http_status)
    if isinstance(exc, Http404):
        return Response(error_body("not_found", "Not found."), status=404)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = error_body(
            "invalid_input", "The request has invalid fields.", fields=exc.detail
        )
    elif isinstance(exc, drf_exceptions.APIException):
        code = exc.get_codes()
        response.data = error_body(code if isinstance(code, str) else "error", str(exc.detail))
    return response


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent_create(view_method: Callable[..., Response]) -> Callable[..., Response]:
    """Honour an `Idempotency-Key` header on a create endpoint.

    The first request's answer is stored; a retry with the same key and body gets it again
    (without a second write), the same key with another body gets 422, and a retry that
    arrives while the first is still running gets 409.
    """

    @functools.wraps(view_method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > 255:
            return Response(
                error_body(
                    "invalid_idempotency_key", "Idempotency-Key must be at most 255 characters."
                ),
                status=400,
            )
        user = request.user
        scope = f"{request.path}:{getattr(user, 'pk', 'anon')}"
        fingerprint = _fingerprint(request)
        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    existing = IdempotencyRecord.objects.create(
                        scope=scope, key=key, fingerprint=fingerprint
                    )
            except IntegrityError:
                existing = None
            else:
                return _run_and_store(self, request, existing, view_method, args, kwargs)
            existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is None or existing.fingerprint != fingerprint:
            return Response(
                error_body(
                    "idempotency_key_reused",
                    "This Idempotency-Key was used with a different request.",
                ),
                status=422,
            )
        if existing.status_code is None:
            return Response(
                error_body(
                    "request_in_progress", "A request with this Idempotency-Key is still running."
                ),
                status=409,
            )
        response = Response(existing.response_body, status=existing.status_code)
        response["Idempotent-Replayed"] = "true"
        return response

    return wrapper


def _run_and_store(
    self: Any,
    request: Request,
    record: IdempotencyRecord,
    view_method: Callable[..., Response],
    args: Any,
    kwargs: Any,
) -> Response:
    # The write and the stored answer commit together, so a crash between them cannot
    # leave a created record that a retry would create again.
    try:
        with transaction.atomic():
            response = view_method(self, request, *args, **kwargs)
            if status.is_success(response.status_code):
                IdempotencyRecord.objects.filter(pk=record.pk).update(
                    status_code=response.status_code,
                    response_body=json.loads(json.dumps(response.data, default=str)),
                )
                return response
    except Exception:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    # A refused request may be corrected and retried with the same key.
    IdempotencyRecord.objects.filter(pk=record.pk).delete()
    return response
