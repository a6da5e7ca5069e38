"""Public-safety figures: the police's monthly criminal and public-order case counts per
township, imported from their workbook and shown beside the platform's own figures.

**The file.** One sheet, one township and month a row, the header row in Chinese (the
police's own words; English headers are accepted too): 月份 | 乡镇(街道)代码 | 乡镇(街道)名称 |
刑事案件 | 治安案件, and optionally 电信网络诈骗 | 盗窃. ``template_workbook`` writes it with an
example row and a notes sheet. Columns are found by their header, so their order does not
matter.

**Every row is checked**: the month readable (2026-11, 2026/11, 2026年11月, 202611 or a date
cell) and not in the future; the township given by its code, or by its name within the
uploader's area (both: they must agree); the township within the uploader's area; the
counts whole numbers, not negative; no township twice for a month in the file. Any problem
and nothing is imported: every problem is listed by row and column (``ImportRefused``).
A good file replaces the figures it names (a township's month imported again) in one
transaction, and is audited.

**Who**: administrators, leaders and the staff of command centres import, within their
area; the staff desks (and command-centre staff) see the figures of their area.
``import_path`` is the system's import (``gongzhi command safety FILE``): every township.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from gongzhi.core.sheets import safe_sheet

try:
    from python_calamine import CalamineWorkbook
except ImportError:  # openpyxl reads the same files, more slowly
    CalamineWorkbook = None

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.accounts.roles import STAFF_DESK
from gongzhi.core import audit
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Region, RegionLevel

from .models import PublicSafetyFigure

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000  # a year of every township of a province
MAX_MONTHS = 36  # the longest period shown at once (as command.figures allows)
COUNTS = ("criminal", "public_order", "fraud", "theft")


class SafetyError(ServiceError):
    pass


# -- the file's format -----------------------------------------------------------------------
# The headers are the file's format, exchanged with the police in Chinese whatever the
# language of the page; the English words are accepted too.


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    english: str
    example: object
    width: int = 14
    required: bool = False


COLUMNS = (
    Column("month", "月份", "month", "2026-11", 10, True),
    Column("code", "乡镇(街道)代码", "township code", "630202100", 18),
    Column("name", "乡镇(街道)名称", "township name", "碾伯镇", 16),
    Column("criminal", "刑事案件", "criminal cases", 12, 10, True),
    Column("public_order", "治安案件", "public-order cases", 30, 10, True),
    Column("fraud", "电信网络诈骗", "telecom fraud", 3, 12),
    Column("theft", "盗窃", "theft", 4, 8),
)
BY_KEY = {c.key: c for c in COLUMNS}


def _header_key(text) -> str:
    """A header as typed → a comparable word: no spaces, brackets or marks."""
    return re.sub(r"[\s()（）*＊:：/]", "", str(text or "")).lower()


HEADERS = {_header_key(w): c.key for c in COLUMNS for w in (c.header, c.english, c.key)}
HEADERS.update(
    {
        _header_key(w): k
        for w, k in [
            ("乡镇代码", "code"),
            ("乡镇（街道）代码", "code"),
            ("街道代码", "code"),
            ("乡镇", "name"),
            ("乡镇名称", "name"),
            ("乡镇（街道）", "name"),
            ("刑事案件数", "criminal"),
            ("刑事立案", "criminal"),
            ("治安案件数", "public_order"),
            ("电信诈骗", "fraud"),
            ("盗窃案件", "theft"),
        ]
    }
)


def template_workbook(rows: list[dict] | None = None) -> bytes:
    """The workbook to fill in: the header, ``rows`` (default: one example row) and a notes
    sheet. The demo fills it with its figures, so it goes through the same import."""
    book = Workbook()
    sheet = safe_sheet(book.active)
    sheet.title = "治安数据"
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    # Codes and months as text: Excel would turn 630202100 into 6.3E+08, 2026-11 into a date.
    for letter in ("A", "B"):
        sheet.column_dimensions[letter].number_format = "@"
    if rows is None:
        rows = [{c.key: c.example for c in COLUMNS}]
    for row in rows:
        sheet.append([row.get(c.key) for c in COLUMNS])
    notes = book.create_sheet("填写说明")
    for line in [
        _("One row a township and month; the first row is the header: keep its words."),
        _("Month: as 2026-11 (or 2026年11月). Not a month still to come."),
        _(
            "Township: its code, or its name within your area; if both are given they must "
            "name the same township."
        ),
        _("刑事案件 and 治安案件: whole numbers, 0 or more; both required."),
        _("电信网络诈骗 and 盗窃 (within the criminal cases): optional, empty if not counted."),
        _("A township's month imported again replaces its figures."),
        _("Any problem and nothing is imported: every problem is listed by row and column."),
    ]:
        notes.append([str(line)])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- what comes out --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int  # the sheet's row number (1 is the header)
    column: str  # its letter, "" for the whole row
    header: str
    message: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "message": self.message,
        }


class ImportRefused(SafetyError):
    """The file has problems: nothing was imported. ``problems`` lists every one."""

    def __init__(self, problems: list[Problem], rows: int):
        self.problems, self.rows = problems, rows
        super().__init__(
            "import_problems",
            _("%(n)d row(s) have problems: nothing was imported.") % {"n": self.bad_rows},
            "file",
        )

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})


@dataclass
class Imported:
    rows: int
    created: int
    replaced: int
    months: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "imported": self.rows,
            "created": self.created,
            "replaced": self.replaced,
            "months": self.months,
        }


# -- who ---------------------------------------------------------------------------------------


def _command_staff(scope) -> bool:
    return any(p.kind == OrganisationKind.COMMAND_CENTRE for p in scope.posts)


def may_view(user) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.roles & STAFF_DESK) or _command_staff(scope)


def may_import(user) -> bool:
    scope = scope_for(user)
    return (
        scope.everything
        or bool(scope.roles & {Role.LEADER, Role.ADMINISTRATOR})
        or _command_staff(scope)
    )


def check_may_view(*, viewer) -> None:
    if not may_view(viewer):
        raise NotAllowed("not_permitted", _("You may not see the public-safety figures."))


def check_may_import(*, actor) -> None:
    if not may_import(actor):
        raise NotAllowed(
            "not_permitted",
            _(
                "Only leaders, command-centre staff and administrators import public-safety figures."
            ),
        )


# -- reading -----------------------------------------------------------------------------------

_MONTH_RE = re.compile(
    r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))(?:\s*[-/.]\s*\d{1,2}\s*日?)?$"
)


def parse_month(value) -> dt.date:
    """A cell's month (its first day). Raises ValueError when it is not one."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 190001 <= value <= 209912 and float(value).is_integer():  # 202611
            year, month = divmod(int(value), 100)
            return dt.date(year, month, 1)
        if 1 <= value < 80_000:  # an Excel date serial
            return from_excel(value).date().replace(day=1)
        raise ValueError(value)
    match = _MONTH_RE.match(str(value).strip())
    if not match:
        raise ValueError(value)
    return dt.date(int(match.group(1)), int(match.group(2) or match.group(3)), 1)


