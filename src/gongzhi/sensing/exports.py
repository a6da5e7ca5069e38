"""The cameras and devices a user sees, as Excel workbooks (openpyxl's write-only mode: rows
are streamed, not held). The columns are the import's (``imports.COLUMNS``), so an export
can be corrected and imported elsewhere, plus the status. A camera's stream address is
written only when the caller says so (an administrator's export)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from gongzhi.core.sheets import safe_sheet

from . import queries
from .imports import CAMERA_KEYS, COLUMNS, DEVICE_KEYS

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _when(value) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _placed(record) -> dict:
    return {
        "code": record.code,
        "name": record.name,
        "type": record.type.name,
        "owner": record.owner.name,
        "grid": record.grid.code if record.grid_id else "",
        "lng": record.lng,
        "lat": record.lat,
        "enabled": _yes(record.enabled),
    }


def _status(record) -> list:
    status = queries.status_of(record)
    return [
        str(queries.Status.label_of(status)),
        _when(record.last_seen_at),
        _when(record.offline_since),
    ]


def _workbook(title: str, keys: list[str], rows, extra=()) -> bytes:
    book = Workbook(write_only=True)
    sheet = safe_sheet(book.create_sheet(title))
    headers = [str(COLUMNS[k]) for k in keys]
    headers += [_("Status"), _("Last heard from"), _("Offline since"), *extra]
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for values, status in rows:
        sheet.append([values.get(k, "") for k in keys] + status)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cameras_workbook(cameras, *, streams: bool = False) -> bytes:
    keys = [k for k in CAMERA_KEYS if streams or k != "stream_url"]

    def rows():
        for c in cameras:
            values = _placed(c)
            values.update(
                direction="" if c.direction is None else c.direction,
                field_of_view=c.field_of_view,
                range_m=c.range_m,
                social=_yes(c.social),
                stream_url=c.stream_url if streams else "",
            )
            yield values, _status(c)

    return _workbook(_("Cameras"), keys, rows())


def devices_workbook(devices) -> bytes:
    def rows():
        for d in devices:
            values = _placed(d)
            values.update(address=d.address, threshold="" if d.threshold is None else d.threshold)
            yield (
                values,
                _status(d)
                + [
                    "" if d.last_value is None else d.last_value,
                    str(d.get_state_display()),
                ],
            )

    return _workbook(_("Devices"), DEVICE_KEYS, rows(), extra=(_("Last reading"), _("Alarm state")))
