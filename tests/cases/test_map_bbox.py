"""The map's data is limited to the view (issue 25): the open cases in the box the map
sends, at most MAP_MAX_POINTS of them (the newest) with a flag when there are more, and a
clear 400 for a box that is not one."""

import pytest
from django.urls import reverse

from gongzhi.cases.views import console

pytestmark = pytest.mark.django_db

URL = "/cases/map/data/"


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content[:300]
    return {f["properties"]["number"] for f in response.json()["features"]}


def test_the_map_data_holds_the_cases_in_the_box(client, world, spread):
    client.force_login(world.city_dispatcher)
    assert reverse("cases:map_data") == URL
    everywhere = {spread[k].number for k in ("ledu_new", "ledu_doing", "pingan_new")}
    assert numbers(client.get(URL)) == everywhere
    # 乐都's point (102.405, 36.47) and 平安's (102.46, 36.48), each box round one of them.
    ledu = numbers(client.get(URL, {"bbox": "102.40,36.46,102.42,36.48"}))
    assert ledu == {spread["ledu_new"].number, spread["ledu_doing"].number}
    pingan = client.get(URL, {"bbox": "102.45,36.47,102.47,36.49"})
    assert numbers(pingan) == {spread["pingan_new"].number}
    assert pingan.json()["truncated"] is False
    assert numbers(client.get(URL, {"bbox": "100,30,101,31"})) == set()
    # The box and the form's filters together.
    in_hand = client.get(URL, {"bbox": "102.40,36.46,102.42,36.48", "state": "in_progress"})
    assert numbers(in_hand) == {spread["ledu_doing"].number}


def test_at_most_the_newest_points_and_a_flag(client, world, spread, monkeypatch):
    monkeypatch.setattr(console, "MAP_MAX_POINTS", 1)
    client.force_login(world.city_dispatcher)
    data = client.get(URL, {"bbox": "102.40,36.46,102.42,36.48"}).json()
    assert data["truncated"] is True and data["count"] == 1
    newest = max((spread["ledu_new"], spread["ledu_doing"]), key=lambda c: (c.created_at, c.pk))
    assert [f["properties"]["number"] for f in data["features"]] == [newest.number]
    alone = client.get(URL, {"bbox": "102.45,36.47,102.47,36.49"}).json()
    assert alone["truncated"] is False and alone["count"] == 1


@pytest.mark.parametrize(
    "bbox",
    [
        "102.40,36.46,102.42",  # three numbers
        "west,36.46,102.42,36.48",
        "102.42,36.46,102.40,36.48",  # east before west
        "102.40,36.48,102.42,36.46",  # north below south
        "102.40,36.46,200,36.48",  # off the earth
        "nan,36.46,102.42,36.48",
    ],
)
def test_a_bad_box_is_refused_clearly(client, world, spread, bbox):
    client.force_login(world.city_dispatcher)
    response = client.get(URL, {"bbox": bbox})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "bad_bbox" and body["field"] == "bbox"
    assert "地图" in body["message"] or "west" in body["message"]