def _count(value) -> int | None:
    """A cell's count; None when empty. Raises ValueError when not a whole number ≥ 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        value = int(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValueError(value)
        value = int(text)
    if not isinstance(value, int) or value < 0:
        raise ValueError(value)
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed in a cell not formatted as text
    return " ".join(str(value).split())


def _sheet_rows(content: bytes) -> list:
    if CalamineWorkbook is not None:
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(content))
            return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception:  # noqa: BLE001 (not a workbook calamine reads: openpyxl says why)
            pass
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a file that is no workbook
        raise SafetyError(
            "invalid_file", _("The file is not an Excel workbook (.xlsx)."), "file"
        ) from error
    try:
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


@dataclass
class _Row:
    line: int
    month: dt.date
    township: Region
    counts: dict


class _Townships:
    """Every township by code (to tell "no such township" from "not yours"), and the
    uploader's by name."""

    def __init__(self, actor):
        self.scope = scope_for(actor) if actor is not None else None
        townships = Region.objects.filter(level=RegionLevel.TOWNSHIP).only(
            "id", "code", "name", "path"
        )
        self.by_code = {t.code: t for t in townships}
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        for t in self.by_code.values():
            if self.mine(t):
                self.by_name[t.name].append(t)

    def mine(self, township: Region) -> bool:
        return self.scope is None or self.scope.covers_region_path(township.path)


