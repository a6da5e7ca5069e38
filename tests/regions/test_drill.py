"""区划与网格: each user's page opens at the top of their own area and drills down to the
grids, with counts, grid workers, open cases and the map's outlines, never above the area."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.accounts.models import Role
from gongzhi.cases.models import Case
from gongzhi.regions.models import RegionLevel
from tests.factories import GridAssignmentFactory, GridFactory, RegionFactory, UserFactory
from tests.world import report_case

pytestmark = pytest.mark.django_db


def _page(client, user, code=None):
    client.force_login(user)
    url = reverse("regions:drill", args=[code]) if code else reverse("regions:index")
    response = client.get(url)
    return response, response.content.decode()


def _title(html):
    return re.search(r'data-testid="drill-title">([^<]*)', html).group(1).strip()


def _children(html):
    return re.findall(r'data-testid="child-link">([^<]*)<', html)


def _grids(html):
    return re.findall(r'data-testid="grid-row" data-code="([^"]*)"', html)


def _cells(html, code, name):
    row = re.search(rf'data-code="{re.escape(code)}">(.*?)</tr>', html, re.S).group(1)
    return int(re.search(rf'data-testid="cell-{name}"><b[^>]*>(\d+)<', row).group(1))


def _crumb_links(html):
    return re.findall(r'data-testid="crumb" data-code="([^"]*)"', html)


def test_each_user_opens_at_the_top_of_their_own_area(client, world):
    township_head = UserFactory(
        username="townhead", display_name="马镇长", organisation=world.township, role=Role.LEADER,
        head=True,
    )  # fmt: skip
    _, html = _page(client, world.leader)
    assert _title(html) == "海东市" and _children(html) == ["乐都区", "平安区"]
    _, html = _page(client, world.dispatcher)
    assert _title(html) == "乐都区" and _children(html) == ["碾伯镇", "高庙镇"]
    _, html = _page(client, township_head)
    assert _title(html) == "碾伯镇" and _children(html) == ["西关社区", "东关社区"]
    _, html = _page(client, world.grid_worker)
    assert _title(html) == "西关社区"
    assert _grids(html) == ["630202100001-01", "630202100001-02"]
    # Their grid is marked and its worker named (staff see staff); the chain above is shown
    # as names only, with no link above the area.
    assert 'data-testid="my-grid"' in html and "李建国" in html
    assert "碾伯镇" in html and "乐都区" in html and _crumb_links(html) == []


def test_a_user_with_no_area_is_told_so(client, world):
    response, html = _page(client, world.resident)
    assert response.status_code == 200
    assert 'data-testid="no-area"' in html and "No region or grid is assigned to you" in html
    assert "drill-map" not in html


def test_the_drill_down_never_goes_above_or_beside_the_area(client, world):
    client.force_login(world.grid_worker)
    for code in ("630202100", "630202", "630200", "630203100001"):
        assert client.get(reverse("regions:drill", args=[code])).status_code == 404
        assert client.get(reverse("regions:layers"), {"within": code}).status_code == 404
    client.force_login(world.dispatcher)
    assert client.get(reverse("regions:drill", args=["630203"])).status_code == 404
    _, html = _page(client, world.dispatcher, "630202100001")
    assert _crumb_links(html) == ["630202", "630202100"]  # not the city above the county


def test_counts_follow_the_cases_own_scope(client, world):
    report_case(world, world.pothole, title="路面坑洼")
    late = report_case(world, world.manhole, title="井盖缺失")
    report_case(world, world.pothole, point=world.other_point, title="平安的坑")
    Case.objects.filter(pk=late.pk).update(is_overdue=True)  # as the deadline scan marks it

    _, html = _page(client, world.leader)
    assert _cells(html, "630202", "open_cases") == 2 and _cells(html, "630203", "open_cases") == 1
    assert _cells(html, "630202", "overdue_cases") == 1
    assert _cells(html, "630202", "grids") == 4 and _cells(html, "630203", "grids") == 1

    _, html = _page(client, world.dispatcher, "630202")
    assert _cells(html, "630202100", "open_cases") == 2
    assert _cells(html, "630202101", "open_cases") == 0
    assert re.search(r'data-testid="total-open_cases"><b[^>]*>2<', html)

    _, html = _page(client, world.dispatcher, "630202100001")
    assert _cells(html, "630202100001-01", "open_cases") == 2
    assert _cells(html, "630202100001-01", "overdue_cases") == 1
    assert _cells(html, "630202100001-02", "open_cases") == 0
    for case in Case.objects.filter(region_path__startswith=world.regions.xiguan.path):
        assert reverse("cases:detail", args=[case.number]) in html
    assert html.index(late.number) < html.index("路面坑洼")  # overdue first
    assert "No open cases." in html  # the second grid

    # A county department governs no place: it sees the county's tree but only the cases
    # its own unit handles, here none.
    _, html = _page(client, world.handler, "630202100001")
    assert _grids(html) == ["630202100001-01", "630202100001-02"]
    assert _cells(html, "630202100001-01", "open_cases") == 0 and late.number not in html


def test_numbers_typed_into_a_title_stay_masked(client, world):
    report_case(world, world.pothole, title="楼下井盖坏了 请回电13912345678")
    _, html = _page(client, world.grid_worker)
    assert "13912345678" not in html and "139****5678" in html


def test_the_map_gets_the_level_and_its_childrens_outlines(client, world):
    client.force_login(world.dispatcher)
    layers = client.get(reverse("regions:layers"), {"within": "630202"}).json()["layers"]
    assert [(layer["level"], len(layer["features"])) for layer in layers] == [
        ("county", 1),
        ("township", 2),
    ]
    assert {f["properties"]["name"] for f in layers[1]["features"]} == {"碾伯镇", "高庙镇"}
    layers = client.get(reverse("regions:layers"), {"within": "630202100001"}).json()["layers"]
    assert layers[1]["level"] == "grid"
    assert {f["properties"]["code"] for f in layers[1]["features"]} == {
        "630202100001-01",
        "630202100001-02",
    }


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_level_costs_the_same_queries_however_many_rows_it_has(client, world):
    client.force_login(world.dispatcher)
    county = reverse("regions:drill", args=["630202"])
    community = reverse("regions:drill", args=["630202100001"])
    report_case(world, world.pothole)
    before = (_queries(client, county), _queries(client, community))

    # More townships, communities, grids, workers and cases.
    for n in range(3):
        town = RegionFactory(
            code=f"63020210{n + 2}", level=RegionLevel.TOWNSHIP, parent=world.regions.ledu
        )
        RegionFactory(code=f"63020210{n + 2}001", level=RegionLevel.COMMUNITY, parent=town)
    for n in range(3):
        grid = GridFactory(code=f"630202100001-0{n + 3}", community=world.regions.xiguan)
        GridAssignmentFactory(grid=grid, user=UserFactory(display_name=f"网格员{n}"))
    report_case(world, world.manhole, point=(102.415, 36.47), title="第二个网格")
    report_case(world, world.pothole, title="又一件")

    after = (_queries(client, county), _queries(client, community))
    assert after == before
    # The level's own queries: the region, its chain, its children, the grid counts and the
    # case counts (plus the grid workers and the open cases on a community), on top of the
    # session, the user, their scope and the menu.
    assert max(after) <= 20


def test_an_area_of_several_places_opens_on_all_of_them(client, world):
    GridAssignmentFactory(grid=world.other_grid, user=world.grid_worker)
    _, html = _page(client, world.grid_worker)
    assert _children(html) == ["西关社区", "东村"]
    _, html = _page(client, world.grid_worker, "630203100001")
    assert _grids(html) == ["630203100001-01"] and 'data-testid="my-grid"' in html
