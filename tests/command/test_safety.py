"""Public-safety figures: the police's workbook from the template, checked row by row (a bad
row and nothing is imported, every bad row listed), reimports replacing a month, each
county seeing and importing only its townships, through the pages, the API and the CLI."""

import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gongzhi.accounts.models import Organisation, Role
from gongzhi.command import safety
from gongzhi.command.models import PublicSafetyFigure
from tests.factories import UserFactory, report_case
from tests.web.phone import log_in

HEADER = ["月份", "乡镇(街道)代码", "乡镇(街道)名称", "刑事案件", "治安案件"]


def _month(n_back: int) -> str:
    return f"{safety.add_months(timezone.localdate().replace(day=1), -n_back):%Y-%m}"


def _workbook(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, content, name="治安数据.xlsx"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post("/command/safety/import/", {"file": upload})


@pytest.fixture
def county_leader(world):
    """乐都区's leader: sees and imports 乐都区's townships only."""
    return UserFactory(
        username="ledu_leader",
        display_name="乐都区长",
        organisation=Organisation.objects.get(code="630202"),
        role=Role.LEADER,
        head=True,
    )


def test_the_template_filled_in_and_uploaded_shows_the_figures_and_their_trend(
    page, world, county_leader, tmp_path
):
    log_in(page, county_leader.username, world.password)
    page.goto(page.base_url + "/command/safety/")
    page.click("[data-testid=safety-import-link]")
    with page.expect_download() as download:
        page.click("[data-testid=safety-template]")
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:5] == HEADER
    assert len(book.worksheets) == 2  # the notes
    sheet.delete_rows(2)  # the example row
    for row in [
        (_month(2), "630202100", "碾伯镇", 12, 30),
        (_month(1), "630202100", "", 9, 25),
        (_month(1), "", "高庙镇", 3, 8),
    ]:
        sheet.append(row)
    path = tmp_path / "filled.xlsx"
    book.save(path)
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=safety-import-submit]")
    page.wait_for_url("**/command/safety/")
    assert _month(2) in page.locator(".messages").inner_text()
    nianbo = page.locator("[data-township='630202100']")
    assert nianbo.locator("[data-testid=township-criminal]").inner_text() == "21"
    assert "↓" in nianbo.inner_text()  # 9 + 25 after 12 + 30
    page.wait_for_selector("[data-safety-chart][data-ready='1']")
    figure = PublicSafetyFigure.objects.get(township__code="630202101")
    assert (figure.criminal, figure.public_order, figure.imported_by) == (3, 8, county_leader)
    assert figure.source_name == "filled.xlsx"


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_bad_row(client, world, county_leader):
    client.force_login(county_leader)
    content = _workbook(
        [
            (_month(1), "630202100", "碾伯镇", 12, 30),  # 2: good
            (_month(1), "630209999", "", 1, 1),  # 3: no such township
            (_month(1), "630203100", "平安镇", 1, 1),  # 4: 平安区's, not 乐都区's
            (_month(1), "630202101", "", -2, 1),  # 5: negative
            (_month(2), "", "高庙镇", "十二", 1.5),  # 6: text and a fraction
            (_month(1), "", "碾伯镇", 4, 4),  # 7: 碾伯镇's month again
            ("上个月", "630202101", "", 1, 1),  # 8: no month
            (_month(-2), "630202101", "", 1, 1),  # 9: a month to come
            (_month(2), "630202100", "高庙镇", 1, 1),  # 10: code and name disagree
            (_month(2), "", "平安镇", 1, 1),  # 11: not a name in 乐都区
        ]
    )
    response = _upload(client, content)
    assert response.status_code == 400
    assert PublicSafetyFigure.objects.count() == 0
    problems = response.context["refused"].problems
    by_row = {}
    for p in problems:
        by_row.setdefault(p.row, []).append(p)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert {p.column for p in by_row[6]} == {"D", "E"}
    assert "2" in by_row[7][0].message  # the row it repeats
    assert "平安镇" in by_row[4][0].message
    assert response.context["refused"].bad_rows == 9
    html = response.content.decode()
    assert 'data-testid="safety-import-refused"' in html
    for row in by_row:
        assert f'data-row="{row}"' in html

    # A header without its columns, and a file that is no workbook: nothing either.
    response = _upload(client, _workbook([("x",)], header=["月份", "备注"]))
    assert "刑事案件" in response.context["refused"].problems[0].message
    response = _upload(client, b"not a workbook")
    assert response.status_code == 400
    assert 'data-testid="safety-import-error"' in response.content.decode()
    assert PublicSafetyFigure.objects.count() == 0