def check_file(*, content: bytes, actor) -> tuple[list[_Row], list[Problem], int]:
    """The good rows, every problem and the number of rows read (``actor`` None: the
    system, every township)."""
    rows = _sheet_rows(content)
    problems: list[Problem] = []
    header = rows[0] if rows else []
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        key = HEADERS.get(_header_key(text))
        if key and key not in positions:
            positions[key] = index
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if "code" not in positions and "name" not in positions:
        missing.insert(1, f"{BY_KEY['code'].header}/{BY_KEY['name'].header}")
    if missing:
        message = _("The header row lacks the column(s): %(columns)s. Use the template.")
        problems.append(Problem(1, "", "", message % {"columns": "、".join(missing)}))
        return [], problems, 0
    letters = {k: get_column_letter(i + 1) for k, i in positions.items()}
    townships = _Townships(actor)
    this_month = timezone.localdate().replace(day=1)
    seen: dict[tuple, int] = {}
    good: list[_Row] = []
    count = 0
    for line, cells in enumerate(rows[1:], start=2):
        values = {k: (cells[i] if i < len(cells) else None) for k, i in positions.items()}
        if all(v is None or str(v).strip() == "" for v in values.values()):
            continue  # an empty line
        count += 1
        if count > MAX_ROWS:
            message = _("At most %(n)d rows a file: split it.") % {"n": MAX_ROWS}
            problems.append(Problem(line, "", "", message))
            break
        found: list[Problem] = []

        def problem(key, message, line=line, found=found):
            found.append(Problem(line, letters.get(key, ""), BY_KEY[key].header, str(message)))

        month = None
        if values.get("month") in (None, ""):
            problem("month", _("Give the month, as 2026-11."))
        else:
            try:
                month = parse_month(values["month"])
            except (ValueError, OverflowError):
                problem(
                    "month",
                    _("“%(value)s” is not a month: write it as 2026-11.")
                    % {"value": _text(values["month"])},
                )
            else:
                if month > this_month:
                    problem("month", _("%(month)s has not come yet.") % {"month": f"{month:%Y-%m}"})
        township = _township(values, townships, problem)
        counts = {}
        for key in COUNTS:
            if key not in positions:
                counts[key] = None
                continue
            try:
                counts[key] = _count(values[key])
            except (ValueError, TypeError):
                problem(
                    key,
                    _("“%(value)s” is not a whole number of 0 or more.")
                    % {"value": _text(values[key])},
                )
                continue
            if counts[key] is None and BY_KEY[key].required:
                problem(key, _("Give the number (0 if none)."))
        if month and township:
            earlier = seen.get((month, township.pk))
            if earlier:
                problem(
                    "code" if "code" in positions else "name",
                    _("%(township)s's %(month)s is also in row %(row)d.")
                    % {"township": township.name, "month": f"{month:%Y-%m}", "row": earlier},
                )
            else:
                seen[(month, township.pk)] = line
        if found:
            problems.extend(found)
        else:
            good.append(_Row(line, month, township, counts))
    if not count:
        problems.append(Problem(2, "", "", _("The file has no rows to import.")))
    return good, problems, count


