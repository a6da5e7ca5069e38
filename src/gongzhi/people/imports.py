"""Houses, households and residents from an Excel workbook (the offices' 实有人口 lists).

One sheet, one resident a row, the header row in Chinese (``COLUMNS``; the template from
``template_workbook`` has it, with an instructions sheet and drop-down lists). Every row is
checked with the register's rules (``validation``, the ones ``services.check_resident``
applies), and the whole file against itself and the register:

* the community or village named by its code or name, within the importer's register, and
  the grid (optional) by code or name within that community;
* houses matched by address within their community (else created), households by house and
  household number (户号; else created), at most one head a household;
* an ID number neither repeated in the file nor that of a current resident.

Any problem and nothing is written: every problem is listed by row and column
(``ImportRefused.problems``). A good file is written in one transaction, in bulk and in
chunks (100,000 rows in seconds: the per-row services would take minutes), and audited.

The workbook is read by python-calamine (Rust: a sixth of openpyxl's time, the sheet's
cells held compactly outside Python) when it is installed and the sheet is of a size it
holds well in memory, else streamed by openpyxl's read-only mode; either way a row is read,
checked and kept as a few short strings.

Who may import: the staff who govern places (a community or village committee, a township,
a county government or command centre) and administrators. A grid worker adds residents one
by one on the phone.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

try:
    from python_calamine import CalamineWorkbook
except ImportError:  # openpyxl reads the same files, six times more slowly
    CalamineWorkbook = None

from gongzhi.accounts import masking
from gongzhi.core import audit
from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.core.fields import seal_row, sealed_names
from gongzhi.regions.models import Grid, Region, RegionLevel

from . import validation as v
from .access import access_for, paths_q
from .choices import HouseUse, Registration, Relation
from .models import House, Household, Resident, Stay

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 200_000
CHUNK = 2000  # rows a bulk insert writes at once
IN_CHUNK = 500  # values in one ``__in`` lookup (SQLite's parameter limit)
SHEET = "居民"
MAX_MEMO = 10_000  # distinct place names remembered while reading
# The most uncompressed sheet XML (and shared strings) calamine reads whole: about 220,000
# rows, 220 MB in memory. A larger file is streamed (and stopped at MAX_ROWS).
CALAMINE_MAX_XML = 90 * 1024 * 1024


# -- the file's format -----------------------------------------------------------------------
# The headers and choice words are the file's format, exchanged between offices in Chinese
# whatever the language of the page; English headers and the stored values are accepted too.


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    english: str
    required: bool = False
    width: int = 14
    choices: dict[str, str] = field(default_factory=dict)  # word in the file → stored value
    help: object = ""
    example: str = ""


USE_WORDS = {
    "自住": HouseUse.OWN,
    "出租": HouseUse.RENTED,
    "空置": HouseUse.VACANT,
    "经营": HouseUse.BUSINESS,
}
KIND_WORDS = {
    "户籍": Registration.REGISTERED,
    "流动": Registration.MIGRANT,
    "户籍人口": Registration.REGISTERED,
    "流动人口": Registration.MIGRANT,
}
RELATION_WORDS = {
    "户主": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "子女": Relation.CHILD,
    "父母": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD,
    "兄弟姐妹": Relation.SIBLING,
    "其他亲属": Relation.OTHER,
    "租户": Relation.TENANT,
    # Words the household register (户口簿) uses for the same relations.
    "本人": Relation.HEAD,
    "妻": Relation.SPOUSE,
    "夫": Relation.SPOUSE,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "外孙子": Relation.GRANDCHILD,
    "外孙女": Relation.GRANDCHILD,
    "兄弟": Relation.SIBLING,
    "姐妹": Relation.SIBLING,
    "其他": Relation.OTHER,
    "借住": Relation.TENANT,
    "租户或借住人": Relation.TENANT,
}

COLUMNS = (
    Column(
        "community",
        "社区（村）",
        "community",
        required=True,
        width=18,
        help=gettext_lazy("The community or village: its code or its name, within your area."),
        example="西关社区",
    ),
    Column(
        "grid",
        "网格",
        "grid",
        width=20,
        help=gettext_lazy("The grid: its code or its name, in that community (optional)."),
        example="西关社区1号网格",
    ),
    Column(
        "address",
        "房屋地址",
        "address",
        required=True,
        width=36,
        help=gettext_lazy(
            "The house's full address: rows with the same address in the same community are "
            "the same house (an existing house is matched by it)."
        ),
        example="海东市乐都区碾伯镇西关街12号3单元402室",
    ),
    Column(
        "use",
        "房屋用途",
        "house use",
        choices=USE_WORDS,
        help=gettext_lazy("自住, 出租, 空置 or 经营; 自住 when empty."),
        example="自住",
    ),
    Column(
        "number",
        "户号",
        "household number",
        help=gettext_lazy(
            "Rows with the same house and household number are one household; an existing "
            "household of the house with that number is matched."
        ),
        example="0001",
    ),
    Column(
        "name",
        "姓名",
        "name",
        required=True,
        help=gettext_lazy("The resident's full name."),
        example="韩成林",
    ),
    Column(
        "id_number",
        "公民身份号码",
        "id number",
        required=True,
        width=22,
        help=gettext_lazy(
            "18 characters; the date of birth and sex are read from it. Not a current "
            "resident's, and once in the file."
        ),
        example="630202195001010011",
    ),
    Column(
        "phone",
        "联系电话",
        "phone",
        help=gettext_lazy("A mobile or landline number (optional)."),
        example="13909721234",
    ),
    Column(
        "relation",
        "与户主关系",
        "relation",
        choices=RELATION_WORDS,
        help=gettext_lazy(
            "户主, 配偶, 子女, 父母, 孙子女, 兄弟姐妹, 其他亲属 or 租户; one 户主 a household."
        ),
        example="户主",
    ),
    Column(
        "kind",
        "人口类型",
        "registration",
        choices=KIND_WORDS,
        help=gettext_lazy("户籍 (registered here) or 流动 (migrant); 户籍 when empty."),
        example="户籍",
    ),
    Column(
        "moved_in",
        "迁入日期",
        "moved in",
        help=gettext_lazy("The day they moved in, as 2020-03-01; today when empty."),
        example="2015-03-01",
    ),
    Column(
        "stay_until",
        "居住截止日期",
        "stay until",
        help=gettext_lazy("For a tenant (租户): the day their stay ends. A stay always ends."),
        example="",
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
# A problem's field (the services' name) → its column.
FIELD_COLUMN = {"household": "address", "stay_house": "address", "grid": "grid"}


def _header_key(text) -> str:
    """A header as typed → a comparable word: no spaces, no marks, no note in brackets."""
    text = re.sub(r"[(（].*?[)）]", "", str(text or ""))
    return re.sub(r"[\s*＊:：]", "", text).lower()


HEADERS = {}
for _column in COLUMNS:
    for _word in (_column.header, _column.english, _column.key):
        HEADERS[_header_key(_word)] = _column.key
HEADERS.update(
    {
        _header_key(w): k
        for w, k in [
            ("社区", "community"),
            ("村", "community"),
            ("社区/村", "community"),
            ("地址", "address"),
            ("身份证号", "id_number"),
            ("身份证号码", "id_number"),
            ("电话", "phone"),
            ("手机", "phone"),
            ("手机号码", "phone"),
        ]
    }
)


def _choice_map(words: dict[str, str], choice_set) -> dict[str, str]:
    """The file's Chinese words, the stored values and the labels (in English and in the
    language of the page) → the stored value."""
    found = {word: value for word, value in words.items()}
    for value, label in choice_set.choices:
        found.setdefault(value, value)
        found.setdefault(str(label).lower(), value)
    return found


# -- what comes out --------------------------------------------------------------------------


@dataclass
class Problem:
    row: int  # the sheet's row number (1 is the header)
    column: str  # the column's letter ("" for the whole file)
    header: str
    message: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "message": self.message,
        }


@dataclass
class ImportReport:
    rows: int = 0
    residents: int = 0
    houses_new: int = 0
    houses_matched: int = 0
    households_new: int = 0
    households_matched: int = 0
    stays: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "residents": self.residents,
            "houses_new": self.houses_new,
            "houses_matched": self.houses_matched,
            "households_new": self.households_new,
            "households_matched": self.households_matched,
            "stays": self.stays,
            "bad_rows": self.bad_rows,
            "problems": len(self.problems),
            "written": self.written,
        }


class ImportRefused(ServiceError):
    """The file has problems: nothing was written. ``report.problems`` lists them all."""

    def __init__(self, report: ImportReport):
        super().__init__(
            "import_problems",
            _("%(rows)d row(s) have problems: nothing was imported.") % {"rows": report.bad_rows},
            "file",
        )
        self.report = report


# -- who ---------------------------------------------------------------------------------------


def may_import(user) -> bool:
    """Community or village staff and above (those who govern places), administrators."""
    access = access_for(user)
    return access.everything or bool(access.governed_paths)


def check_may_import(*, actor) -> None:
    if not may_import(actor):
        raise NotAllowed(
            "not_permitted",
            _("Only the staff of a community, township or county may import residents."),
        )


# -- reading -----------------------------------------------------------------------------------


class _Row:
    """One good-so-far row, kept small: 100,000 of them stay in memory until written."""

    __slots__ = (
        "line",
        "community",
        "grid",
        "address",
        "use",
        "number",
        "name",
        "id_number",
        "born",
        "sex",
        "phone",
        "relation",
        "kind",
        "moved_in",
        "stay_until",
        "household",
    )


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _date(value) -> dt.date | None:
    """A cell's date: a date cell, an Excel serial number, or text as 2020-03-01, 2020/3/1,
    2020.3.1, 2020年3月1日 or 20200301. Raises ValueError when it is none of these."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        return from_excel(value).date()
    text = str(value).strip()
    if not text:
        return None
    if len(text) == 8 and text.isdigit():
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(text)
    return dt.date(*(int(g) for g in match.groups()))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed in a cell not formatted as text
    return str(value).strip()


