"""The residents list as an Excel workbook (.xlsx), masked unless asked otherwise.

The rows are the list's rows: the same scoped queryset and filters, so a download never
holds a person the viewer could not open, nor a group they may not see. Personal data is
masked; an unmasked download shows real values only of the kinds the viewer's role may
unmask (``fields``), and the view audits it apart from the masked one. openpyxl writes in
write-only mode, streaming the rows.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from gongzhi.accounts import masking
from gongzhi.core.sheets import safe_sheet

from .choices import Registration, Relation, Sex

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY = "yyyy-mm-dd"


def _header(sheet, titles) -> None:
    bold = Font(bold=True)
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _day(sheet, value: dt.date | None):
    cell = WriteOnlyCell(sheet, value=value)
    if value is not None:
        cell.number_format = DAY
    return cell


def residents_workbook(residents, *, fields: frozenset[str] = frozenset(), address=None) -> bytes:
    """One row per resident (``residents`` as ``queries.residents`` gives them); the
    sensitive fields named in ``fields`` unmasked, the others masked; ``address(resident)``
    the address as the viewer may read it (the house's, if not given)."""
    address = address or (lambda r: r.household.house.address)
    today = timezone.localdate()
    book = Workbook(write_only=True)
    sheet = safe_sheet(book.create_sheet(_("Residents")))
    sheet.freeze_panes = "A2"
    widths = (10, 22, 15, 6, 6, 12, 12, 12, 36, 20, 16, 12, 12, 30)
    for column, width in zip("ABCDEFGHIJKLMN", widths, strict=True):
        sheet.column_dimensions[column].width = width
    _header(
        sheet,
        [
            _("Name"),
            _("ID number"),
            _("Phone"),
            _("Sex"),
            _("Age"),
            _("Relation to the head"),
            _("Registration"),
            _("Household number"),
            _("Address"),
            _("Grid"),
            _("Community or village"),
            _("Moved in"),
            _("Moved out"),
            _("Care groups"),
        ],
    )

    def shown(r, name):
        return getattr(r, name) if name in fields else masking.masked_value(r, name)

    for r in residents:
        sheet.append(
            [
                shown(r, "name"),
                shown(r, "id_number"),
                shown(r, "phone"),
                Sex.label_of(r.sex),
                r.age_on(today),
                Relation.label_of(r.relation),
                Registration.label_of(r.kind),
                r.household.number,
                address(r),
                r.grid_name or "",
                r.community_name or "",
                _day(sheet, r.moved_in),
                _day(sheet, r.moved_out),
                "、".join(m.group.name for m in r.visible_care),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