def _township(values, townships: _Townships, problem) -> Region | None:
    code, name = _text(values.get("code")), _text(values.get("name"))
    if code:
        township = townships.by_code.get(code)
        if township is None:
            problem("code", _("There is no township with the code “%(value)s”.") % {"value": code})
            return None
        if name and name != township.name:
            message = _("The code %(code)s is %(township)s, not %(name)s.")
            problem("name", message % {"code": code, "township": township.name, "name": name})
            return None
    elif name:
        matches = townships.by_name.get(name, [])
        if len(matches) > 1:
            message = _("Several townships in your area are called %(name)s: give its code.")
            problem("name", message % {"name": name})
            return None
        if not matches:
            message = _("There is no township called “%(name)s” in your area.")
            problem("name", message % {"name": name})
            return None
        township = matches[0]
    else:
        problem("code", _("Give the township's code or name."))
        return None
    if not townships.mine(township):
        message = _("%(township)s (%(code)s) is not in your area.")
        problem(
            "code" if code else "name", message % {"township": township.name, "code": township.code}
        )
        return None
    return township


# -- writing -----------------------------------------------------------------------------------


def do_import(*, content: bytes, actor, source_name: str = "") -> Imported:
    """All rows or none: raises ``ImportRefused`` with every problem, else writes them all,
    replacing the figures of the townships' months the file names."""
    if actor is not None:
        check_may_import(actor=actor)
    if len(content) > MAX_BYTES:
        raise SafetyError("too_large", _("The file is larger than 5 MB: split it."), "file")
    rows, problems, count = check_file(content=content, actor=actor)
    if problems:
        raise ImportRefused(problems, count)
    now = timezone.now()
    by_month: dict[dt.date, list[int]] = defaultdict(list)
    for row in rows:
        by_month[row.month].append(row.township.pk)
    with transaction.atomic():
        replaced = 0
        for month, township_ids in by_month.items():
            for start in range(0, len(township_ids), 500):  # SQLite's parameter limit
                chunk = township_ids[start : start + 500]
                replaced += PublicSafetyFigure.objects.filter(
                    month=month, township_id__in=chunk
                ).delete()[0]
        PublicSafetyFigure.objects.bulk_create(
            [
                PublicSafetyFigure(
                    month=row.month,
                    township=row.township,
                    region_path=row.township.path,
                    source_name=source_name[:200],
                    imported_by=actor,
                    imported_at=now,
                    **row.counts,
                )
                for row in rows
            ],
            batch_size=500,
        )
        audit.record(
            actor=actor,
            action="import",
            reason=f"public-safety figures ({len(rows)} rows, {source_name})"[:200],
        )
    return Imported(
        rows=len(rows),
        created=len(rows) - replaced,
        replaced=replaced,
        months=sorted(f"{m:%Y-%m}" for m in by_month),
    )


def import_path(path: str) -> dict:
    """``gongzhi command safety FILE``: the system's import, every township."""
    try:
        with open(path, "rb") as file:
            content = file.read()
    except OSError as error:
        return {"imported": 0, "error": _("The file cannot be read: %(e)s") % {"e": error}}
    try:
        return do_import(content=content, actor=None, source_name=os.path.basename(path)).as_dict()
    except ImportRefused as refused:
        return {
            "imported": 0,
            "rows": refused.rows,
            "bad_rows": refused.bad_rows,
            "problems": [p.as_dict() for p in refused.problems],
        }
    except ServiceError as error:  # not a workbook, too large
        return {"imported": 0, "error": error.message}


# -- reading the figures -----------------------------------------------------------------------


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    start = add_months(today.replace(day=1), -11)
    return start, today


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    first, last = start.replace(day=1), end.replace(day=1)
    months = []
    while first <= last:
        months.append(first)
        first = add_months(first, 1)
    return months


def region_for(*, viewer, code: str | None) -> Region | None:
    """The region a code names, if the viewer may see it (None: all they may see)."""
    code = (code or "").strip()
    if not code:
        return None
    region = Region.objects.visible_to(viewer).filter(code=code).first()
    if region is None:
        raise NotFound(
            "not_found", _("There is no region %(code)s in your area.") % {"code": code}, "region"
        )
    if region.level == RegionLevel.COMMUNITY:
        raise SafetyError(
            "invalid", _("The figures are by township: choose a township or above."), "region"
        )
    return region