class _Reader:
    def __init__(self, actor, today: dt.date):
        self.actor, self.today = actor, today
        self.access = access_for(actor)
        self.report = ImportReport()
        self.rows: list[_Row] = []
        self.letters: dict[str, str] = {}
        self.uses = _choice_map(USE_WORDS, HouseUse)
        self.kinds = _choice_map(KIND_WORDS, Registration)
        self.relations = _choice_map(RELATION_WORDS, Relation)

    def problem(self, line: int, key: str, message) -> None:
        column = BY_KEY.get(key)
        self.report.problems.append(
            Problem(
                row=line,
                column=self.letters.get(key, ""),
                header=column.header if column else "",
                message=str(message),
            )
        )

    # The header row: which column holds what.
    def header(self, cells) -> dict[str, int] | None:
        positions: dict[str, int] = {}
        for index, text in enumerate(cells or ()):
            key = HEADERS.get(_header_key(text))
            if key and key not in positions:
                positions[key] = index
        self.letters = {key: get_column_letter(i + 1) for key, i in positions.items()}
        missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
        if missing:
            self.report.problems.append(
                Problem(
                    1,
                    "",
                    "",
                    _("The header row lacks the column(s): %(columns)s. Use the template.")
                    % {"columns": "、".join(missing)},
                )
            )
            return None
        return positions

    def row(self, line: int, cells, positions: dict[str, int]) -> None:
        values = {k: (cells[i] if i < len(cells) else None) for k, i in positions.items()}
        if all(value is None or str(value).strip() == "" for value in values.values()):
            return  # an empty row (a formatted but unused line of the template)
        self.report.rows += 1
        errors: list[ServiceError] = []
        row = _Row()
        row.line = line
        row.community = v.clean_text(_cell_text(values.get("community")))
        if not row.community:
            errors.append(
                ServiceError("required", _("Say which community or village."), "community")
            )
        row.grid = v.clean_text(_cell_text(values.get("grid")))
        row.address = v.check_address(values.get("address"), errors)
        row.use = self._choice(values.get("use"), self.uses, None, "use", errors)
        row.number = v.check_household_number(_cell_text(values.get("number")), errors)
        row.name = v.check_name(values.get("name"), errors)
        parsed = v.check_id_number(_cell_text(values.get("id_number")), errors)
        row.phone = v.check_phone(_cell_text(values.get("phone")), errors)
        row.relation = self._choice(
            values.get("relation"), self.relations, Relation.OTHER, "relation", errors
        )
        row.kind = self._choice(
            values.get("kind"), self.kinds, Registration.REGISTERED, "kind", errors
        )
        row.moved_in = self._date(values.get("moved_in"), "moved_in", errors) or self.today
        row.stay_until = self._date(values.get("stay_until"), "stay_until", errors)
        if parsed is not None:
            row.id_number, row.born, row.sex = parsed.number, parsed.birth_date, parsed.sex
            v.check_moved_in(row.moved_in, born=row.born, today=self.today, errors=errors)
        else:
            row.id_number = row.born = row.sex = None
            v.check_moved_in(row.moved_in, born=None, today=self.today, errors=errors)
        if row.relation == Relation.TENANT or row.stay_until is not None:
            if not any(e.field == "stay_until" for e in errors):
                v.check_stay_end(row.stay_until, since=row.moved_in, errors=errors)
        for error in errors:
            self.problem(line, FIELD_COLUMN.get(error.field, error.field), error.message)
        self.rows.append(row)  # kept even when bad: later checks name every problem

    def _choice(self, value, words, default, key, errors):
        text = _cell_text(value)
        if not text:
            return default
        found = words.get(text) or words.get(text.lower())
        if found is None:
            column = BY_KEY[key]
            listed = "、".join(column.choices)
            if key == "relation":
                listed = "、".join(list(RELATION_WORDS)[:8])
            errors.append(
                ServiceError(
                    "invalid",
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": text[:20], "choices": listed},
                    key,
                )
            )
            return default
        return found

    def _date(self, value, key, errors) -> dt.date | None:
        try:
            return _date(value)
        except (ValueError, OverflowError, TypeError):
            errors.append(
                ServiceError(
                    "invalid_date",
                    _("This is not a date: write it as 2020-03-01."),
                    key,
                )
            )
            return None


