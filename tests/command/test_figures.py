"""The figures API: each viewer counts what their scope covers, bad input is refused in the
one error shape, every listed figure opens the queue on exactly the records it counts, and
a read costs the same few queries however many cases there are."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.command import figures, rollups
from gongzhi.regions.models import Region
from tests.factories import call_case, case_in, move, report_case

pytestmark = pytest.mark.django_db

API = "/api/v1/command/figures"


@pytest.fixture
def cases(world):
    """乐都区: one closed, one returned, one in hand and overdue, one just reported (by the
    hotline); 平安区: one in hand with its unit."""
    w = world
    case_in(w, "closed")
    case_in(w, "returned")
    late = case_in(w, "in_progress")
    late.is_overdue = True
    late.save()
    call_case(w, w.pothole)
    other = report_case(w, w.pothole, point=w.other_point)
    move(other, "accept", w.other_dispatcher)
    move(other, "dispatch", w.other_dispatcher, organisation=w.other_cgj)
    return w


def get(client, user, path=API, **params):
    client.force_login(user)
    return client.get(path, params)


def test_each_viewer_counts_their_scope(client, cases, today):
    w = cases
    city = get(client, w.leader).json()
    assert city["current"]["reported"] == 5
    assert city["current"]["closed"] == 1 and city["current"]["open"] == 4
    assert city["change"]["reported"] == {"previous": None, "last_year": None}
    county = get(client, w.dispatcher).json()["current"]
    assert (county["reported"], county["returned"], county["overdue"]) == (4, 1, 1)
    # A unit's handler counts the cases their unit leads.
    unit = get(client, w.handler).json()["current"]
    assert unit["reported"] == 2  # the closed one and the one in hand (the returned left it)
    assert get(client, w.other_handler).json()["current"]["reported"] == 1

    rows = get(client, w.leader, f"{API}/breakdown", by="region").json()
    assert [(r["label"], r["reported"]) for r in rows] == [("乐都区", 4), ("平安区", 1)]
    # A county leader's places are its townships; a township's, its grids.
    rows = get(client, w.dispatcher, f"{API}/breakdown", by="region").json()
    assert [(r["code"], r["reported"]) for r in rows] == [("630202100", 4), ("630202101", 0)]
    rows = get(client, w.dispatcher, f"{API}/breakdown", by="region", region="630202100").json()
    assert [(r["code"], r["reported"]) for r in rows] == [(w.grid.code, 4)]
    channels = get(client, w.leader, f"{API}/breakdown", by="channel").json()
    assert {r["key"]: r["reported"] for r in channels} == {"quick_report": 4, "hotline": 1}
    grids = get(client, w.dispatcher, f"{API}/grids").json()
    assert {g["code"]: g["reported"] for g in grids if g["reported"]} == {w.grid.code: 4}
    assert all(g["code"].startswith("630202") for g in grids)
    durations = get(client, w.leader, f"{API}/durations", by="unit").json()
    # Signed for: the closed case and the one in hand (a return clears the times).
    assert durations["sign"]["count"] == 2 and durations["resolve"]["count"] == 1
    assert [r["label"] for r in durations["rows"]] == [w.cgj.name]


def test_bad_input_is_refused_in_the_one_shape(client, cases, today):
    w = cases
    cases_ = [
        ({"start": "2026-13-01"}, 400, "invalid"),
        (
            {"start": today.isoformat(), "end": (today - timedelta(1)).isoformat()},
            400,
            "bad_period",
        ),
        ({"start": "2020-01-01", "end": "2026-01-01"}, 400, "bad_period"),
        ({"region": "630203"}, 403, "region_not_visible"),
        ({"region": "999999"}, 404, "unknown_region"),
    ]
    for params, status, code in cases_:
        answer = get(client, w.dispatcher, **params)
        assert answer.status_code == status, params
        assert answer.json()["error"] == code and answer.json()["message"]
    answer = get(client, w.dispatcher, f"{API}/breakdown", by="weather")
    assert (answer.status_code, answer.json()["field"]) == (400, "by")
    assert get(client, w.resident).status_code == 403
    client.logout()
    assert client.get(API).status_code == 401


def queue_count(client, url: str) -> int:
    html = client.get(url).content.decode()
    return int(re.search(r'data-testid="result-count" data-count="(\d+)"', html).group(1))


def test_each_figure_opens_the_queue_on_exactly_its_records(client, cases, today):
    w = cases
    client.force_login(w.dispatcher)
    span = {"viewer": w.dispatcher, "start": today, "end": today}
    summary = figures.summary(**span)
    for measure in figures.LISTED:
        url = figures.records_url(measure=measure, **span)
        assert queue_count(client, url) == summary[measure], measure
    nianbo = Region.objects.get(code="630202100")
    in_town = figures.summary(**span, region=nianbo)
    url = figures.records_url(measure="open", region=nianbo, **span)
    assert queue_count(client, url) == in_town["open"] == 3
    for by, filter_name in (("unit", "unit"), ("category", "category"), ("channel", "channel")):
        for row in figures.breakdown(**span, by=by):
            url = figures.records_url(measure="reported", **span, **{filter_name: row["key"]})
            assert queue_count(client, url) == row["reported"], (by, row["label"])
    for row in figures.breakdown(**span, region=nianbo, by="region"):  # its grids
        url = figures.records_url(measure="overdue", **span, grid=row["key"])
        assert queue_count(client, url) == row["overdue"] == 1
    # A unit's handler has no queue: their figures link nowhere.
    assert figures.records_url(viewer=w.handler, measure="open", start=today, end=today) is None


def test_a_read_costs_the_same_queries_whatever_the_cases(world, today, django_assert_num_queries):
    w = world
    case_in(w, "in_progress")
    rollups.refresh_stale()
    span = {"viewer": w.dispatcher, "start": today - timedelta(days=60), "end": today}

    def reads():
        figures.summary(**span)
        figures.compare(**span)
        figures.breakdown(**span, by="unit")
        figures.breakdown(**span, by="region")
        figures.durations(**span, by="category")
        figures.grid_figures(**span)

    reads()  # the viewer's scope, once per user object
    with CaptureQueriesContext(connection) as few:
        reads()
    for i in range(6):
        case = case_in(w, "dispatched", title=f"井盖丢失{i}")
        report_case(w, w.pothole, point=w.other_point)
    move(case, "sign_for", w.handler)
    rollups.refresh_stale()
    with django_assert_num_queries(len(few.captured_queries)):
        reads()


def test_returns_count_for_the_unit_that_made_them_in_its_scope(cases, today):
    w = cases
    # The returned case has no lead unit now: the return is still 城管局's.
    for viewer in (w.leader, w.dispatcher, w.handler, w.cgj_head):
        got = figures.returns_by_unit(viewer=viewer, start=today, end=today)
        assert got == {w.cgj.pk: 1}, viewer
    assert figures.returns_by_unit(viewer=w.other_handler, start=today, end=today) == {}
    # Counted on the day of the return: none the day before.
    before = today - timedelta(days=1)
    assert figures.returns_by_unit(viewer=w.leader, start=before, end=before) == {}
    # Another county asked for by a leader: not there.
    pingan = Region.objects.get(code="630203")
    assert figures.returns_by_unit(viewer=w.leader, region=pingan, start=today, end=today) == {}
