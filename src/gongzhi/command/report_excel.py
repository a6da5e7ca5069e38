"""The monthly report's figures as a workbook (openpyxl): the PDF's tables, one sheet each,
numbers as numbers and rates as fractions shown in per cent, so a reader can add them up."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gongzhi.core.sheets import safe_sheet

from .reports import COUNTS, LABELS, RATES, TABLES, title_of

HEAD = Font(bold=True)
FILL = PatternFill("solid", fgColor="E8EEF5")
PERCENT = "0.0%"


def _sheet(book, title: str, head: list[str], rows: list[list], *, rates=frozenset()):
    """A sheet named ``title`` (31 characters at most, as Excel allows): a header row, the
    rows; the columns in ``rates`` shown as per cent."""
    sheet = safe_sheet(book.create_sheet(title[:31]))
    sheet.append(head)
    for c in sheet[1]:
        c.font, c.fill = HEAD, FILL
        c.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows:
        sheet.append(row)
    for column in rates:
        for c in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
            c[0].number_format = PERCENT
    sheet.column_dimensions["A"].width = 28
    for n in range(2, len(head) + 1):
        sheet.column_dimensions[get_column_letter(n)].width = 14
    sheet.freeze_panes = "B2"
    return sheet


def figure_rows(rows: list[dict]) -> list[list]:
    return [[r["label"], *(r.get(k) for k in (*COUNTS, *RATES))] for r in rows]


def render(f: dict) -> bytes:
    """The workbook for the figures ``f`` (``reports.gather``), as .xlsx bytes."""
    book = Workbook()
    book.remove(book.active)
    keys = (*COUNTS, *RATES)
    rate_columns = frozenset(range(1 + len(COUNTS), 1 + len(keys)))

    compare = f["compare"]
    changes = compare.get("change") or {}
    summary = [
        [
            str(LABELS[k]),
            compare["current"].get(k),
            compare["previous"].get(k),
            (changes.get(k) or {}).get("previous"),
            compare["last_year"].get(k),
            (changes.get(k) or {}).get("last_year"),
        ]
        for k in keys
    ]
    head = [
        _("Figure"),
        _("This month"),
        _("Previous month"),
        _("Month on month"),
        _("Same month last year"),
        _("Year on year"),
    ]
    sheet = _sheet(book, _("Summary"), head, summary, rates={3, 5})
    for n, k in enumerate(keys, start=2):  # the rates' own rows, as per cent too
        if k in RATES:
            for column in (2, 3, 5):
                sheet.cell(row=n, column=column).number_format = PERCENT
    sheet.insert_rows(1)
    sheet["A1"] = title_of(f)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.freeze_panes = "B3"

    for key, _by, title, column in TABLES:
        head = [str(column), *(str(LABELS[k]) for k in keys)]
        _sheet(book, str(title), head, figure_rows(f.get(key) or []), rates=rate_columns)
    days = [[str(d["key"])[:10], d.get("reported"), d.get("closed")] for d in f.get("by_day") or []]
    _sheet(book, _("Each day"), [_("Day"), str(LABELS["reported"]), str(LABELS["closed"])], days)
    durations = f.get("durations") or {}
    rows = [
        [_("To sign for (minutes)"), *_spread(durations.get("sign"))],
        [_("To resolve (hours)"), *_spread(durations.get("resolve"))],
    ]
    head = [_("Time taken"), _("Median"), _("90th percentile"), _("Cases counted")]
    _sheet(book, _("Time taken"), head, rows)
    disputes = f.get("disputes")
    if disputes:
        head = [_("Disputes"), _("Registered"), _("Concluded"), _("Settled"), _("Settle rate")]
        row = [_("This month"), *(disputes.get(k) for k in ("found", "concluded", "settled"))]
        _sheet(book, _("Disputes mediated"), head, [[*row, disputes.get("settle_rate")]], rates={4})

    book.properties.title = title_of(f)
    book.properties.creator = "共治 Gongzhi"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _spread(d: dict | None) -> list:
    d = d or {}
    return [d.get("median"), d.get("p90"), d.get("count")]