class _NoWorkbook(Exception):
    pass


def _small_enough(file) -> bool:
    """Whether calamine may hold the sheets whole: the zip says how big they unpack."""
    try:
        with zipfile.ZipFile(file) as archive:
            size = sum(
                item.file_size
                for item in archive.infolist()
                if item.filename.startswith("xl/worksheets/")
                or item.filename == "xl/sharedStrings.xml"
            )
    except (zipfile.BadZipFile, OSError):
        return False  # openpyxl says what is wrong with it
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    return size <= CALAMINE_MAX_XML


def _lines(file):
    """The data sheet's rows from the first, as (sheet row number, cell values); an empty
    cell is None or "". Raises _NoWorkbook for a file that is not one."""
    if CalamineWorkbook is not None and _small_enough(file):
        try:
            if isinstance(file, str | os.PathLike):
                book = CalamineWorkbook.from_path(os.fspath(file))
            else:
                book = CalamineWorkbook.from_filelike(file)
            names = book.sheet_names
            sheet = book.get_sheet_by_name(SHEET if SHEET in names else names[0])
        except Exception as error:  # noqa: BLE001 - whatever calamine raises, it is no workbook
            raise _NoWorkbook from error
        if sheet.start is None:
            return  # an empty sheet
        # calamine's rows start at the sheet's first row but at its first used column.
        pad = ("",) * sheet.start[1]
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, (pad + tuple(cells)) if pad else cells
        return
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - whatever openpyxl raises, it is no workbook
        raise _NoWorkbook from error
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        book.close()


