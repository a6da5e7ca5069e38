"""The hall's figures as an Excel workbook (openpyxl): the same numbers the page and the
API show, one row per place. Nothing personal is written."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

PERCENT = "0.0%"


def columns() -> list[tuple[str, str, str | None]]:
    """(key, heading, number format) of each column, as the page shows them."""
    return [
        ("topics_raised", _("Topics raised"), None),
        ("topics_reached_threshold", _("Reached the support threshold"), None),
        ("answered_in_time", _("Answered in time"), None),
        ("answered_in_time_share", _("Share answered in time"), PERCENT),
        ("topics_decided", _("Topics decided"), None),
        ("decisions", _("Decisions resolved"), None),
        ("implementations_due", _("Implementations due"), None),
        ("implemented_on_time", _("Implemented on time"), None),
        ("implemented_on_time_share", _("Share implemented on time"), PERCENT),
        ("households", _("Households"), None),
        ("households_taking_part", _("Households taking part"), None),
        ("participation", _("Participation"), PERCENT),
    ]


def workbook(data: dict) -> bytes:
    cols = columns()
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Places"))
    sheet.append([str(_("Area")), *[str(h) for _k, h, _f in cols]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in [data["total"], *data["places"]]:
        sheet.append([row["label"], *[row[k] for k, _h, _f in cols]])
        for (_k, _h, fmt), cell in zip(cols, sheet[sheet.max_row][1:], strict=True):
            if fmt and cell.value is not None:
                cell.number_format = fmt
    sheet.column_dimensions["A"].width = 22
    states = book.create_sheet(str(_("Matters by state")))
    states.append([str(_("Area")), *[label for _v, label in data["states"]]])
    for row in [data["total"], *data["places"]]:
        states.append([row["label"], *[row["matters_by_state"][v] for v, _l in data["states"]]])
    info = book.create_sheet(str(_("About")))
    info.append([str(_("Area")), data["total"]["label"]])
    info.append([str(_("From")), data["start"]])
    info.append([str(_("Until")), data["end"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
