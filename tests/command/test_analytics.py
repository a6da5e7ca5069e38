"""统计分析: the page and its downloads show the figures of the viewer's regions only, and a
downloaded table holds the numbers the page and the API show."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.accounts.models import Organisation, Role
from gongzhi.command import assessment, figures
from tests.factories import UserFactory, case_in, move, report_case

pytestmark = pytest.mark.django_db
PAGE = "/command/analytics/"
API = "/api/v1/command/assessment"


def county_leader(w):
    return UserFactory(
        username="ledu-leader",
        display_name="乐都区长",
        organisation=Organisation.objects.get(code="630202"),
        role=Role.LEADER,
        head=True,
    )


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


@pytest.fixture
def cases(world):
    w = world
    assessment.seed_defaults()  # a transactional test before may have flushed the seeded rows
    done = case_in(w, "closed")
    move(done, "callback", w.resident, resolved=True, satisfaction="satisfied")
    case_in(w, "in_progress")
    case_in(w, "returned")
    report_case(
        w,
        w.pothole,
        point=w.other_point,
        channel="hotline",
        reporter=None,
        entered_by=w.operator,
        reporter_name="韩梅",
        reporter_phone="13900002222",
    )
    return w


def test_the_page_shows_every_section_and_each_table_downloads_as_shown(client, cases):
    w = cases
    today = timezone.localdate()
    query = {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
    client.force_login(w.leader)
    response = client.get(PAGE, query)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("summary", "units", "regions", "categories", "channels", "durations", "grids"):
        assert f'data-testid="export-{name}"' in html, name
    assert 'data-testid="formula"' in html and 'data-testid="grid-map"' in html
    # The places are the city's counties, each a link into it.
    places = html[html.index('data-testid="table-regions"') :].split("</table>")[0]
    assert f"region={w.regions.ledu.code}" in places and w.regions.pingan.name in places

    # The categories table: the download has the page's rows, under a title naming the period.
    tables = response.context["tables"]
    rows = sheet_rows(client.get(reverse("command:analytics_export", args=["categories"]), query))
    assert query["start"] in rows[0][0] and query["end"] in rows[0][0]
    assert list(rows[1]) == [str(c.label) for c in tables["categories"].columns]
    assert [list(r) for r in rows[2:]] == [
        [cell.value for cell in row] for row in tables["categories"].rows
    ]
    expected = figures.breakdown(
        viewer=w.leader, start=today.replace(day=1), end=today, by="category"
    )
    assert sorted((r[0], r[1]) for r in rows[2:]) == sorted(
        (str(r["label"]), r["reported"]) for r in expected
    )
    assert sum(r[1] for r in rows[2:]) == 4

    # A count leads to the queue listing the cases it counts; a rate, a zero, nowhere.
    reported, overdue = tables["categories"].rows[0][1], tables["categories"].rows[0][4]
    assert reported.url.startswith(reverse("cases:queue")) and "category=" in reported.url
    assert overdue.value == 0 and overdue.url is None
    assert tables["categories"].rows[0][6].url is None

    # The units' scores: the download equals the API, row by row.
    api = client.get(API, query).json()
    rows = sheet_rows(client.get(reverse("command:analytics_export", args=["units"]), query))
    assert [(r[0], r[1], r[2]) for r in rows[2:]] == [
        (u["rank"], u["unit"], u["score"]) for u in api["units"]
    ]
    assert api["units"], "some unit led a case"

    # Every table downloads.
    for name in ("summary", "regions", "channels", "durations", "trend", "grids"):
        assert (
            len(sheet_rows(client.get(reverse("command:analytics_export", args=[name]), query)))
            >= 2
        )

    # The choropleth's grids carry their reports.
    grids = client.get(reverse("command:analytics_grids"), query).json()
    counted = {f["properties"]["code"]: f["properties"]["reported"] for f in grids["features"]}
    assert counted[w.grid.code] == 3 and counted[w.other_grid.code] == 1


def test_a_county_leader_sees_the_county_and_nothing_else(client, cases):
    w = cases
    client.force_login(county_leader(w))
    html = client.get(PAGE).content.decode()
    assert w.regions.pingan.name not in html
    # The whole of their area is their county: the hotline call in 平安区 is not counted.
    summary = client.get(reverse("command:analytics_export", args=["summary"]))
    assert sheet_rows(summary)[2][3] == 3  # this period's reports

    other = w.regions.pingan.code
    refused = client.get(PAGE, {"region": other})
    assert refused.status_code in (403, 404)
    assert 'data-testid="analytics-error"' in refused.content.decode()
    assert 'data-testid="table-' not in refused.content.decode()  # the message, nothing else
    api = client.get(API, {"region": other})
    assert api.status_code in (403, 404) and api.json()["message"]
    download = client.get(reverse("command:analytics_export", args=["units"]), {"region": other})
    assert download.status_code in (403, 404)
    assert client.get(reverse("command:analytics_grids"), {"region": other}).status_code in (
        403,
        404,
    )
    # Their own township is theirs to look into.
    assert client.get(PAGE, {"region": w.regions.nianbo.code}).status_code == 200


def test_bad_input_gets_a_message_and_nothing_else(client, world):
    client.force_login(world.leader)
    for query in (
        {"start": "2026-13-01"},
        {"start": "2026-05-31", "end": "2026-05-01"},
        {"end": "yesterday"},
        {"start": "1999-01-01"},
        {"region": "no-such-place"},
    ):
        response = client.get(PAGE, query)
        assert 400 <= response.status_code < 500, query
        html = response.content.decode()
        message = re.search(r'data-testid="analytics-error">([^<]+)<', html)
        assert message and message.group(1).strip(), query
        assert 'data-testid="table-' not in html
        assert client.get(API, query).status_code in (400, 404, 422), query
        export = client.get(reverse("command:analytics_export", args=["units"]), query)
        assert 400 <= export.status_code < 500, query


def test_only_leaders_and_command_staff_read_the_analytics(client, world):
    for person in (world.handler, world.resident, world.grid_worker):
        client.force_login(person)
        assert client.get(PAGE).status_code == 403
        assert client.get(API).status_code == 403
    client.force_login(world.dispatcher)
    assert client.get(PAGE).status_code == 200