def _read(file, reader: _Reader) -> None:
    lines = _lines(file)
    try:
        first = next(lines, None)
    except _NoWorkbook:
        reader.report.problems.append(
            Problem(0, "", "", _("This is not an Excel workbook (.xlsx)."))
        )
        return
    try:
        positions = reader.header(first[1] if first else None)
        if positions is None:
            return
        for line, cells in lines:
            if reader.report.rows >= MAX_ROWS:
                reader.report.problems.append(
                    Problem(
                        line,
                        "",
                        "",
                        _("A file holds at most %(max)d rows: split it.") % {"max": MAX_ROWS},
                    )
                )
                return
            reader.row(line, cells, positions)
    finally:
        lines.close()


# -- checking the file against itself and the register -----------------------------------------


@dataclass
class _HouseGroup:
    region: Region
    grid_id: int | None
    address: str
    use: str | None  # the first row giving one
    line: int  # the first row naming it
    pk: int | None = None  # an existing house


@dataclass
class _HouseholdGroup:
    house: _HouseGroup
    number: str
    kind: str
    line: int
    pk: int | None = None  # an existing household (a new one's, once drawn)
    matched: bool = False  # already registered
    head_line: int | None = None  # the row of its head
    head_id: int | None = None  # that resident's key, once drawn
    has_head: bool = False  # an existing household's current head


def _chunks(items, size):
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk


