"""The monthly report (月报): made for the city and each county from the rollups, its PDF and
workbook saying exactly what the figures API says for that region and month, stored,
listed within each reader's scope, sent to the leaders, made again in place; the job makes
it on the month's first working day, once."""

import datetime as dt
import io
import json
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from gongzhi.accounts.models import Organisation, Role
from gongzhi.command import reports, rollups
from gongzhi.command.models import MonthlyReport
from gongzhi.demo import cases as demo_cases
from gongzhi.notify.models import Notification
from gongzhi.regions.models import Grid
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONTH = dt.date(2026, 10, 1)
NUMBERS = ("reported", "closed", "open", "overdue", "returned")
RATES = ("response_rate", "resolution_rate", "satisfaction_rate")


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def as_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def month(world, settings, tmp_path):
    """October 2026 in the world: a history of cases reported that month (and some in
    September, for 环比), counted into the rollups; a leader for each county."""
    settings.MEDIA_ROOT = tmp_path / "media"
    w = world
    grids = Grid.objects.all()
    demo_cases.generate(count=40, grids=grids, now=local(2026, 10, 1), days=20, seed=3)
    demo_cases.generate(
        count=90, grids=grids, now=local(2026, 11, 1), days=31, seed=5, key_prefix="oct-"
    )
    rollups.rebuild()
    w.ledu_leader = UserFactory(
        organisation=Organisation.objects.get(code="630202"), role=Role.LEADER, head=True
    )
    w.pingan_leader = UserFactory(
        organisation=Organisation.objects.get(code="630203"), role=Role.LEADER, head=True
    )
    w.media = settings.MEDIA_ROOT
    return w


