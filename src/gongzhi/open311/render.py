"""One answer, two formats: the same dict or list as JSON, or as XML built with
ElementTree (lists become repeated child elements), chosen by the URL's suffix."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

from django.http import HttpResponse

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# The element each list's items take in XML, by the list's own name.
ITEM_TAGS = {
    "service_requests": "request",
    "services": "service",
    "errors": "error",
    "service_request_updates": "request_update",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
    "photos": "photo",
}


# What XML 1.0 cannot hold (control characters but tab and line breaks, lone surrogates,
# U+FFFE and U+FFFF): one reporter's stray byte must not make the document unreadable for
# every client. Taken out of both formats, so that JSON and XML say the same.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value):
    """``value`` with every text in it cleaned of what XML cannot hold."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        tag = ITEM_TAGS.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, tag), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(data, fmt: str, *, root: str, status: int = 200) -> HttpResponse:
    """``root`` names the XML document element (``services``, ``service_requests`` …)."""
    data = clean(data)
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode()
    else:
        body = to_xml(root, data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
