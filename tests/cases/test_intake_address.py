"""Where a report is: an address on a street of the gazetteer places a call without a pin,
"locate from address" puts the pin there, the operator is warned when the address and the
pin disagree; and the reporter's tracking page shows the result photo."""

import pytest
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.cases.workflow import services as transitions
from gongzhi.cases.workflow import table as workflow
from gongzhi.regions.models import Region, Street
from tests.factories import jpeg, report_case

pytestmark = pytest.mark.django_db

HINT = reverse("cases:address_hint")
GEOCODE = reverse("cases:geocode")


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def streets(world):
    def line(region, name, y):
        return Street.objects.create(
            name=name,
            region=region,
            geometry={"type": "LineString", "coordinates": [[102.401, y], [102.419, y]]},
            number_from=1,
            number_to=101,
        )

    dongguan = Region.objects.get(name="东关社区")
    return line(world.regions.xiguan, "西大街", 36.47), line(dongguan, "东大街", 36.49)


def test_a_call_without_a_pin_is_placed_on_its_street(client, world, streets):
    client.force_login(world.operator)
    data = {
        "reporter_phone": "13812345678",
        "address": "西大街61号门口",
        "category": world.pothole.pk,
        "description": "西大街路面坑洼",
        "idempotency_key": "1d1d1d1d-7777-4a4a-9b9b-000000000001",
    }
    assert client.post(reverse("cases:hotline"), data).status_code == 302
    case = Case.objects.get()
    # 61 of 1–101: three fifths along the line, in the second of 西关社区's grids.
    assert (case.lng, case.lat) == (pytest.approx(102.4118), pytest.approx(36.47))
    assert case.grid_id == world.grid_b.pk
    assert case.events.get(action="report").data["placed_by"] == "address"


def test_locate_from_address_gives_the_pin_and_its_grid(client, world, streets):
    client.force_login(world.resident)
    found = client.get(GEOCODE, {"address": "碾伯镇西大街1号"}).json()
    assert found["found"] is True and found["label"] == "西大街1号"
    assert (found["lng"], found["lat"]) == (pytest.approx(102.401), pytest.approx(36.47))
    assert found["grid_code"] == world.grid.code and "西关社区" in found["place"]
    missing = client.get(GEOCODE, {"address": "不知道哪里"}).json()
    assert missing["found"] is False and missing["message"]
    client.force_login(world.handler)
    assert client.get(GEOCODE, {"address": "西大街"}).status_code == 403


def test_the_operator_is_warned_when_address_and_pin_disagree(client, world, streets):
    client.force_login(world.operator)
    pin = {"lng": world.point[0], "lat": world.point[1]}  # in 西关社区
    agree = client.get(HINT, {"address": "碾伯镇西关社区西大街3号", **pin}).content.decode()
    assert "address-mismatch" not in agree
    community = client.get(HINT, {"address": "碾伯镇东关社区", **pin}).content.decode()
    assert 'data-testid="address-mismatch"' in community and "东关社区" in community
    township = client.get(HINT, {"address": "高庙镇高庙村", **pin}).content.decode()
    assert 'data-testid="address-mismatch"' in township and "高庙" in township
    street = client.get(HINT, {"address": "东大街8号", **pin}).content.decode()
    assert 'data-testid="address-mismatch"' in street and "东大街" in street
    # Without a pin there is nothing to disagree with: the street says where it goes.
    alone = client.get(HINT, {"address": "东大街8号"}).content.decode()
    assert "address-mismatch" not in alone and 'data-testid="address-street"' in alone


def test_a_disagreeing_address_is_a_warning_not_a_refusal(client, world, streets):
    client.force_login(world.operator)
    data = {
        "reporter_phone": "13812345678",
        "address": "东大街8号",
        "lng": world.point[0],
        "lat": world.point[1],
        "category": world.pothole.pk,
        "description": "路面坑洼",
        "idempotency_key": "1d1d1d1d-7777-4a4a-9b9b-000000000002",
    }
    assert client.post(reverse("cases:hotline"), data).status_code == 302
    assert Case.objects.get().grid_id == world.grid.pk  # the pin wins


def test_the_tracking_page_shows_the_result_photo(client, world):
    w = world
    case = report_case(w, w.manhole, photos=[jpeg("before.jpg")])
    for action, actor in [("accept", w.dispatcher), ("dispatch", w.dispatcher)]:
        case = workflow.transition(case_id=case.pk, action=action, actor=actor)
    case = workflow.transition(case_id=case.pk, action="sign_for", actor=w.handler)
    case = transitions.do_transition(
        case=case, action="resolve", actor=w.handler, photos=[jpeg("after.jpg")], result="已补装"
    )
    url = case.tracking_url()
    html = client.get(url).content.decode()
    assert 'data-testid="track-photos"' in html and 'data-testid="track-result-photos"' in html
    result = case.attachments.get(stage="resolution")
    response = client.get(f"{url}&photo={result.pk}&size=thumb")
    assert response.status_code == 200 and response["Content-Type"].startswith("image/")
    # A verification visit's photos stay on the case page.
    case = transitions.do_transition(
        case=case, action="verify_pass", actor=w.grid_worker, photos=[jpeg("check.jpg")]
    )
    check = case.attachments.get(stage="verification")
    assert client.get(f"{url}&photo={check.pk}").status_code == 404
    assert client.get(reverse("cases:track", args=[case.number]) + "?t=wrong").status_code == 404


def test_a_resident_is_warned_on_the_quick_report_page_too(client, world, streets):
    # 随手拍 asks the same check (its address is a free description next to the pin): the
    # warning only, never where a pin-less call would go.
    client.force_login(world.resident)
    pin = {"lng": world.point[0], "lat": world.point[1]}  # in 西关社区
    page = client.get(reverse("cases:report")).content.decode()
    assert 'id="address-hint"' in page and '"only": "warnings"' in page
    agree = client.get(HINT, {"address": "西关社区小学门口", **pin, "only": "warnings"})
    assert agree.status_code == 200 and agree.content.decode().strip() == ""
    township = client.get(HINT, {"address": "高庙镇高庙村", **pin, "only": "warnings"})
    html = township.content.decode()
    assert 'data-testid="address-mismatch"' in html and "高庙" in html
    assert 'data-testid="address-hint"' not in html
    street = client.get(HINT, {"address": "东大街8号", "only": "warnings"}).content.decode()
    assert street.strip() == ""  # no pin: nothing to disagree with, and no placing hint
    client.force_login(world.handler)
    assert client.get(HINT, {"address": "高庙镇高庙村", **pin}).status_code == 403
