"""Issue 22: the Open311 adapter. Defect 5: a key limited to one county must not create
cases in another by sending only an ``address_string``. Defect 7: a control character in
one report must not make ``requests.xml`` invalid for every client. From 10: a NUL in a
parameter is a 400, never a 500."""

import json
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from gongzhi.cases.models import Case
from gongzhi.open311.models import Open311Client
from tests.factories import report_case

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


@pytest.fixture
def key(world):
    client = Open311Client(name="FixMyStreet 乐都")
    value = client.issue_key()
    client.save()
    client.jurisdictions.set([world.regions.ledu])  # 乐都区 only
    return value


def _post(key, **fields):
    data = {
        "api_key": key,
        "service_code": "G02.01",
        "description": "路口井盖丢失，晚上很危险",
        "device_id": "phone-1",
        **fields,
    }
    return Client(raise_request_exception=False).post(f"{BASE}/requests.json", data)


def test_a_county_key_cannot_place_a_case_in_another_county_by_address(world, key):
    for address in ["海东市平安区平安镇东村", "平安区东村村委会旁", "平安镇东村"]:
        response = _post(key, address_string=address)
        assert response.status_code in (400, 403), (address, response.content)
        assert "description" in response.json()[0]
    assert not Case.objects.exclude(region_path__startswith=world.regions.ledu.path).exists()
    assert Case.objects.count() == 0


def test_a_county_key_may_still_post_an_address_in_its_county(world, key):
    response = _post(key, address_string="乐都区碾伯镇西关社区")
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.region_path.startswith(world.regions.ledu.path)


def test_a_county_key_cannot_post_an_address_that_names_no_place(world, key):
    response = _post(key, address_string="人民路口")
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_control_characters_in_one_report_leave_the_feed_valid(world):
    report_case(
        world,
        world.pothole,
        title="井盖丢失",
        description="井盖\x01丢失\x08，很\x1b[1m危险\x0c\ufffe",
    )
    report_case(world, world.pothole, title="路灯不亮", description="路灯不亮")
    for params in ({}, {"extensions": "true"}):
        response = Client().get(f"{BASE}/requests.xml", params)
        assert response.status_code == 200
        root = ET.fromstring(response.content)  # raises on a character XML forbids
        texts = [e.text for e in root.iter("description")]
        assert "井盖丢失，很[1m危险" in texts and "路灯不亮" in texts
    data = json.loads(Client().get(f"{BASE}/requests.json").content)
    assert {r["description"] for r in data} == {"井盖丢失，很[1m危险", "路灯不亮"}


NUL_GETS = [
    ("requests.json", {"service_code": "G02\x0001"}),
    ("requests.json", {"jurisdiction_id": "630202\x00"}),
    ("requests.json", {"service_request_id": "HD-1\x00"}),
    ("requests.json", {"start_date": "2026-01-01\x00"}),
    ("requests.xml", {"status": "open\x00"}),
    ("services.json", {"jurisdiction_id": "\x00"}),
    ("services/G02\x0001.json", {}),
    ("requests/HD-20260101-000001.json", {"jurisdiction_id": "\x00"}),
    ("tokens/abc\x00.json", {}),
    ("servicerequestupdates.json", {"start_date": "\x00"}),
]


@pytest.mark.parametrize(("path", "params"), NUL_GETS)
def test_a_nul_in_a_get_parameter_is_a_400(world, path, params):
    response = Client(raise_request_exception=False).get(f"{BASE}/{path}", params)
    assert response.status_code in (400, 404)
    assert response.status_code == 400 or "\x00" in path


@pytest.mark.parametrize(
    "fields",
    [
        {"description": "井盖\x00丢失"},
        {"service_code": "G02\x0001"},
        {"address_string": "乐都区\x00", "lat": "", "long": ""},
        {"device_id": "phone\x00"},
        {"api_key": "\x00"},
        {"first_name": "秀\x00兰"},
        {"attribute[x\x00]": "1"},
    ],
)
def test_a_nul_in_a_posted_field_is_a_400_and_writes_nothing(world, key, fields):
    data = {"lat": "36.47", "long": "102.405", **fields}
    response = _post(key, **data)
    assert response.status_code == 400, response.content
    assert Case.objects.count() == 0
