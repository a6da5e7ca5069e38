"""The figures as an Excel workbook (openpyxl): a sheet of places, one of matter types,
the same numbers the page and the API show. Nothing personal is written."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.core.sheets import safe_sheet

PERCENT = "0.0%"


def columns(data: dict) -> list[tuple[str, str, str | None]]:
    """(key, heading, number format) of each column, as the page shows them."""
    cols = [
        ("applications", _("Applications"), None),
        ("decided", _("Decided"), None),
        ("decided_in_time", _("Decided within 7 working days"), None),
        ("decided_in_time_share", _("Share decided in time"), PERCENT),
        ("granted", _("Aid granted"), None),
        ("refused", _("Refused"), None),
        ("avg_workdays_to_decision", _("Average working days to decision"), "0.0"),
        ("assigned", _("Lawyer assigned"), None),
        ("avg_workdays_to_assignment", _("Average working days to assignment"), "0.0"),
        ("avg_rating", _("Satisfaction with aid (1–5)"), "0.00"),
    ]
    if data.get("has_questions"):
        cols += [
            ("questions", _("Questions asked"), None),
            ("answered_in_time", _("Answered within their deadline"), None),
            ("answered_in_time_share", _("Share answered in time"), PERCENT),
        ]
        if data.get("has_question_ratings"):
            cols.append(("avg_question_rating", _("Satisfaction with answers (1–5)"), "0.00"))
    return cols


def _sheet(book, title: str, first: str, rows: list[dict], cols, data) -> None:
    sheet = safe_sheet(book.create_sheet(title))
    sheet.append([first, *[str(h) for _k, h, _f in cols]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row["label"], *[row[k] for k, _h, _f in cols]])
        for (_k, _h, fmt), cell in zip(cols, sheet[sheet.max_row][1:], strict=True):
            if fmt and cell.value is not None:
                cell.number_format = fmt
    sheet.column_dimensions["A"].width = 22


def workbook(data: dict) -> bytes:
    cols = columns(data)
    book = Workbook()
    book.remove(book.active)
    area = data["total"]["label"]
    places = [data["total"], *data["places"]]
    _sheet(book, str(_("Places")), str(_("Area")), places, cols, data)
    _sheet(book, str(_("Matter types")), str(_("Matter type")), data["types"], cols, data)
    info = safe_sheet(book.create_sheet(str(_("About"))))
    info.append([str(_("Area")), str(area)])
    info.append([str(_("From")), data["start"]])
    info.append([str(_("Until")), data["end"]])
    info.append(
        [
            str(_("Counted")),
            str(
                _(
                    "Applications received and questions asked in the period, whatever has become of them since."
                )
            ),
        ]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