def test_each_county_sees_and_imports_only_its_townships(client, world, county_leader, tmp_path):
    path = tmp_path / "公安.xlsx"
    path.write_bytes(
        _workbook(
            [
                (_month(1), "630202100", "碾伯镇", 12, 30),
                (_month(1), "630202101", "高庙镇", 3, 8),
                (_month(1), "630203100", "平安镇", 5, 11),
            ]
        )
    )
    call_command("command", "safety", str(path), stdout=io.StringIO())  # the system: all three
    report_case(world, world.manhole)  # in 碾伯镇, this month: the platform's own figure

    def api(user, **params):
        client.force_login(user)
        return client.get("/api/v1/command/safety", params)

    answer = api(county_leader).json()
    assert {r["township_code"] for r in answer["rows"]} == {"630202100", "630202101"}
    month = next(m for m in answer["months"] if m["month"] == _month(1))
    assert (month["criminal"], month["public_order"], month["townships"]) == (15, 38, 2)
    this = next(m for m in answer["months"] if m["month"] == _month(0))
    assert (this["townships"], this["criminal"], this["platform_reported"]) == (0, None, 1)
    assert api(county_leader, region="630202101").json()["rows"][0]["criminal"] == 3
    refused = api(county_leader, region="630203")
    assert refused.status_code == 404 and refused.json()["field"] == "region"
    other = api(world.other_dispatcher).json()  # 平安区's command centre
    assert [r["township_name"] for r in other["rows"]] == ["平安镇"]
    everything = api(world.admin, start="2000-01-01", end=timezone.localdate().isoformat())
    assert everything.status_code == 400  # more than 36 months
    assert api(world.admin, start="2026-05-01", end="2026-04-01").status_code == 400
    assert api(world.handler).status_code == 403  # a department's handler: not theirs
    assert api(world.resident).status_code == 403

    client.force_login(county_leader)
    page = client.get("/command/safety/").content.decode()
    assert "碾伯镇" in page and 'data-township="630203100"' not in page
    # 平安区's command centre may import, but not 乐都区's townships.
    client.force_login(world.other_dispatcher)
    response = _upload(client, _workbook([(_month(1), "630202100", "碾伯镇", 1, 1)]))
    assert response.status_code == 400
    assert PublicSafetyFigure.objects.get(township__code="630202100").criminal == 12
    client.force_login(world.handler)
    assert client.get("/command/safety/").status_code == 403
    assert client.get("/command/safety/import/").status_code == 403


def test_importing_a_month_again_replaces_its_figures(client, world, county_leader, tmp_path):
    client.force_login(county_leader)
    first = _workbook(
        [(_month(1), "630202100", "碾伯镇", 12, 30), (_month(2), "", "碾伯镇", 7, 20)]
    )
    assert _upload(client, first).status_code == 302
    again = _workbook([(_month(1), "630202100", "碾伯镇", 14, 31)])
    assert _upload(client, again).status_code == 302
    rows = dict(PublicSafetyFigure.objects.values_list("month", "criminal").order_by("month"))
    assert sorted(rows.values()) == [7, 14]
    # The command line says what it did, in JSON; a bad file imports nothing there too.
    path = tmp_path / "again.xlsx"
    path.write_bytes(_workbook([(_month(1), "630202100", "碾伯镇", 15, 31)]))
    out = io.StringIO()
    call_command("command", "safety", str(path), stdout=out)
    result = json.loads(out.getvalue())
    assert (result["imported"], result["replaced"], result["created"]) == (1, 1, 0)
    path.write_bytes(_workbook([(_month(1), "630202100", "碾伯镇", -1, 31)]))
    out = io.StringIO()
    call_command("command", "safety", str(path), stdout=out)
    assert json.loads(out.getvalue())["problems"][0]["row"] == 2
    assert PublicSafetyFigure.objects.get(month__month=int(_month(1)[5:])).criminal == 15
