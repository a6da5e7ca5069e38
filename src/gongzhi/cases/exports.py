"""Excel (.xlsx) exports of what the consoles show: the queue as filtered, and the rates.

The rows come from the same scoped querysets and figures as the pages, so an export never
holds a case its viewer could not open. Nothing personal is exported (no reporter, phone or
address; the phone numbers and house addresses a reporter typed into a title are masked):
the columns are those of the queue. Every value goes through ``core.sheets`` (no formula,
no control character). openpyxl writes in write-only mode, streaming
rows instead of keeping a cell object for each. The queue's workbook (up to MAX_ROWS cases)
is written into a temporary file that the response streams, so its size never sits in
memory: the rows come from the database in chunks, the sheet goes to openpyxl's own
temporary file, and the zip is written to disk.
"""

from __future__ import annotations

import io
import tempfile
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from gongzhi.accounts.masking import mask_personal_in_text
from gongzhi.core.sheets import safe_cell, safe_sheet

from .choices import Channel, State

MAX_ROWS = 20_000  # more is refused: narrow the filters (an export is a report, not a dump)
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHEN = "yyyy-mm-dd hh:mm"
PERCENT = "0.0%"


def _local(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: write the local time the pages show, without its zone.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _header(sheet, titles: list[str]) -> None:
    bold = Font(bold=True)
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _cell(sheet, value, number_format: str | None = None):
    cell = WriteOnlyCell(sheet, value=safe_cell(value))
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _spool(book: Workbook):
    """The workbook in a temporary file, read from its start (deleted when closed)."""
    out = tempfile.TemporaryFile(prefix="gongzhi-export-")
    try:
        book.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def queue_workbook(cases):
    """The queue's columns, one row per case (``cases`` with category, owner and region), as
    an open temporary file for a streaming response."""
    book = Workbook(write_only=True)
    sheet = safe_sheet(book.create_sheet(_("Cases")))
    sheet.freeze_panes = "A2"
    for column, width in zip(
        "ABCDEFGHIJKLM", (22, 30, 26, 16, 10, 26, 10, 6, 17, 17, 17, 8, 8), strict=True
    ):
        sheet.column_dimensions[column].width = width
    _header(
        sheet,
        [
            _("Case number"),
            _("Title"),
            _("Category"),
            _("Place"),
            _("State"),
            _("Lead unit"),
            _("Channel"),
            _("Urgent"),
            _("Reported"),
            _("Sign for by"),
            _("Resolve by"),
            _("Overdue"),
            _("Supervised"),
        ],
    )
    yes, no = _("yes"), _("no")
    for case in cases:
        sheet.append(
            [
                case.number,
                mask_personal_in_text(case.title),
                case.category.full_name if case.category_id else "",
                case.region.name if case.region_id else "",
                str(State(case.state).label),
                case.owner.name if case.owner_id else "",
                str(Channel(case.channel).label) if case.channel in Channel.values else "",
                yes if case.is_urgent else no,
                _cell(sheet, _local(case.created_at), WHEN),
                _cell(sheet, _local(case.sign_for_due), WHEN),
                _cell(sheet, _local(case.resolve_due), WHEN),
                yes if case.is_overdue else no,
                case.supervision_count,
            ]
        )
    return _spool(book)


def rates_workbook(table, *, group_label: str, first_day: date, last_day: date) -> bytes:
    """The rates table as shown: (row, label) pairs from ``stats.rates``."""
    book = Workbook(write_only=True)
    sheet = safe_sheet(book.create_sheet(_("Rates")))
    sheet.freeze_panes = "A3"
    sheet.column_dimensions["A"].width = 34
    sheet.append(
        [
            _("Cases reported from %(first)s to %(last)s, within your scope")
            % {"first": first_day.isoformat(), "last": last_day.isoformat()}
        ]
    )
    _header(
        sheet,
        [
            group_label,
            _("Cases"),
            _("Response rate"),
            _("Responded in time"),
            _("Sign-for deadlines due"),
            _("Resolution rate"),
            _("Satisfaction rate"),
            _("Solved"),
            _("Satisfied"),
            _("Rated"),
            _("Overdue"),
        ],
    )
    for row, label in table:
        counts = row["counts"]
        sheet.append(
            [
                label,
                row["total"],
                _cell(sheet, row["response_rate"], PERCENT),
                counts["responded"],
                counts["response_base"],
                _cell(sheet, row["resolution_rate"], PERCENT),
                _cell(sheet, row["satisfaction_rate"], PERCENT),
                counts["solved"],
                counts["satisfied"],
                counts["rated"],
                row["overdue"],
            ]
        )
    return _save(book)
