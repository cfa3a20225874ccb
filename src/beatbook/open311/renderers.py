"""GeoReport v2 bodies in JSON and XML (the 'Spark' mapping: wrappers become arrays)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405  (we only write XML, never parse it)

import orjson
from django.http import HttpResponse

# Inside an element, a list is written as a wrapper holding one child per item.
LIST_CHILD = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(element: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for item in value:
                grandchild = ET.SubElement(child, LIST_CHILD.get(key, "item"))
                if isinstance(item, dict):
                    _fill(grandchild, item)
                else:
                    grandchild.text = _text(item)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def to_xml(root: str, body: Any, item: str | None = None) -> bytes:
    element = ET.Element(root)
    if isinstance(body, list):
        for entry in body:
            _fill(ET.SubElement(element, item or "item"), entry)
    else:
        _fill(element, body)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(
    fmt: str, body: Any, *, root: str, item: str | None = None, status: int = 200
) -> HttpResponse:
    if fmt == "xml":
        content = to_xml(root, body, item)
    else:
        # orjson: a list of 1000 requests took json.dumps 4.7 ms, orjson 0.25 ms (B3).
        content = orjson.dumps(body)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(
        fmt,
        [{"code": status, "description": description}],
        root="errors",
        item="error",
        status=status,
    )