def _check_period(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise SafetyError("invalid", _("The period's start is after its end."), "start")
    if len(months_between(start, end)) > MAX_MONTHS:
        message = _("At most %(n)d months at once.") % {"n": MAX_MONTHS}
        raise SafetyError("invalid", message, "start")


def _sum(values) -> int | None:
    given = [v for v in values if v is not None]
    return sum(given) if given else None


def _platform_reported(*, viewer, region, start, end) -> dict[str, int] | None:
    """The platform's own reports a month in the same area (command.figures), or None when
    they cannot be had."""
    try:
        from . import figures
    except ImportError:  # the figures are not there yet (a checkout being built)
        return None
    try:
        rows = figures.breakdown(viewer=viewer, region=region, start=start, end=end, by="month")
    except ServiceError:
        return None
    out = {}
    for row in rows:
        key = row.get("key")
        key = f"{key:%Y-%m}" if isinstance(key, dt.date) else str(key)[:7]
        out[key] = row.get("reported") or 0
    return out


def figures_for(*, viewer, region: Region | None = None, start: dt.date, end: dt.date) -> dict:
    """The figures of the viewer's townships inside ``region`` for the months from start to
    end (both included): per township and month, the totals a month beside the platform's
    reports, and each township's change from the month before the last."""
    check_may_view(viewer=viewer)
    _check_period(start, end)
    months = months_between(start, end)
    figures = PublicSafetyFigure.objects.visible_to(viewer).filter(
        month__gte=months[0], month__lte=months[-1]
    )
    if region is not None:
        figures = figures.filter(region_path__startswith=region.path)
    # Values, not rows: a township row carries its whole boundary.
    figures = figures.order_by("region_path", "month").values(
        "month", "township_id", "township__code", "township__name", *COUNTS
    )
    keys = [f"{m:%Y-%m}" for m in months]
    towns: dict[int, dict] = {}
    by_month: dict[str, list] = defaultdict(list)
    for f in figures:
        town = towns.setdefault(
            f["township_id"],
            {"code": f["township__code"], "name": f["township__name"], "months": {}},
        )
        key = f"{f['month']:%Y-%m}"
        town["months"][key] = {k: f[k] for k in COUNTS}
        by_month[key].append(f)
    platform = _platform_reported(viewer=viewer, region=region, start=months[0], end=end)
    totals = []
    for key in keys:
        rows = by_month.get(key, [])
        totals.append(
            {
                "month": key,
                "townships": len(rows),
                **{k: _sum(f[k] for f in rows) if rows else None for k in COUNTS},
                "platform_reported": platform.get(key, 0) if platform is not None else None,
            }
        )
    table = []
    for town in towns.values():
        cells = [town["months"].get(key) for key in keys]
        given = [c for c in cells if c]
        last, before = (given[-1], given[-2]) if len(given) >= 2 else (None, None)
        change = None
        if last and before:
            was = before["criminal"] + before["public_order"]
            now = last["criminal"] + last["public_order"]
            change = (now - was) / was if was else None
        table.append(
            {
                "code": town["code"],
                "name": town["name"],
                "cells": cells,
                **{k: _sum(c[k] for c in given) for k in COUNTS},
                "change": change,
                "change_pct": round(abs(change) * 100) if change is not None else None,
            }
        )
    return {
        "region": region,
        "start": start,
        "end": end,
        "months": keys,
        "totals": totals,
        "townships": table,
        "rows": [
            {"month": key, "township_code": t["code"], "township_name": t["name"], **cell}
            for t in table
            for key, cell in zip(keys, t["cells"], strict=True)
            if cell
        ],
        "platform_available": platform is not None,
    }


def regions_to_choose(viewer) -> list[Region]:
    """The city, counties and townships a viewer may pick on the page."""
    levels = [RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
    return list(
        Region.objects.visible_to(viewer)
        .filter(level__in=levels)
        .only("code", "name", "level", "path")
        .order_by("path")
    )
