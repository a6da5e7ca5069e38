"""The hotspots page (热点): each viewer's hotspots only, a map of them, served again from
the cache until a case changes, and a bounded number of queries whatever the cases."""

import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.cases.triage import hooks
from tests.factories import report_case

pytestmark = pytest.mark.django_db

LEDU = "幸福家园小区夜间施工噪音扰民"
PINGAN = "东村广场垃圾堆放发臭"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _report(w, capture, title, *, point=None, reporter="resident"):
    with capture(execute=True):
        return report_case(
            w, w.manhole, title=title, description=title, point=point, reporter=reporter
        )


@pytest.fixture
def spots(world, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    ledu = [
        _report(world, cap, f"{LEDU}{i}", reporter=who)
        for i, who in enumerate(["resident", "other_resident", "resident"])
    ]
    pingan = [
        _report(world, cap, f"{PINGAN}{i}", point=world.other_point, reporter=who)
        for i, who in enumerate(["resident", "other_resident"])
    ]
    return ledu, pingan


def _page(client, user, **params):
    client.force_login(user)
    response = client.get("/cases/hotspots/", params)
    assert response.status_code == 200
    return response.content.decode()


def _map(html):
    found = re.search(
        r'<script id="hotspot-map-config" type="application/json">(.*?)</script>', html
    )
    return json.loads(found.group(1)) if found else None


def test_each_viewer_sees_the_hotspots_of_their_own_area_on_a_map(world, client, spots):
    ledu, pingan = spots
    html = _page(client, world.city_dispatcher)
    assert html.count('data-testid="hotspot"') == 2
    assert "幸福家园" in html and "东村广场" in html
    drawn = _map(html)["spots"]
    assert len(drawn) == 2
    by_place = {s["label"].split(" · ")[0]: s for s in drawn}
    home = next(s for label, s in by_place.items() if "幸福家园" in label)
    # The circle sits on the cases' points; its popup lists the cases, each a link.
    assert home["point"] == pytest.approx(list(world.point))
    assert home["reports"] == 3 and home["heat"] > 0
    assert {c["number"] for c in home["cases"]} == {c.number for c in ledu}
    assert home["cases"][0]["url"] == f"/cases/{home['cases'][0]['number']}/"
    assert 'data-testid="hotspot-map"' in html and "hotspotmap" in html
    assert 'data-testid="hotspot-computed"' in html

    # 乐都's dispatcher sees 乐都's hotspot only, 平安's only 平安's.
    html = _page(client, world.dispatcher)
    assert html.count('data-testid="hotspot"') == 1 and "东村广场" not in html
    assert [s["reports"] for s in _map(html)["spots"]] == [3]
    html = _page(client, world.other_dispatcher)
    assert html.count('data-testid="hotspot"') == 1 and "幸福家园" not in html
    assert {c["number"] for c in _map(html)["spots"][0]["cases"]} == {c.number for c in pingan}
    # The same viewer narrowed to a region outside the other: nothing there.
    html = _page(client, world.city_dispatcher, region=world.regions.pingan.pk)
    assert "幸福家园" not in html and "东村广场" in html


def test_the_api_gives_each_hotspot_the_point_the_map_draws_it_at(world, client, spots):
    ledu, _pingan = spots
    map_spots = _map(_page(client, world.city_dispatcher))["spots"]
    api = client.get("/api/v1/triage/hotspots").json()["hotspots"]
    assert len(api) == len(map_spots) == 2
    drawn = {frozenset(c["number"] for c in s["cases"]): s["point"] for s in map_spots}
    for spot in api:
        numbers = frozenset(c["number"] for c in spot["cases"])
        assert spot["point"] == pytest.approx(drawn[numbers])
    home = next(s for s in api if {c["number"] for c in s["cases"]} == {c.number for c in ledu})
    assert home["point"] == pytest.approx(list(world.point))
    first = home["cases"][0]
    assert [first["lng"], first["lat"]] == pytest.approx(list(world.point))


def test_a_new_case_is_in_the_next_view_and_an_unchanged_view_is_not_recomputed(
    world, client, spots, django_capture_on_commit_callbacks, monkeypatch
):
    first = hooks.hotspot_report(viewer=world.dispatcher, region=None)
    assert not first["cached"] and first["hotspots"][0]["reports"] == 3
    computed = []
    real = hooks.hotspots.hotspots
    monkeypatch.setattr(
        hooks.hotspots, "hotspots", lambda *a, **k: computed.append(1) or real(*a, **k)
    )
    again = hooks.hotspot_report(viewer=world.dispatcher, region=None)
    assert again["cached"] and again["hotspots"] == first["hotspots"] and not computed
    # Another viewer with the same question gets their own answer, not this one.
    other = hooks.hotspot_report(viewer=world.other_dispatcher, region=None)
    assert not other["cached"] and other["hotspots"][0]["reports"] == 2
    _report(world, django_capture_on_commit_callbacks, f"{LEDU}again", reporter="other_resident")
    html = _page(client, world.dispatcher)
    assert _map(html)["spots"][0]["reports"] == 4


def test_the_watcher_recomputes_a_viewers_hotspots_after_a_change_so_the_view_is_cached(
    world, client, spots, django_capture_on_commit_callbacks
):
    from gongzhi.core import periodic

    html = _page(client, world.dispatcher)  # the first view: computed, and remembered
    assert _map(html)["spots"][0]["reports"] == 3
    assert "hotspots" in periodic._JOBS  # run by the watcher's tick
    assert hooks.refresh_hotspots() == {"viewers": 1, "recomputed": 0}  # nothing new
    _report(world, django_capture_on_commit_callbacks, f"{LEDU}again", reporter="other_resident")
    assert hooks.refresh_hotspots() == {"viewers": 1, "recomputed": 1}
    # The next view is served from what the watcher computed, with the new case in it.
    report = hooks.hotspot_report(viewer=world.dispatcher, region=None)
    assert report["cached"] and report["hotspots"][0]["reports"] == 4
    assert _map(_page(client, world.dispatcher))["spots"][0]["reports"] == 4
    # Someone who never opened the page costs the watcher nothing.
    assert world.other_dispatcher.pk not in cache.get(hooks.VIEWERS_KEY)


def test_the_page_makes_as_many_queries_for_many_cases_as_for_few(
    world, client, spots, django_capture_on_commit_callbacks
):
    client.force_login(world.city_dispatcher)

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/cases/hotspots/").status_code == 200
        return len(queries)

    few = count()
    for i in range(6):
        _report(world, django_capture_on_commit_callbacks, f"东关学校门口占道经营{i}")
    assert count() == few <= 20


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clicking_a_hotspot_on_the_map_lists_its_cases(
    world, page, django_capture_on_commit_callbacks
):
    from tests.web.phone import log_in

    ledu = [
        _report(world, django_capture_on_commit_callbacks, f"{LEDU}{i}", reporter=who)
        for i, who in enumerate(["resident", "other_resident", "resident"])
    ]
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, world.dispatcher.username, world.password)
    page.goto(page.base_url + "/cases/hotspots/")
    drawn = page.locator('[data-testid="hotspot-map"][data-spots="1"]')
    drawn.wait_for()
    box = drawn.bounding_box()
    # One hotspot: the map is centred on its circle.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator('[data-testid="hotspot-popup"]')
    popup.wait_for()
    links = popup.locator("li a")
    assert sorted(links.all_text_contents()) == sorted(c.number for c in ledu)
    assert links.first.get_attribute("href").startswith("/cases/")
    assert not errors
