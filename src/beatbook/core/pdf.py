"""PDF from the same templates as the pages (WeasyPrint); never fetches from the network."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from beatbook.core.exceptions import DomainError


class PdfUnavailable(DomainError):
    code = "pdf_unavailable"
    http_status = 503


def _fetcher() -> Any:
    """A WeasyPrint fetcher that serves /static/ from the project, decodes data: URLs, and
    refuses every other address, so rendering never reaches the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parsed = urlparse(url)
            if parsed.path.startswith(settings.STATIC_URL):
                found = finders.find(parsed.path[len(settings.STATIC_URL) :])
                if found:
                    path = Path(found if isinstance(found, str) else found[0])
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        url, body=path.read_bytes(), headers={"Content-Type": mime}
                    )
            raise ValueError(f"PDF rendering fetches nothing from {url}")

    return LocalOnlyFetcher(allowed_protocols={"data", "http"})


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    try:
        import weasyprint
    except OSError as exc:  # pango/cairo missing on this machine
        raise PdfUnavailable(f"PDF rendering needs the pango library: {exc}") from None
    html = render_to_string(template, {**context, "pdf": True}, request=request)
    return weasyprint.HTML(
        string=html, base_url="http://beatbook.local/", url_fetcher=_fetcher()
    ).write_pdf()


def pdf_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
