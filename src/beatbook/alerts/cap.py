"""CAP 1.2 documents (OASIS, STANDARDS.md §2) for published and cancelled alerts.

Element order follows the schema's sequences; times carry an explicit offset and no fractions
(the XSD refuses `Z` and microseconds); each beat becomes a polygon in "lat,lon" pairs."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET  # noqa: S405  (we only write XML, never parse it)

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from beatbook.alerts.choices import AlertStatus
from beatbook.alerts.models import Alert
from beatbook.core.i18n import localized

NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
LANGUAGES = {"en": "en-US", "es": "es-US"}


def cap_time(moment: dt.datetime) -> str:
    """2026-11-22T10:15:00-08:00: agency time with its offset, seconds only."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def cap_sender() -> str:
    host = urlsplit(settings.BEATBOOK_PUBLIC_URL).hostname or "beatbook.invalid"
    return f"beatbook@{host}"


def _sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    if text is not None:
        element.text = text
    return element


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """Outer rings of a GeoJSON Polygon or MultiPolygon, as [lon, lat] lists."""
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def _polygon(ring: list[list[float]]) -> str | None:
    points = [f"{lat:.5f},{lon:.5f}" for lon, lat, *_ in ring]
    if points and points[0] != points[-1]:
        points.append(points[0])
    return " ".join(points) if len(points) >= 4 else None


def _area(info: ET.Element, alert: Alert) -> None:
    beats = list(alert.beats.all())
    area = _sub(info, "area")
    if not beats:
        _sub(area, "areaDesc", f"All of {settings.BEATBOOK_AGENCY_NAME}'s area")
        return
    _sub(area, "areaDesc", "Beats " + ", ".join(beat.name for beat in beats))
    for beat in beats:
        for ring in _rings(beat.geometry):
            polygon = _polygon(ring)
            if polygon:
                _sub(area, "polygon", polygon)
    for beat in beats:
        geocode = _sub(area, "geocode")
        _sub(geocode, "valueName", "beat")
        _sub(geocode, "value", beat.name)


def _info(alert_el: ET.Element, alert: Alert, language: str) -> None:
    with translation.override(language):
        info = _sub(alert_el, "info")
        _sub(info, "language", LANGUAGES[language])
        _sub(info, "category", alert.category)
        _sub(info, "event", alert.event)
        _sub(info, "urgency", alert.urgency)
        _sub(info, "severity", alert.severity)
        _sub(info, "certainty", alert.certainty)
        if alert.published_at:
            _sub(info, "effective", cap_time(alert.published_at))
        _sub(info, "expires", cap_time(alert.expires_at))
        _sub(info, "senderName", settings.BEATBOOK_AGENCY_NAME)
        _sub(info, "headline", localized(alert, "headline"))
        _sub(info, "description", localized(alert, "description"))
        instruction = localized(alert, "instruction")
        if instruction:
            _sub(info, "instruction", instruction)
        path = reverse("portal:alert_detail", args=[alert.number])
        _sub(info, "web", settings.BEATBOOK_PUBLIC_URL.rstrip("/") + path)
        _area(info, alert)


def cap_document(alert: Alert) -> bytes:
    """The alert as CAP: an Alert message, or once withdrawn a Cancel referencing it."""
    if alert.published_at is None:
        raise ValueError(f"{alert.number} was never published")
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}alert")
    cancelled = alert.status == AlertStatus.CANCELLED and alert.cancelled_at is not None
    sender = cap_sender()
    _sub(root, "identifier", f"{alert.number}-cancel" if cancelled else alert.number)
    _sub(root, "sender", sender)
    sent = alert.cancelled_at if cancelled and alert.cancelled_at else alert.published_at
    _sub(root, "sent", cap_time(sent))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", "Cancel" if cancelled else "Alert")
    _sub(root, "scope", "Public")
    if cancelled:
        _sub(root, "note", alert.cancel_reason)
        _sub(root, "references", f"{sender},{alert.number},{cap_time(alert.published_at)}")
    _info(root, alert, "en")
    if alert.headline_es:
        _info(root, alert, "es")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
