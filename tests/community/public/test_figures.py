"""The community figures (API, page and Excel): repairs in time, company scores, notices
read and answered, volunteers and hours, patrol completion, points, 移风易俗; per region
and period, scoped to the viewer's area."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user, **params):
    return _client(user).get("/api/v1/community/figures", params)


def test_the_township_reads_each_place_of_its_area(rows):
    w = rows.w
    body = _api(w.township_staff).json()
    assert body["region"] == "630202100"
    total = body["total"]
    assert total["repairs"] == 4  # the repair two years ago is outside the year
    assert total["responded_in_time"] == 3
    assert total["finished_in_time"] == 2
    assert total["finished_in_time_share"] == 0.5
    assert (total["rated"], total["satisfied"], total["satisfied_share"]) == (2, 1, 0.5)
    assert (total["notices"], total["deliveries"], total["read"]) == (2, 16, 9)
    assert (total["asked"], total["answered"], total["answered_share"]) == (4, 2, 0.5)
    assert (total["volunteers_registered"], total["volunteers_approved"]) == (3, 2)
    assert total["volunteer_hours"] == 5.5
    assert (total["patrols"], total["checkpoints"], total["scanned"]) == (2, 10, 8)
    assert total["patrol_completion"] == 0.8
    assert (total["missed"], total["flagged"]) == (2, 1)
    assert (total["points_awarded"], total["points_redeemed"]) == (30, 10)
    assert total["households_with_balance"] == 2
    assert (total["ceremonies"], total["within_caps"]) == (3, 2)
    assert total["within_caps_share"] == pytest.approx(0.6667)

    places = {p["code"]: p for p in body["places"]}
    xiguan, village = places["630202100001"], places["630202100201"]
    assert (xiguan["repairs"], xiguan["read_share"], xiguan["patrols"]) == (4, 0.75, 0)
    assert (village["repairs"], village["read_share"]) == (0, 0.5)
    assert village["patrol_completion"] == 0.8
    assert xiguan["volunteer_hours"] == 3.5 and village["volunteer_hours"] == 2.0
    assert places["630202100002"]["repairs"] == 0  # 东关社区: nothing yet
    assert body["companies"] == [
        {
            "code": "PM-XGHY",
            "name": "乐都区西关华苑物业服务有限公司",
            "month": body["companies"][0]["month"],
            "score": 88.5,
            "rank": 1,
            "repairs": 4,
            "complaints": 0,
        }
    ]


def test_a_longer_period_takes_in_older_records_and_a_place_can_be_asked_for(rows):
    w = rows.w
    body = _api(
        w.township_staff, region="630202100001", start="2024-01-01", end=str(rows.today)
    ).json()
    assert body["region"] == "630202100001"
    assert body["total"]["repairs"] == 5
    assert body["total"]["patrols"] == 0


def test_the_committee_reads_its_own_village_and_no_other(rows):
    w = rows.w
    body = _api(w.clerk).json()
    assert body["region"] == "630202100201"
    assert body["total"]["repairs"] == 0 and body["total"]["patrols"] == 2
    refused = _api(w.clerk, region="630202100001")
    assert refused.status_code == 403
    assert refused.json()["error"] == "out_of_area"


def test_another_county_sees_nothing_of_this_one(rows):
    w = rows.w
    body = _api(w.other_dispatcher).json()
    assert body["total"]["repairs"] == 0 and body["total"]["deliveries"] == 0
    assert body["companies"] == []
    assert _api(w.other_dispatcher, region="630202100").status_code == 403


def test_residents_and_company_staff_read_no_figures(rows):
    w = rows.w
    for user in (w.urban_residents[0], w.villagers[0], w.company_staff, w.plain_user):
        response = _api(user)
        assert response.status_code == 403, user
        assert response.json()["error"] == "forbidden"
        assert _client(user).get("/community/figures/").status_code == 403
        assert _client(user).get("/community/figures/export.xlsx").status_code == 403


def test_a_bad_period_or_region_is_refused_with_a_structured_error(rows):
    w = rows.w
    backwards = _api(w.township_staff, start="2026-05-01", end="2026-04-01")
    assert backwards.status_code == 400
    assert backwards.json()["error"] == "invalid"
    assert backwards.json()["field"] == "start"
    too_long = _api(w.township_staff, start="2010-01-01", end="2026-01-01")
    assert too_long.status_code == 400
    assert _api(w.township_staff, start="not-a-day").status_code in (400, 422)
    unknown = _api(w.township_staff, region="999999")
    assert unknown.status_code == 400 and unknown.json()["error"] == "unknown_region"


def test_the_page_shows_the_figures_and_its_errors(rows):
    w = rows.w
    client = _client(w.township_staff)
    page = client.get("/community/figures/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="place-row" data-code="630202100001" data-repairs="4"' in html
    assert "80.0%" in html  # patrol completion
    assert "乐都区西关华苑物业服务有限公司" in html
    bad = client.get("/community/figures/", {"start": "2026-05-01", "end": "2026-04-01"})
    assert bad.status_code == 400
    assert 'data-testid="figures-error"' in bad.content.decode()
    assert client.get("/community/figures/export.xlsx", {"start": "x"}).status_code == 400


def test_the_excel_opens_and_its_cells_are_safe(rows):
    from gongzhi.regions.models import Region

    w = rows.w
    # A place whose name would run as a formula in a spreadsheet.
    Region.objects.filter(pk=w.regions.xiguan.pk).update(name="=HYPERLINK(1)")
    response = _client(w.township_staff).get("/community/figures/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    places = book.worksheets[0]
    labels = [row[0].value for row in places.iter_rows(min_row=2)]
    assert "'=HYPERLINK(1)" in labels
    values = {row[0].value: [c.value for c in row] for row in places.iter_rows(min_row=2)}
    assert values["'=HYPERLINK(1)"][1] == 4  # repairs
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and cell.value.startswith("="))
    scores = book.worksheets[1]
    assert scores.cell(row=2, column=1).value == "乐都区西关华苑物业服务有限公司"
    assert scores.cell(row=2, column=3).value == 88.5