def lines_of(pdf: bytes) -> list[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def has_row(lines: list[str], row: list[str]) -> bool:
    """Whether the table row's cells follow one another in the PDF's text."""
    n = len(row)
    return any(lines[i : i + n] == row for i in range(len(lines) - n + 1))


def fonts_of(pdf: bytes) -> list[tuple[str, bool]]:
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = described["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found


def printed(row: dict) -> list[str]:
    return [str(row[k]) for k in NUMBERS] + [
        "—" if row[k] is None else f"{row[k] * 100:.1f}%" for k in RATES
    ]


def api_get(client, path: str, **params):
    """What the figures API says for MONTH (the screen reads the same functions)."""
    params = {"start": "2026-10-01", "end": "2026-10-31", **params}
    response = client.get(f"/api/v1/command/figures{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


def summary_rows(compared: dict) -> list[list[str]]:
    """The PDF's summary table as the API's figures print: a measure, this month, the
    previous month, 环比, the same month last year, 同比."""
    with translation.override("zh-hans"):
        return [
            [
                str(reports.LABELS[k]),
                reports.shown(compared["current"], k),
                reports.shown(compared["previous"], k),
                reports.change(compared["change"].get(k, {}).get("previous")),
                reports.shown(compared["last_year"], k),
                reports.change(compared["change"].get(k, {}).get("last_year")),
            ]
            for k in (*NUMBERS, *RATES)
        ]


def test_the_month_s_reports_reconcile_with_the_api_and_reach_the_leaders(
    month, django_capture_on_commit_callbacks
):
    w = month
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        result = reports.produce(month="2026-10", now=local(2026, 11, 2, 9))
    took = time.perf_counter() - started
    print(f"\nproduce(): {took:.2f} s, {result}")
    assert result["made"] == 3  # 海东市, 乐都区, 平安区
    ledu = MonthlyReport.objects.get(month=MONTH, region__code="630202")
    assert ledu.sent_at is not None

    # What the API says for 乐都区 in October is what the PDF and the workbook say.
    api = as_client(w.admin)
    compared = api_get(api, "", region="630202")
    summary = compared["current"]
    rows = api_get(api, "/breakdown", region="630202", by="region")
    assert summary["reported"] > 0 and compared["previous"]["reported"] > 0
    assert [r["label"] for r in rows] == ["碾伯镇", "高庙镇"]
    pdf = Path(ledu.pdf.path).read_bytes()
    lines = lines_of(pdf)
    assert "乐都区" in lines[0] and "2026" in lines[0]
    for row in summary_rows(compared):
        assert has_row(lines, row), row
    for row in rows:
        assert has_row(lines, [row["label"], *printed(row)]), row
    book = load_workbook(io.BytesIO(Path(ledu.xlsx.path).read_bytes()))
    cells = {r[0]: r[1:] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    for row in rows:
        assert list(cells[row["label"]]) == [row[k] for k in (*NUMBERS, *RATES)]
    glance = {r[0]: r[1] for r in book.worksheets[0].iter_rows(min_row=3, values_only=True)}
    assert list(glance.values())[: len(NUMBERS)] == [summary[k] for k in NUMBERS]
    # Real text in an embedded subset of Noto CJK: no font left to the reader's machine.
    fonts = fonts_of(pdf)
    assert fonts and all(embedded for _name, embedded in fonts)
    assert all("Noto" in name and "CJK" in name for name, _embedded in fonts)
    # The stored figures are what the files were made from, and what the API gives.
    detail = api.get(f"/api/v1/command/reports/{ledu.pk}").json()
    assert detail["region"] == "630202" and detail["month"] == "2026-10"
    assert detail["figures"]["compare"]["current"]["reported"] == summary["reported"]

    # Each leader hears of the report of their own area; the city's leader of the city's.
    def sent(user):
        return list(Notification.objects.filter(recipient=user, kind="command.monthly_report"))

    (ledu_note,) = sent(w.ledu_leader)
    assert ledu_note.link == f"/command/reports/{ledu.pk}/"
    (pingan_note,) = sent(w.pingan_leader)
    assert pingan_note.link != ledu_note.link
    (city_note,) = sent(w.leader)
    city = MonthlyReport.objects.get(month=MONTH, region__code="630200")
    assert city_note.link == f"/command/reports/{city.pk}/"
    assert not sent(w.handler) and not sent(w.resident)

    # 乐都区's leader lists and reads 乐都区's report only; 平安区's leader cannot reach it.
    mine = as_client(w.ledu_leader)
    listed = mine.get("/api/v1/command/reports").json()
    assert [r["region"] for r in listed["items"]] == ["630202"]
    page = mine.get("/command/reports/")
    assert page.status_code == 200 and page.content.decode().count('data-testid="report-row"') == 1
    assert mine.get(f"/command/reports/{ledu.pk}/").status_code == 200
    download = mine.get(f"/command/reports/{ledu.pk}/pdf/")
    assert download.status_code == 200 and download.content == pdf
    theirs = as_client(w.pingan_leader)
    assert theirs.get(f"/api/v1/command/reports/{ledu.pk}").status_code == 404
    assert theirs.get(f"/command/reports/{ledu.pk}/").status_code == 404
    assert theirs.get(f"/command/reports/{ledu.pk}/xlsx/").status_code == 404
    assert as_client(w.resident).get("/api/v1/command/reports").status_code == 403

    # Made again: the same rows, new files, the old ones gone.
    old = Path(ledu.pdf.path)
    with django_capture_on_commit_callbacks(execute=True):
        reports.produce(month="2026-10", now=local(2026, 11, 3, 9))
    assert MonthlyReport.objects.filter(month=MONTH).count() == 3
    ledu.refresh_from_db()
    assert Path(ledu.pdf.path).exists() and not old.exists()
    assert len(list(Path(w.media).rglob("*.pdf"))) == 3


def test_the_job_makes_them_on_the_first_working_day_once(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # 2026-10-01..07 is the National Day holiday: October's first working day is the 8th.
    assert reports.tick(now=local(2026, 10, 1, 9))["made"] == 0
    assert reports.tick(now=local(2026, 10, 7, 23))["made"] == 0
    assert not MonthlyReport.objects.exists()
    assert reports.tick(now=local(2026, 10, 8, 0, 5))["made"] == 3
    assert set(MonthlyReport.objects.values_list("month", flat=True)) == {dt.date(2026, 9, 1)}
    made = dict(MonthlyReport.objects.values_list("pk", "created_at"))
    assert reports.tick(now=local(2026, 10, 8, 0, 10))["made"] == 0
    assert reports.tick(now=local(2026, 10, 20, 9))["made"] == 0
    assert dict(MonthlyReport.objects.values_list("pk", "created_at")) == made


def test_administrators_make_a_month_now_and_bad_input_changes_nothing(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = world
    admin = as_client(w.admin)
    for bad in ("2026-13", "soon", f"{timezone.localdate():%Y-%m}"):
        response = admin.post("/command/reports/make/", {"month": bad}, follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"])[0].level_tag == "error"
    response = admin.post(
        "/command/reports/make/", {"month": "2026-09", "region": "630202100"}, follow=True
    )
    assert list(response.context["messages"])[0].level_tag == "error"  # a township
    assert not MonthlyReport.objects.exists()
    assert (
        as_client(w.dispatcher).post("/command/reports/make/", {"month": "2026-09"}).status_code
        == 403
    )
    assert not MonthlyReport.objects.exists()

    response = admin.post(
        "/command/reports/make/", {"month": "2026-09", "region": "630203"}, follow=True
    )
    assert list(response.context["messages"])[0].level_tag == "success"
    (report,) = MonthlyReport.objects.all()
    assert report.region.code == "630203" and report.month == dt.date(2026, 9, 1)
    assert 'data-testid="report-row"' in response.content.decode()

    # The same by hand on the command line.
    out = StringIO()
    call_command("command", "report", "--month", "2026-08", stdout=out)
    assert json.loads(out.getvalue())["made"] == 3


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leader_opens_the_report_from_the_inbox_in_chromium(
    chromium, live_server, settings, tmp_path
):
    """An administrator makes 平安区's September report from the reports page; its leader
    finds it in the inbox, reads its page and downloads the PDF."""
    from tests.web.phone import log_in
    from tests.world import build

    settings.MEDIA_ROOT = tmp_path / "media"
    w = build()
    leader = UserFactory(
        organisation=Organisation.objects.get(code="630203"), role=Role.LEADER, head=True
    )

    def browser(user):
        context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, user.username, w.password)
        return context, page

    context, page = browser(w.admin)
    page.goto(live_server.url + "/command/reports/")
    page.fill("[data-testid=make-month]", "2026-09")
    page.select_option("[data-testid=make-region]", "630203")
    page.click("[data-testid=make-now]")
    page.wait_for_selector("[data-testid=report-row][data-region='630203']")
    context.close()

    context, page = browser(leader)
    page.goto(live_server.url + "/notify/")
    page.click(".notify-title")
    page.wait_for_selector("[data-testid=report-page]")
    assert "平安区" in page.inner_text("h1")
    assert page.locator("[data-testid=report-by_region] tbody tr").count() == 1  # 平安镇
    with page.expect_download() as download:
        page.click("[data-testid=download-pdf]")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    context.close()