class _Plan:
    """The rows placed in houses and households, every problem found."""

    def __init__(self, reader: _Reader):
        self.reader = reader
        self.actor, self.access = reader.actor, reader.access
        self.report = reader.report
        self.houses: dict[tuple[int, str], _HouseGroup] = {}
        self.households: dict[tuple[int, str, str], _HouseholdGroup] = {}

    def run(self) -> None:
        communities = self._communities({r.community for r in self.reader.rows if r.community})
        grids = self._grids(
            {
                (c.pk, r.grid)
                for r in self.reader.rows
                if r.grid and isinstance(c := communities.get(r.community), Region)
            }
        )
        self._place(communities, grids)
        self._match_existing()
        self._heads()
        self._duplicates()
        self.report.problems.sort(key=lambda p: (p.row, p.column))

    # Places: a community by code or name in the importer's register.
    def _communities(self, cells: set[str]) -> dict[str, Region | str]:
        found: dict[str, Region | str] = {}
        scope = Q() if self.access.everything else paths_q("path", self.access.governed_paths)
        for chunk in _chunks(sorted(cells), IN_CHUNK):
            regions = Region.objects.filter(level=RegionLevel.COMMUNITY).filter(
                Q(code__in=chunk) | Q(name__in=chunk)
            )
            by_cell: dict[str, list[Region]] = defaultdict(list)
            for region in regions.only("pk", "code", "name", "path"):
                for cell in (region.code, region.name):
                    if cell in chunk:
                        by_cell[cell].append(region)
            governed = set(
                Region.objects.filter(pk__in=[r.pk for rs in by_cell.values() for r in rs])
                .filter(scope)
                .values_list("pk", flat=True)
            )
            for cell in chunk:
                options = by_cell.get(cell, [])
                mine = [r for r in options if r.pk in governed]
                if len(mine) == 1:
                    found[cell] = mine[0]
                elif len(mine) > 1:
                    found[cell] = _(
                        "Several communities in your area have this name: use the code."
                    )
                elif options:
                    found[cell] = v.out_of_scope_error("community").message
                else:
                    found[cell] = _("There is no community or village with this code or name.")
        return found

    def _grids(self, cells: set[tuple[int, str]]) -> dict[tuple[int, str], Grid | str]:
        found: dict[tuple[int, str], Grid | str] = {}
        values = {cell for _pk, cell in cells}
        by_cell: dict[str, list[Grid]] = defaultdict(list)
        for chunk in _chunks(sorted(values), IN_CHUNK):
            for grid in (
                Grid.objects.filter(is_active=True)
                .filter(Q(code__in=chunk) | Q(name__in=chunk))
                .only("pk", "code", "name", "community_id")
            ):
                for cell in {grid.code, grid.name}:
                    if cell in chunk:
                        by_cell[cell].append(grid)
        for community_id, cell in cells:
            options = [g for g in by_cell.get(cell, []) if g.community_id == community_id]
            if len(options) == 1:
                found[community_id, cell] = options[0]
            elif options:
                found[community_id, cell] = _("Several grids have this name: use the code.")
            else:
                found[community_id, cell] = _("This community has no grid with this code or name.")
        return found

    def _place(self, communities, grids) -> None:
        problem = self.reader.problem
        for row in self.reader.rows:
            region = communities.get(row.community) if row.community else None
            if isinstance(region, str):
                problem(row.line, "community", region)
                region = None
            grid = grids.get((region.pk, row.grid)) if region is not None and row.grid else None
            if isinstance(grid, str):
                problem(row.line, "grid", grid)
                grid = None
            if region is None:
                row.household = None
                continue
            grid_id = grid.pk if grid is not None else None
            if not self.access.governs(grid_id=grid_id, region_path=region.path):
                problem(row.line, "grid", v.out_of_scope_error("grid").message)
            house_key = (region.pk, row.address)
            house = self.houses.get(house_key)
            if house is None:
                house = self.houses[house_key] = _HouseGroup(
                    region, grid_id, row.address, row.use, row.line
                )
            else:
                if row.grid and grid is not None and house.grid_id != grid_id:
                    problem(
                        row.line,
                        "grid",
                        _("Row %(row)d puts this house in another grid.") % {"row": house.line},
                    )
                if house.use is None:
                    house.use = row.use
                elif row.use is not None and row.use != house.use:
                    problem(
                        row.line,
                        "use",
                        _("Row %(row)d gives this house another use.") % {"row": house.line},
                    )
            key = (region.pk, row.address, row.number)
            household = self.households.get(key)
            if household is None:
                household = self.households[key] = _HouseholdGroup(
                    house, row.number, row.kind, row.line
                )
            row.household = household
            if row.relation == Relation.HEAD:
                if household.head_line is not None:
                    problem(
                        row.line,
                        "relation",
                        _("Row %(row)d is already this household's head.")
                        % {"row": household.head_line},
                    )
                else:
                    household.head_line = row.line
                    household.kind = row.kind  # a household is registered as its head is

    def _match_existing(self) -> None:
        """Houses by address in their community, households by house and number."""
        by_region: dict[int, list[_HouseGroup]] = defaultdict(list)
        for house in self.houses.values():
            by_region[house.region.pk].append(house)
        for region_id, houses in by_region.items():
            wanted = {h.address: h for h in houses}
            for chunk in _chunks(sorted(wanted), IN_CHUNK):
                rows = (
                    House.objects.filter(region_id=region_id, address__in=chunk)
                    .order_by("pk")
                    .values_list("address", "pk", "grid_id")
                )
                for address, pk, grid_id in rows:
                    house = wanted[address]
                    if house.pk is None:
                        house.pk = pk
                        if house.grid_id is not None and house.grid_id != grid_id:
                            self.reader.problem(
                                house.line,
                                "grid",
                                _("This address is already a house in another grid."),
                            )
                        house.grid_id = grid_id
        matched = {h.pk: h for h in self.houses.values() if h.pk is not None}
        self.report.houses_matched = len(matched)
        self.report.houses_new = len(self.houses) - len(matched)
        wanted_households = defaultdict(list)
        for household in self.households.values():
            if household.house.pk is not None:
                wanted_households[household.house.pk, household.number].append(household)
        existing: dict[tuple[int, str], list[tuple[int, bool]]] = defaultdict(list)
        for chunk in _chunks(sorted(matched), IN_CHUNK):
            rows = Household.objects.filter(house_id__in=chunk).values_list(
                "house_id", "number", "pk", "head__moved_out", "head_id"
            )
            for house_id, number, pk, head_moved_out, head_id in rows:
                existing[house_id, number].append(
                    (pk, head_id is not None and head_moved_out is None)
                )
        for key, households in wanted_households.items():
            found = existing.get(key, [])
            # A number names one household; without a number, the house's only one.
            if len(found) == 1:
                for household in households:
                    household.pk, household.has_head = found[0]
                    household.matched = True
        self.report.households_matched = sum(1 for h in self.households.values() if h.pk)
        self.report.households_new = len(self.households) - self.report.households_matched
        # A grid worker's grid may hold a house governed by someone else: the place decides.
        for house in matched.values():
            if not self.access.governs(grid_id=house.grid_id, region_path=house.region.path):
                self.reader.problem(house.line, "address", v.out_of_scope_error("address").message)

    def _heads(self) -> None:
        for household in self.households.values():
            if household.head_line is not None and household.has_head:
                self.reader.problem(household.head_line, "relation", v.head_taken_error().message)

    def _duplicates(self) -> None:
        """A number twice in the file, or already a current resident's."""
        first: dict[str, int] = {}
        for row in self.reader.rows:
            if row.id_number is None:
                continue
            seen = first.setdefault(row.id_number, row.line)
            if seen != row.line:
                self.reader.problem(
                    row.line,
                    "id_number",
                    _("This ID number is also on row %(row)d.") % {"row": seen},
                )
        for chunk in _chunks(sorted(first), IN_CHUNK):
            taken = (
                Resident.objects.current()
                .filter(id_number__in=chunk)
                .values_list(
                    "id_number",
                    "grid_id",
                    "region_path",
                    "household__number",
                    "household_id",
                    "household__house__address",
                    "region__name",
                )
            )
            for number, grid_id, path, hh_number, hh_id, address, place in taken:
                error = v.duplicate_id_error(
                    visible=self.access.governs(grid_id=grid_id, region_path=path),
                    household=hh_number or f"#{hh_id}",
                    address=masking.mask_address(address),
                    place=place,
                )
                self.reader.problem(first[number], "id_number", error.message)


