"""The people figures as a user reads them on the figures page: exact numbers on a small
known world, the care groups counted only as far as the user's work allows (leaders: how
many, never who), drill-down within the user's area only, and a query count that does not
grow with the register."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.people import figures_fixtures

pytestmark = pytest.mark.django_db

# The figures' world, shared by the figures, map and API tests.
fw = figures_fixtures.fw
grow = figures_fixtures.grow

URL = "/people/figures/"


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    return response


def rows(response) -> dict:
    """{label: row} of the page's context rows (the total under "total")."""
    context = response.context
    found = {r["label"]: r for r in context["rows"]}
    found["total"] = context["total"]
    return found


def columns(response) -> list[str]:
    return [g.code for g in response.context["groups"]]


def test_a_grid_worker_sees_their_grid_and_the_open_groups_only(client, fw):
    response = page(client, fw.grid_worker)
    assert response.status_code == 200
    found = rows(response)
    grid = found[fw.grid.name]
    assert set(found) == {fw.grid.name, "total"}  # not 2号网格, not 平安镇
    assert (grid["registered"], grid["migrant"], grid["population"]) == (1, 1, 2)
    assert (grid["use_own"], grid["use_rented"], grid["houses"]) == (1, 1, 2)
    assert grid["group_elderly_alone"] == 1
    # 社区矫正对象 is no column at all: not even a 0 a grid worker could read something into.
    assert "community_correction" not in columns(response)
    assert "community_correction" not in response.content.decode().replace("社区矫正", "")
    assert "社区矫正对象" not in response.content.decode()
    # Visits of the open group only: 2 on time (one at 23:30), 1 made after midnight, 1 late.
    assert (grid["visits"], grid["on_time"], grid["made_late"], grid["overdue"]) == (4, 2, 1, 1)
    assert grid["on_time_rate"] == 0.5
    assert (grid["plan_days"], grid["kept"], grid["kept_rate"]) == (10, 7, 0.7)


def test_the_community_leader_counts_every_group_by_grid_but_never_sees_who(client, fw):
    response = page(client, fw.community_officer)
    found = rows(response)
    assert response.context["area"]["code"] == fw.regions.xiguan.code
    grid, grid_b = found[fw.grid.name], found[fw.grid_b.name]
    assert grid["group_community_correction"] == 1 and grid["group_elderly_alone"] == 1
    assert grid_b["group_disabled"] == 1 and grid_b["group_community_correction"] == 0
    assert (grid["visits"], grid["on_time"]) == (5, 3)  # the tenant's visit counts too
    assert (grid_b["plan_days"], grid_b["kept"]) == (9, 1)
    total = found["total"]
    assert (total["population"], total["houses"], total["plan_days"], total["kept"]) == (
        3,
        4,
        19,
        8,
    )
    html = response.content.decode()
    for name in ("冶海军", "韩成林", "马秀英"):
        assert name not in html  # counts, never names


def test_a_justice_office_counts_its_groups_in_its_township_and_another_sees_none(client, fw):
    mine = page(client, fw.justice_officer)
    assert columns(mine) == ["community_correction", "released_prisoner"]
    xiguan = rows(mine)[fw.regions.xiguan.name]
    assert xiguan["group_community_correction"] == 1
    assert (xiguan["visits"], xiguan["on_time"]) == (1, 1)
    assert rows(mine)["total"]["group_community_correction"] == 1  # not 平安镇's
    other = rows(page(client, fw.other_justice_officer))
    assert other["total"]["group_community_correction"] == 1  # 平安镇's own only
    assert fw.regions.xiguan.name not in other


def test_drilling_down_a_township_to_its_communities_and_grids(client, fw):
    top = page(client, fw.township_staff)
    assert response_labels(top) >= {"西关社区", "东关社区"}
    assert "community_correction" not in columns(top)  # a township office: open groups
    assert rows(top)["西关社区"]["population"] == 3
    down = page(client, fw.township_staff, region=fw.regions.xiguan.code)
    assert down.status_code == 200
    assert rows(down)[fw.grid.name]["registered"] == 1
    assert [p["code"] for p in down.context["parents"]] == [fw.regions.nianbo.code]


def response_labels(response) -> set[str]:
    return {r["label"] for r in response.context["rows"]}


def test_a_place_outside_the_area_is_refused(client, fw):
    assert page(client, fw.community_officer, region=fw.regions.nianbo.code).status_code == 403
    assert page(client, fw.grid_worker, region="630203100").status_code == 403
    assert page(client, fw.grid_worker, region="nowhere").status_code == 400
    assert page(client, fw.other_resident).status_code == 403  # a resident user: no figures


def test_the_period_moves_the_judged_visits_and_checks_its_bounds(client, fw):
    week = page(client, fw.grid_worker, start=fw.ago(6).isoformat(), end=fw.today.isoformat())
    grid = rows(week)[fw.grid.name]
    assert (grid["visits"], grid["on_time"], grid["overdue"]) == (2, 0, 1)
    assert (grid["plan_days"], grid["kept"]) == (6, 3)  # 6 to 1 days ago; 5, 4, 3 kept
    months = week.context["months"]
    assert sum(m["visits"] for m in months) == 2 and sum(m["plan_days"] for m in months) == 6
    backwards = page(client, fw.grid_worker, start=fw.today.isoformat(), end=fw.ago(3).isoformat())
    assert backwards.status_code == 400 and backwards.context["error"].field == "end"
    too_long = page(client, fw.grid_worker, start="2020-01-01", end="2022-01-01")
    assert too_long.status_code == 400


def test_the_page_draws_its_charts_from_the_tables_numbers(client, fw):
    response = page(client, fw.community_officer)
    chart = response.context["chart"]
    at = chart["labels"].index(fw.grid.name)
    assert chart["population"][0]["data"][at] == 1 and chart["population"][1]["data"][at] == 1
    assert chart["rates"][0]["data"][at] == 60.0  # 3 of 5 visits on time
    html = response.content.decode()
    assert 'id="people-chart-data"' in html and "echarts.min.js" in html


@pytest.mark.parametrize("viewer", ["community_officer", "grid_worker", "justice_officer"])
def test_the_query_count_does_not_grow_with_the_register(client, fw, viewer):
    user = getattr(fw, viewer)
    client.force_login(user)
    client.get(URL)  # warm up the session and the caches of a first request
    grow(fw, 2)
    with CaptureQueriesContext(connection) as few:
        small = client.get(URL)
    grow(fw, 20)
    with CaptureQueriesContext(connection) as many:
        big = client.get(URL)
    assert len(many) == len(few) <= 30, "\n".join(q["sql"][:150] for q in many.captured_queries)
    # The world did grow in what this viewer counts.
    before, after = rows(small)["total"], rows(big)["total"]
    assert after["population"] > before["population"] and after["visits"] > before["visits"]
