"""Open311 fixtures: the small 海东 world, the demo's extra questions, a client with a key,
cases to read, and the GeoReport v2 schemas from /work/shared (skipped when absent)."""

import json
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import xmltodict

from gongzhi.demo import questions as demo_questions
from gongzhi.open311.models import Open311Client
from tests.factories import report_case

BASE = "/open311/v2"
SCHEMAS = Path("/work/shared/data/open311-schemas")


@pytest.fixture
def o311(world):
    demo_questions.load()
    key_client = Open311Client(name="FixMyStreet 海东")
    key = key_client.issue_key()
    key_client.save()
    world.api_client, world.key = key_client, key
    return world


def report(world, text="井盖丢了，很危险", point=None, category=None, **extra):
    extra.setdefault("address", "海东市乐都区碾伯镇西关街12号3单元402室")
    extra.setdefault("reporter_name", "马秀兰")
    extra.setdefault("reporter_phone", "13900001111")
    category = category or world.pothole
    return report_case(
        world,
        category,
        point=point,
        channel="open311",
        reporter=None,
        title="",
        description=text,
        **extra,
    )


def get(client, path, fmt="json", **params):
    return client.get(f"{BASE}/{path}.{fmt}", params)


def post(client, path, data, fmt="json", **extra):
    return client.post(f"{BASE}/{path}.{fmt}", data, **extra)


def parse(response):
    """The body as data: JSON as is, XML through xmltodict."""
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)
    return xmltodict.parse(response.content)


def _datetime_with_offset(value) -> bool:
    if not isinstance(value, str):
        return True
    return datetime.fromisoformat(value).tzinfo is not None


def _absolute_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def format_checker():
    from jsonschema import FormatChecker

    checker = FormatChecker()
    # jsonschema checks these formats only with optional packages: check them here, with
    # the spec's rule that a datetime carries its offset.
    checker.checks("date-time", raises=ValueError)(_datetime_with_offset)
    checker.checks("uri", raises=ValueError)(_absolute_uri)
    return checker


def valid(schema: dict, data) -> None:
    """Raise if ``data`` does not match one of the local schemas (local_schemas.py)."""
    from jsonschema import Draft4Validator

    Draft4Validator(schema, format_checker=format_checker()).validate(data)


@pytest.fixture(scope="session")
def schemas():
    if not SCHEMAS.is_dir():
        pytest.skip(f"the Open311 schemas are not at {SCHEMAS}")
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    loaded = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources(
        (name, Resource.from_contents(body, default_specification=DRAFT4))
        for name, body in loaded.items()
    )
    checker = format_checker()

    def validator(name):
        return Draft4Validator(loaded[name], registry=registry, format_checker=checker)

    return SimpleNamespace(
        **{n.removesuffix(".json").replace("-", "_"): validator(n) for n in loaded}
    )


ITEM_TAGS = ("request", "service", "error", "request_update", "endpoint", "format")
ITEM_TAGS += ("attribute", "value", "note", "photo")


def xml_data(response, item: str | None = None):
    """An XML answer as the data its JSON twin holds: the document element's items (or the
    element itself), lists unwrapped from their item elements."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    doc = xmltodict.parse(response.content, force_list=ITEM_TAGS)
    (top,) = doc.values()
    data = (top or {}).get(item, []) if item else top
    return _unwrap(data)


def _unwrap(value):
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ITEM_TAGS:
            return _unwrap(next(iter(value.values())))
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def as_text(value):
    """JSON data with every scalar written as XML writes it (empty: None)."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value] or None
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def same_in_both(client, path, item=None, **params):
    """Fetch ``path`` as JSON and as XML; assert they carry the same data; return the JSON."""
    as_json = get(client, path, "json", **params)
    as_xml = get(client, path, "xml", **params)
    assert as_json.status_code == as_xml.status_code
    assert as_json["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(as_json.content)
    assert xml_data(as_xml, item) == (as_text(data) if data != [] else [])
    return as_json.status_code, data
