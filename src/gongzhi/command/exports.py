"""The analytics tables, built once for the page and for its Excel downloads, so a workbook
holds exactly the numbers the page shows.

Each table is read from ``command.figures`` (or ``command.assessment``) for the viewer, a
region and a period, as columns and rows of cells; a count cell carries the link to the
records it counts (``figures.records_url``) when the viewer has a queue. ``workbook`` writes
one table: a title row naming the region and the period, a header row, the rows (rates as
fractions formatted as per cent). Nothing personal is in any table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from gongzhi.accounts.roles import STAFF_DESK
from gongzhi.core.errors import NotAllowed
from gongzhi.core.scope import scope_for
from gongzhi.core.sheets import safe_cell, safe_sheet

from . import assessment, figures

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# 直接答复 (answered) is counted apart from the rates; 按时受理率/按时派遣率 are the command
# centre's own, as the cases' rates page shows them.
COUNTS = ("reported", "closed", "open", "overdue", "returned", "answered")
RATES = ("response_rate", "resolution_rate", "satisfaction_rate", "accept_rate", "dispatch_rate")
# The measures a cell links to the records of.
LINKED = frozenset(("reported", "closed", "open", "overdue", "returned"))
FORMATS = {"rate": "0.0%", "score": "0.00", "number": "0.0"}
TREND_DAYS = 62  # up to two months drawn day by day, longer periods month by month


def _labels() -> dict:
    return {
        "reported": _("Reported"),
        "closed": _("Closed"),
        "open": _("Still open"),
        "overdue": _("Overdue"),
        "returned": _("Returned"),
        "response_rate": _("Response rate"),
        "resolution_rate": _("Resolution rate"),
        "satisfaction_rate": _("Satisfaction rate"),
        "answered": _("Answered directly"),
        "accept_rate": _("Accepted in time"),
        "dispatch_rate": _("Dispatched in time"),
    }


@dataclass
class Column:
    key: str
    label: str
    kind: str = "count"  # text · count · rate · score · number


@dataclass
class Cell:
    value: object
    url: str | None = None  # the records the value counts


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    keys: list = field(default_factory=list)  # each row's key (a unit id, a region code…)
    extra: dict = field(default_factory=dict)  # what the page draws beside the table

    def as_dicts(self) -> list[dict]:
        return [
            {c.key: cell.value for c, cell in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]

    def shown_rows(self):
        """(cell, kind, text) per cell, as the page prints them."""
        return [
            [
                (cell, col.kind, shown(cell.value, col.kind))
                for col, cell in zip(self.columns, row, strict=True)
            ]
            for row in self.rows
        ]


def shown(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind in ("score", "number"):
        return f"{value:.2f}" if kind == "score" else f"{value:.1f}"
    return str(value)


@dataclass
class Context:
    """Who asks, about which region and period; and how a figure finds its records."""

    viewer: object
    region: object
    start: date
    end: date
    linked: bool = False

    def __post_init__(self):
        self.linked = self.records("reported") is not None

    def records(self, measure: str, region=None, **filters) -> str | None:
        if measure not in LINKED:
            return None
        return figures.records_url(
            viewer=self.viewer,
            measure=measure,
            region=region or self.region,
            start=self.start,
            end=self.end,
            **filters,
        )

    def link(self, measure: str, region=None, count=None, **filters) -> str | None:
        """The records behind a count (none behind a zero: an empty list leads nowhere)."""
        if not self.linked or count == 0:
            return None
        return self.records(measure, region, **filters)

    def page_url(self, region_code: str | None) -> str:
        query = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if region_code:
            query["region"] = region_code
        return f"{reverse('command:analytics')}?{urlencode(query)}"


def _figure_columns() -> list[Column]:
    labels = _labels()
    return [Column(k, labels[k]) for k in COUNTS] + [Column(k, labels[k], "rate") for k in RATES]


def _figure_cells(ctx: Context, row: dict, region=None, **filters) -> list[Cell]:
    return [Cell(row.get(k), ctx.link(k, region, row.get(k), **filters)) for k in COUNTS] + [
        Cell(row.get(k)) for k in RATES
    ]


def check_viewer(*, viewer) -> None:
    """Only leaders and command-centre staff (and administrators) read the analytics."""
    scope = scope_for(viewer)
    if not scope.everything and not scope.roles & STAFF_DESK:
        raise NotAllowed(
            "not_allowed", _("The analytics are for leaders and command-centre staff.")
        )


def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def quarter_of(day: date) -> tuple[date, date]:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first, month_of(date(first.year, first.month + 2, 1))[1]


def summary(ctx: Context) -> Table:
    compared = figures.compare(viewer=ctx.viewer, region=ctx.region, start=ctx.start, end=ctx.end)
    table = Table(
        "summary",
        _("Summary with comparisons"),
        [
            Column("period", _("Period"), "text"),
            Column("start", _("From"), "text"),
            Column("end", _("To"), "text"),
            *_figure_columns(),
        ],
    )
    periods = compared["periods"]
    for key, label in [
        ("current", _("This period")),
        ("previous", _("Previous period (环比)")),
        ("last_year", _("Same period last year (同比)")),
    ]:
        first, last_day = periods[key]["start"], periods[key]["end"]
        row = compared[key]
        cells = [Cell(str(label)), Cell(first.isoformat()), Cell(last_day.isoformat())]
        if key == "current":
            cells += _figure_cells(ctx, row)
        else:
            cells += [Cell(row.get(k)) for k in (*COUNTS, *RATES)]
        table.rows.append(cells)
        table.keys.append(key)
    table.extra["compare"] = compared
    return table


def _breakdown(ctx: Context, by: str, name: str, title: str, label: str) -> Table:
    rows = figures.breakdown(
        viewer=ctx.viewer, region=ctx.region, start=ctx.start, end=ctx.end, by=by
    )
    table = Table(name, title, [Column("label", label, "text"), *_figure_columns()])
    regions = {}
    if by == "region":
        from gongzhi.regions.models import Region

        codes = [r["code"] for r in rows if r.get("code")]
        regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    for row in rows:
        filters, region, url = {}, None, None
        linked = True
        if by == "region":
            region = regions.get(row.get("code"))
            if region is not None:
                url = ctx.page_url(region.code)  # drill down
            elif row.get("code"):
                filters = {"grid": row["key"]}  # a township's children are its grids
            else:
                linked = False  # cases located no deeper than the region: no filter for them
        elif by == "unit":
            filters = {"unit": row["key"]}
        elif by in ("category", "channel"):
            filters = {by: row["key"]}
        cells = [Cell(str(row["label"]), url)]
        if by in ("day", "month") or not linked:
            cells += [Cell(row.get(k)) for k in (*COUNTS, *RATES)]
        else:
            cells += _figure_cells(ctx, row, region, **filters)
        table.rows.append(cells)
        table.keys.append(row.get("code") or row.get("key"))
    return table


def regions(ctx: Context) -> Table:
    return _breakdown(ctx, "region", "regions", _("By place"), _("Place"))


def categories(ctx: Context) -> Table:
    return _breakdown(ctx, "category", "categories", _("By category"), _("Category"))


def channels(ctx: Context) -> Table:
    return _breakdown(ctx, "channel", "channels", _("By channel"), _("Channel"))


def trend(ctx: Context) -> Table:
    by = "day" if (ctx.end - ctx.start).days < TREND_DAYS else "month"
    return _breakdown(
        ctx,
        by,
        "trend",
        _("Day by day") if by == "day" else _("Month by month"),
        _("Day") if by == "day" else _("Month"),
    )


def units(ctx: Context) -> Table:
    scored = assessment.scores(viewer=ctx.viewer, region=ctx.region, start=ctx.start, end=ctx.end)
    columns = [
        Column("rank", _("Rank")),
        Column("unit", _("Unit"), "text"),
        Column("score", _("Assessment score"), "score"),
    ]
    for w in scored["weights"]:
        label = w.get_code_display()
        columns += [
            Column(w.code, f"{label}", "rate"),
            Column(
                f"{w.code}_points",
                _("%(rate)s points (weight %(weight)s%%)")
                % {"rate": label, "weight": f"{w.weight.normalize():f}"},
                "score",
            ),
        ]
    for p in scored["penalties"]:
        label = p.get_code_display()
        columns += [
            Column(p.code, label),
            Column(f"{p.code}_points", _("%(kind)s minus points") % {"kind": label}, "score"),
        ]
    columns.append(Column("reported", _("Reported")))
    table = Table("units", _("Units' assessment scores"), columns)
    for unit in scored["units"]:
        cells = [Cell(unit["rank"]), Cell(str(unit["label"])), Cell(unit["score"])]
        for part in unit["parts"]:
            cells += [Cell(part["rate"]), Cell(part["points"])]
        for taken in unit["penalties"]:
            cells += [
                Cell(
                    taken["count"],
                    ctx.link(taken["measure"], None, taken["count"], unit=unit["key"]),
                ),
                Cell(-taken["points"] if taken["points"] else 0.0),
            ]
        reported = unit["figures"].get("reported")
        cells.append(Cell(reported, ctx.link("reported", None, reported, unit=unit["key"])))
        table.rows.append(cells)
        table.keys.append(unit["key"])
    table.extra["scored"] = scored
    return table


def durations(ctx: Context) -> Table:
    kw = {"viewer": ctx.viewer, "region": ctx.region, "start": ctx.start, "end": ctx.end}
    overall = figures.durations(**kw)
    by_unit = figures.durations(**kw, by="unit")
    table = Table(
        "durations",
        _("Time to sign and to resolve"),
        [
            Column("unit", _("Unit"), "text"),
            Column("sign_median", _("Sign for: median (minutes)"), "number"),
            Column("sign_p90", _("Sign for: 90th percentile (minutes)"), "number"),
            Column("sign_count", _("Signed for")),
            Column("resolve_median", _("Resolve: median (hours)"), "number"),
            Column("resolve_p90", _("Resolve: 90th percentile (hours)"), "number"),
            Column("resolve_count", _("Resolved")),
        ],
    )
    for key, label, row in [
        (None, _("All units"), overall),
        *((r.get("key"), r.get("label", r.get("key")), r) for r in by_unit if r.get("key")),
    ]:
        sign, resolve = row.get("sign") or {}, row.get("resolve") or {}
        table.rows.append(
            [
                Cell(str(label)),
                Cell(sign.get("median")),
                Cell(sign.get("p90")),
                Cell(sign.get("count")),
                Cell(resolve.get("median")),
                Cell(resolve.get("p90")),
                Cell(resolve.get("count")),
            ]
        )
        table.keys.append(key)
    return table


def grids(ctx: Context) -> Table:
    rows = figures.grid_figures(viewer=ctx.viewer, region=ctx.region, start=ctx.start, end=ctx.end)
    table = Table(
        "grids",
        _("By grid"),
        [
            Column("code", _("Grid code"), "text"),
            Column("name", _("Grid"), "text"),
            Column("reported", _("Reported")),
            Column("open", _("Still open")),
            Column("overdue", _("Overdue")),
        ],
    )
    for row in sorted(rows, key=lambda r: (-(r["reported"] or 0), r["code"])):
        table.rows.append(
            [Cell(row["code"]), Cell(row["name"])]
            + [
                Cell(row[k], ctx.link(k, None, row[k], grid=row["grid_id"]))
                for k in ("reported", "open", "overdue")
            ]
        )
        table.keys.append(row["grid_id"])
    return table


# The tables in the order the page shows them; the download's names.
TABLES = {
    "summary": summary,
    "units": units,
    "regions": regions,
    "categories": categories,
    "channels": channels,
    "durations": durations,
    "trend": trend,
    "grids": grids,
}


def workbook(table: Table, *, area: str, start: date, end: date) -> bytes:
    """One table as an .xlsx: the title (table, area, period), the header, the rows."""
    book = Workbook(write_only=True)
    sheet = safe_sheet(book.create_sheet(table.title[:31]))
    sheet.freeze_panes = "A3"
    sheet.column_dimensions["A"].width = 28
    title = WriteOnlyCell(
        sheet,
        value=_("%(table)s · %(area)s · %(start)s to %(end)s")
        % {"table": table.title, "area": area, "start": start.isoformat(), "end": end.isoformat()},
    )
    title.font = Font(bold=True, size=13)
    sheet.append([title])
    bold = Font(bold=True)
    header = []
    for col in table.columns:
        cell = WriteOnlyCell(sheet, value=str(col.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        out = []
        for col, cell in zip(table.columns, row, strict=True):
            written = WriteOnlyCell(sheet, value=safe_cell(cell.value))
            if cell.value is not None and col.kind in FORMATS:
                written.number_format = FORMATS[col.kind]
            out.append(written)
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