# -- writing -----------------------------------------------------------------------------------
# 100,000 rows in seconds: every new row's key is drawn before it is written, so nothing
# written is looked for again (a household's head is written with the household), and the
# rows go in bulk: COPY on PostgreSQL, one prepared statement over them all on SQLite. (The
# per-row services would take minutes; finding the new rows again by address, household
# number or ID number took longer than writing them, and setting the heads afterwards was
# quadratic on PostgreSQL: tables filled in the transaction have no statistics, and the
# planner scanned every current resident for each household.)


def _new_keys(model, count: int) -> list[int]:
    """``count`` primary keys for new rows of ``model``, nobody else's."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [key for (key,) in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(connection.vendor)
        # The transaction holds SQLite's write lock (it began IMMEDIATE): the keys after the
        # highest ever given (AUTOINCREMENT's record, else the table's highest) are ours.
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max({connection.ops.quote_name(model._meta.pk.column)}) "
            f"FROM {quoted}), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def _insert(model, rows, now) -> None:
    """Insert rows, each a dict of field attnames with its key as ``id`` (the other fields
    take their defaults), without the model machinery (``bulk_create`` prepares every value
    of every row through the fields: several times slower)."""
    fields = list(model._meta.concrete_fields)
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    stamp = ops.adapt_datetimefield_value(now)
    plan = []  # per field: (attname, default, how its value is adapted)
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            plan.append((None, stamp, None))
        elif f.get_internal_type() == "DateField":
            plan.append((f.attname, None, ops.adapt_datefield_value))
        else:
            plan.append((f.attname, None if f.primary_key else f.get_default(), None))

    # Personal data goes in sealed, with its lookup digest (core.fields), as a save would.
    sealed = sealed_names(fields)

    def values(row) -> tuple:
        if sealed:
            row = seal_row(row, sealed)
        return tuple(
            default
            if name is None
            else (
                adapt(row[name])
                if adapt is not None and row.get(name) is not None
                else row.get(name, default)
            )
            for name, default, adapt in plan
        )

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's COPY: the rows streamed in one statement.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for chunk in _chunks(rows, CHUNK):
            cursor.executemany(sql, [values(row) for row in chunk])


def _write(plan: _Plan) -> None:
    """New houses, new households (with their heads), the residents and their stays."""
    rows, actor, report = plan.reader.rows, plan.actor, plan.report
    now = timezone.now()
    new_houses = [h for h in plan.houses.values() if h.pk is None]
    for house, key in zip(new_houses, _new_keys(House, len(new_houses)), strict=True):
        house.pk = key
    new_households = [h for h in plan.households.values() if h.pk is None]
    for household, key in zip(
        new_households, _new_keys(Household, len(new_households)), strict=True
    ):
        household.pk = key
    keys = _new_keys(Resident, len(rows))
    for row, key in zip(rows, keys, strict=True):
        if row.household.head_line == row.line:
            row.household.head_id = key
    _insert(
        House,
        (
            {
                "id": h.pk,
                "region_id": h.region.pk,
                "grid_id": h.grid_id,
                "region_path": h.region.path,
                "address": h.address,
                "use": h.use or HouseUse.OWN,
            }
            for h in new_houses
        ),
        now,
    )
    # A household's head is written with it: the key is checked at commit.
    _insert(
        Household,
        (
            {
                "id": h.pk,
                "house_id": h.house.pk,
                "number": h.number,
                "kind": h.kind,
                "head_id": h.head_id,
                "region_id": h.house.region.pk,
                "grid_id": h.house.grid_id,
                "region_path": h.house.region.path,
            }
            for h in new_households
        ),
        now,
    )
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    _insert(
        Resident,
        (
            {
                "id": key,
                "name": r.name,
                "id_number": r.id_number,
                "phone": r.phone,
                "sex": r.sex,
                "birth_date": r.born,
                "household_id": r.household.pk,
                "relation": r.relation,
                "kind": r.kind,
                "moved_in": r.moved_in,
                "created_by_id": actor_id,
                "region_id": r.household.house.region.pk,
                "grid_id": r.household.house.grid_id,
                "region_path": r.household.house.region.path,
            }
            for r, key in zip(rows, keys, strict=True)
        ),
        now,
    )
    report.residents = len(rows)
    stays = [
        {
            "id": None,
            "resident_id": key,
            "house_id": r.household.house.pk,
            "since": r.moved_in,
            "until": r.stay_until,
            "landlord_note": "",
        }
        for r, key in zip(rows, keys, strict=True)
        if r.stay_until is not None
    ]
    for stay, key in zip(stays, _new_keys(Stay, len(stays)), strict=True):
        stay["id"] = key
    _insert(Stay, stays, now)
    report.stays = len(stays)
    # A household already registered gets the head imported for it (it had none current).
    headed = [(h.head_id, now, h.pk) for h in plan.households.values() if h.matched and h.head_id]
    if headed:
        ops = connection.ops
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {ops.quote_name(Household._meta.db_table)} SET "
                f"{ops.quote_name('head_id')} = %s, {ops.quote_name('updated_at')} = %s "
                f"WHERE {ops.quote_name('id')} = %s",
                [(head, ops.adapt_datetimefield_value(at), pk) for head, at, pk in headed],
            )


# -- the service -------------------------------------------------------------------------------


def check_import(*, file, actor, today: dt.date | None = None) -> _Plan:
    """Read and check the whole file; write nothing. The plan's ``report`` lists every
    problem by row and column."""
    check_may_import(actor=actor)
    reader = _Reader(actor, today or timezone.localdate())
    _read(file, reader)
    plan = _Plan(reader)
    if reader.rows and not any(p.row <= 1 for p in reader.report.problems):
        plan.run()
    return plan


def do_import(*, file, actor, request=None, filename: str = "") -> ImportReport:
    """Check the file and, when every row is good, write it all in one transaction (and
    record who imported what). ``ImportRefused`` (nothing written) lists the problems."""
    plan = check_import(file=file, actor=actor)
    report = plan.report
    if report.problems:
        raise ImportRefused(report)
    try:
        with transaction.atomic():
            _write(plan)
            audit.record(
                actor=actor,
                action="import",
                reason=(
                    f"people import {filename}: {report.residents} residents, "
                    f"{report.households_new} new households, {report.houses_new} new houses"
                ),
                request=request,
            )
    except IntegrityError:
        # Someone registered one of these numbers (or households) since the check.
        raise Conflict(
            "changed",
            _(
                "The register changed while the file was being imported: nothing was imported. "
                "Try again."
            ),
        ) from None
    report.written = True
    return report


# -- workbooks ---------------------------------------------------------------------------------

_HEAD_FILL = PatternFill("solid", fgColor="DBEAFE")
_BOLD = Font(bold=True)
_REQUIRED = Font(bold=True, color="B91C1C")


def template_workbook(actor) -> bytes:
    """The template: the data sheet (header row, drop-down lists, ID numbers as text), an
    instructions sheet with an example row, and a hidden list of the importer's
    communities."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([c.header for c in COLUMNS])
    sheet.freeze_panes = "A2"
    last = MAX_ROWS + 1
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        cell = sheet.cell(row=1, column=i)
        cell.font = _REQUIRED if column.required else _BOLD
        cell.fill = _HEAD_FILL
        sheet.column_dimensions[letter].width = column.width
        if column.key in ("id_number", "phone", "number"):
            sheet.column_dimensions[letter].number_format = "@"  # no 6.30202E+17
        if column.choices:
            words = list(column.choices)[: 8 if column.key == "relation" else 4]
            if column.key == "kind":
                words = words[:2]
            rule = DataValidation(
                type="list", formula1='"' + ",".join(words) + '"', allow_blank=True
            )
            rule.error = _("Choose one of the list.")
            rule.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(rule)
        if column.key in ("moved_in", "stay_until"):
            rule = DataValidation(type="date", operator="greaterThan", formula1="1")
            rule.errorStyle = "warning"
            rule.error = _("Write a date, as 2020-03-01.")
            rule.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(rule)
    places = _places_sheet(book, actor)
    if places:
        letter = get_column_letter(INDEX["community"] + 1)
        rule = DataValidation(type="list", formula1=f"=选项!$A$2:$A${places + 1}", allow_blank=True)
        rule.errorStyle = "warning"  # a code is accepted too
        rule.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(rule)
    _instructions_sheet(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _places_sheet(book: Workbook, actor) -> int:
    access = access_for(actor)
    regions = Region.objects.filter(level=RegionLevel.COMMUNITY)
    if not access.everything:
        regions = regions.filter(paths_q("path", access.governed_paths))
    names = list(regions.order_by("path").values_list("name", "code")[:5000])
    if not names:
        return 0
    sheet = book.create_sheet("选项")
    sheet.append([_("Community or village"), _("Code")])
    for name, code in names:
        sheet.append([name, code])
    sheet.sheet_state = "hidden"
    return len(names)


def _instructions_sheet(book: Workbook) -> None:
    sheet = book.create_sheet(_("Instructions"))
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 90
    lines = [
        _("Import residents: one resident a row on the sheet “%(sheet)s”.") % {"sheet": SHEET},
        _(
            "Every row is checked; if any row has a problem nothing is imported, and every "
            "problem is listed by row and column. Correct them and upload the file again."
        ),
        _("Columns in red must be filled in. Keep the header row as it is."),
        "",
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Column"), _("Required"), _("What to write")])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = _BOLD, _HEAD_FILL
    for column in COLUMNS:
        sheet.append([column.header, _("yes") if column.required else "", str(column.help)])
        sheet.cell(row=sheet.max_row, column=3).alignment = Alignment(wrap_text=True)
    sheet.append([])
    sheet.append([_("An example row (not imported):")])
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = _BOLD, _HEAD_FILL
    sheet.append([c.example for c in COLUMNS])


def problems_workbook(problems: list[Problem]) -> bytes:
    """The problems of a refused file, to work through beside it."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Problems"))
    sheet.append([_("Row"), _("Column"), _("Heading"), _("Problem")])
    for p in problems:
        sheet.append([p.row, p.column, p.header, p.message])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = [
    "COLUMNS",
    "CONTENT_TYPE",
    "ImportRefused",
    "ImportReport",
    "Problem",
    "check_import",
    "check_may_import",
    "do_import",
    "may_import",
    "problems_workbook",
    "template_workbook",
]
