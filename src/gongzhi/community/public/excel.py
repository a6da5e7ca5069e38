"""The community figures as an Excel workbook (openpyxl): the same numbers the page and the
API show, one row per place, and the companies' scores. Every cell goes through
``gongzhi.core.sheets`` (a place's or company's name is never run as a formula)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.core.sheets import safe_sheet

PERCENT = "0.0%"


def columns() -> list[tuple[str, str, str | None]]:
    """(key, heading, number format) of each column, as the page shows them."""
    return [
        ("repairs", _("Repairs"), None),
        ("responded_in_time_share", _("Responded in time"), PERCENT),
        ("finished_in_time_share", _("Finished in time"), PERCENT),
        ("satisfied_share", _("Satisfied"), PERCENT),
        ("notices", _("Notices sent"), None),
        ("deliveries", _("Households reached"), None),
        ("read_share", _("Read"), PERCENT),
        ("answered_share", _("Answered"), PERCENT),
        ("volunteers_registered", _("Volunteers registered"), None),
        ("volunteers_approved", _("Volunteers approved"), None),
        ("volunteer_hours", _("Service hours"), None),
        ("patrols", _("Patrols"), None),
        ("patrol_completion", _("Patrol completion"), PERCENT),
        ("missed", _("Checkpoints missed"), None),
        ("flagged", _("Scans flagged"), None),
        ("points_awarded", _("Points awarded"), None),
        ("points_redeemed", _("Points redeemed"), None),
        ("households_with_balance", _("Households with points"), None),
        ("ceremonies", _("Weddings and funerals registered"), None),
        ("within_caps_share", _("Within the caps"), PERCENT),
    ]


def workbook(data: dict) -> bytes:
    cols = columns()
    book = Workbook()
    sheet = safe_sheet(book.active)
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
    scores = safe_sheet(book.create_sheet(str(_("Property companies"))))
    scores.append(
        [str(_("Company")), str(_("Month")), str(_("Score")), str(_("Rank")), str(_("Repairs"))]
    )
    for c in data["companies"]:
        scores.append(
            [c["name"], c["month"].strftime("%Y-%m"), c["score"], c["rank"], c["repairs"]]
        )
    info = safe_sheet(book.create_sheet(str(_("About"))))
    info.append([str(_("Area")), data["total"]["label"]])
    info.append([str(_("From")), data["start"]])
    info.append([str(_("Until")), data["end"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
