"""Cameras and devices from an Excel workbook (the 雪亮工程 ledgers units keep).

One sheet, one camera or device a row, the header row in Chinese (``COLUMNS``; the template
from ``template_workbook`` has it and an instructions sheet). Columns are found by their
header, so their order does not matter. Every row is checked by the registry's own rules
(``services.check_camera`` / ``check_device``, with the importer's access), and the file
against itself (a code twice). Any problem and nothing is written: every problem is listed
by row and column (``ImportRefused.problems``). A good file is written in one transaction,
in bulk, as the service's checks returned each row; a code registered meanwhile rolls it
all back.

Type and owner unit are given by code or name; the grid by its code (empty: the grid
holding the position). A stream address may be given by administrators only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gongzhi.core import audit
from gongzhi.core.errors import ServiceError
from gongzhi.regions.models import Grid

from . import queries, services
from .models import Camera, CameraType, Device, DeviceType

MAX_BYTES = 10 * 1024 * 1024
# Each row is checked by the service (~6 queries): 1,000 rows take ~15 s on SQLite.
MAX_ROWS = 2000

COLUMNS = {
    "code": gettext_lazy("Code"),
    "name": gettext_lazy("Name"),
    "type": gettext_lazy("Type"),
    "owner": gettext_lazy("Owner unit"),
    "grid": gettext_lazy("Grid code"),
    "lng": gettext_lazy("Longitude"),
    "lat": gettext_lazy("Latitude"),
    "direction": gettext_lazy("Direction (°)"),
    "field_of_view": gettext_lazy("Field of view (°)"),
    "range_m": gettext_lazy("Range (m)"),
    "social": gettext_lazy("Social camera"),
    "stream_url": gettext_lazy("Stream address"),
    "address": gettext_lazy("Where"),
    "threshold": gettext_lazy("Own threshold"),
    "enabled": gettext_lazy("In service"),
}
CAMERA_KEYS = [
    "code", "name", "type", "owner", "grid", "lng", "lat", "direction", "field_of_view",
    "range_m", "social", "stream_url", "enabled",
]  # fmt: skip
DEVICE_KEYS = [
    "code", "name", "type", "owner", "grid", "lng", "lat", "address", "threshold", "enabled",
]  # fmt: skip
REQUIRED = ("code", "name", "type", "owner", "lng", "lat")
# A service's field and the column it is shown in, when their names differ.
FIELD_COLUMN = {"point": "lng", "region": "grid"}


@dataclass(frozen=True)
class Problem:
    row: int  # the sheet's row number (the header is row 1)
    column: str  # its letter, "" for the whole row
    header: str
    message: str


@dataclass(eq=False)
class ImportRefused(Exception):
    rows: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})


@dataclass(frozen=True)
class Imported:
    count: int


def _keys(kind: str) -> list[str]:
    return CAMERA_KEYS if kind == "camera" else DEVICE_KEYS


def template_workbook(kind: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Cameras") if kind == "camera" else _("Devices"))
    keys = _keys(kind)
    sheet.append([str(COLUMNS[k]) for k in keys])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i in range(1, len(keys) + 1):
        sheet.column_dimensions[get_column_letter(i)].width = 16
    # Codes as text: Excel would turn a 20-digit number into 6.3E+19 and lose its digits.
    sheet.column_dimensions["A"].number_format = "@"
    sheet.column_dimensions["A"].width = 24
    notes = book.create_sheet(str(_("Instructions")))
    for line in [
        _("One row a record; the first row is the header: keep its words."),
        _(
            "Type and owner unit: their code or name. Grid: its code, or empty for the grid "
            "holding the position."
        ),  # fmt: skip
        _("Longitude and latitude in WGS84 degrees."),
        _(
            "A camera's code is the 20-digit code of GB/T 28181; direction clockwise from "
            "north, empty for a camera that sees all round."
        ),  # fmt: skip
        _("Yes or no columns: 是/否 (or yes/no, 1/0)."),
        _("Any problem and nothing is imported: every problem is listed by row and column."),
    ]:
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


YES = {"是", "yes", "y", "1", "true", "在用", "√"}
NO = {"否", "no", "n", "0", "false", "停用", ""}


def _flag(value: str, default: bool) -> bool | None:
    low = value.lower()
    if not value:
        return default
    if low in YES:
        return True
    if low in NO:
        return False
    return None


def _rows(content: bytes):
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a file that is no workbook
        raise ServiceError(
            "invalid_file", _("The file is not an Excel workbook (.xlsx)."), "file"
        ) from error
    try:
        yield from book.worksheets[0].iter_rows(values_only=True)
    finally:
        book.close()


class _Lookup:
    """Types, owners and grids by code or name, read once per file."""

    def __init__(self, kind: str, actor):
        Type = CameraType if kind == "camera" else DeviceType
        self.types = {}
        for t in Type.objects.filter(enabled=True):
            self.types[t.code.lower()] = self.types[t.name.lower()] = t.pk
        self.owners = {}
        for o in queries.owners_for(actor).only("pk", "code", "name"):
            self.owners[o.name.lower()] = o.pk
            if o.code:
                self.owners[o.code.lower()] = o.pk
        self.grids = dict(Grid.objects.filter(is_active=True).values_list("code", "pk"))


def _check_row(kind, values, lookup, actor, problem) -> object | None:
    """The row's fields as the service checked them, having named every problem through
    ``problem`` (None if it has any)."""
    ok = True

    def ref(key, table, message):
        nonlocal ok
        text = values.get(key, "")
        if not text:
            return None
        found = table.get(text if key == "grid" else text.lower())
        if found is None:
            ok = False
            problem(key, message % {"value": text})
        return found

    type_id = ref("type", lookup.types, _("There is no type “%(value)s”."))
    owner_id = ref("owner", lookup.owners, _("“%(value)s” is not a unit you may register for."))
    grid_id = ref("grid", lookup.grids, _("There is no grid with the code “%(value)s”."))
    flags = {}
    for key, default in (("enabled", True), ("social", False)):
        if key in _keys(kind):
            flags[key] = _flag(values.get(key, ""), default)
            if flags[key] is None:
                ok = False
                problem(key, _("Write 是 or 否."))
    common = {
        "code": values.get("code", ""),
        "name": values.get("name", ""),
        "type_id": type_id,
        "owner_id": owner_id,
        "lng": values.get("lng") or None,
        "lat": values.get("lat") or None,
        "grid_id": grid_id,
        "enabled": bool(flags.get("enabled", True)),
    }
    if kind == "camera":
        if values.get("stream_url") and not queries.shows_streams(actor):
            ok = False
            problem("stream_url", _("Only administrators may give a stream address."))
        data = services.CameraIn(
            **common,
            direction=values.get("direction") or None,
            field_of_view=values.get("field_of_view") or None,
            range_m=values.get("range_m") or None,
            social=bool(flags.get("social")),
            stream_url=values.get("stream_url", ""),
        )
        check = services.check_camera
    else:
        data = services.DeviceIn(
            **common, address=values.get("address", ""), threshold=values.get("threshold") or None
        )
        check = services.check_device
    try:
        fields = check(data=data, actor=actor)
    except ServiceError as error:
        ok = False
        for e in error.all:
            # A reference already named as unknown is not named again as "choose one".
            if e.field in ("type", "owner", "grid") and values.get(e.field):
                continue
            problem(FIELD_COLUMN.get(e.field, e.field), e.message)
    return fields if ok else None


def check_file(*, kind: str, content: bytes, actor) -> tuple[list, ImportRefused]:
    """Every row as the service's input, and every problem found (none: it may be imported)."""
    keys = _keys(kind)
    by_header = {str(COLUMNS[k]): k for k in keys}
    rows = _rows(content)
    header = next(rows, None) or ()
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = by_header.get(_text(cell))
        if key:
            columns[key] = i
    report = ImportRefused(rows=0)
    missing = [str(COLUMNS[k]) for k in REQUIRED if k not in columns]
    if missing:
        report.problems.append(
            Problem(1, "", "", _("The header lacks: %(names)s.") % {"names": "、".join(missing)})
        )
        return [], report
    lookup = _Lookup(kind, actor)
    seen: dict[str, int] = {}
    inputs = []
    for number, raw in enumerate(rows, start=2):
        values = {k: _text(raw[i]) if i < len(raw) else "" for k, i in columns.items()}
        if not any(values.values()):
            continue
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.problems.append(
                Problem(number, "", "", _("At most %(n)d rows a file: split it.") % {"n": MAX_ROWS})
            )
            break

        def problem(key, message, number=number):
            index = columns.get(key)
            letter = get_column_letter(index + 1) if index is not None else ""
            report.problems.append(
                Problem(number, letter, str(COLUMNS.get(key, "")) if letter else "", str(message))
            )

        code = values.get("code", "")
        if code in seen:
            problem("code", _("The code is also in row %(row)d.") % {"row": seen[code]})
        elif code:
            seen[code] = number
        data = _check_row(kind, values, lookup, actor, problem)
        inputs.append((number, data))
    if not report.rows:
        report.problems.append(Problem(2, "", "", _("The file has no rows to import.")))
    return inputs, report


def do_import(*, kind: str, content: bytes, actor) -> Imported:
    """All rows or none: raises ``ImportRefused`` with every problem, else writes them all.

    The rows are written as ``services.check_*`` returned them (what ``do_add_*`` saves),
    in bulk: a thousand rows are not checked twice and inserted one by one. A code
    registered by someone else since the check fails the insert, and so the whole file."""
    inputs, report = check_file(kind=kind, content=content, actor=actor)
    if report.problems:
        raise report
    model = Camera if kind == "camera" else Device
    try:
        with transaction.atomic():
            model.objects.bulk_create([model(**fields) for _, fields in inputs], batch_size=500)
            audit.record(actor=actor, action="import", reason=f"sensing {kind}s ({len(inputs)})")
    except IntegrityError as error:
        report.problems = [
            Problem(0, "", "", _("A code in the file was registered meanwhile: upload it again."))
        ]
        raise report from error
    return Imported(count=len(inputs))
