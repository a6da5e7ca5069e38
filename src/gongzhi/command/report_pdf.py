"""The monthly report as an A4 PDF: charts and tables drawn by reportlab in the Noto CJK
cut that mediation keeps (``mediation.printing``), embedded as a subset: real text a reader
can search and copy, vector charts. Made from the stored figures alone (``reports.gather``).
"""

from __future__ import annotations

import datetime as dt
import functools
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from gongzhi.mediation.printing import (
    BOTTOM,
    LEFT,
    RIGHT,
    TEXT_WIDTH,
    TOP,
    PagedCanvas,
    base_font,
    markup,
)

from .reports import (
    COUNTS,
    LABELS,
    RATES,
    TABLES,
    change,
    month_label,
    number,
    percent,
    shown,
    title_of,
)

PALETTE = [colors.HexColor(c) for c in ("#2f6fb0", "#e0803a", "#3a9a5b", "#b04a6f")]
CHART_HEIGHT = 62 * mm
NICE_STEPS = tuple(m * 10**e for e in range(7) for m in (1, 2, 5))
LEGEND_STEP = 72  # points a legend entry takes
MAX_BARS = 24  # more areas than this are shown in the table only (the bars would be slivers)


def decimal(value) -> str:
    return "—" if value is None else f"{value:.1f}"


@functools.cache
def _styles() -> dict:
    font = base_font().fontName
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", body, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=2 * mm
        ),
        "sub": ParagraphStyle(
            "sub", body, fontSize=9.5, alignment=TA_CENTER, textColor=colors.grey
        ),
        "h2": ParagraphStyle(
            "h2", body, fontSize=13, leading=20, spaceBefore=5 * mm, spaceAfter=2 * mm
        ),
        "cell": ParagraphStyle("cell", body, fontSize=8.5, leading=11),
        "head": ParagraphStyle("head", body, fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "note": ParagraphStyle("note", body, fontSize=8.5, leading=12, textColor=colors.grey),
    }


def _p(text, style="body") -> Paragraph:
    return Paragraph(markup(text), _styles()[style])


def table(head: list[str], rows: list[list], first: float = 38 * mm) -> Table:
    """A ruled table: a label column (wrapped), the figures right-aligned after it."""
    font = base_font().fontName
    rest = (TEXT_WIDTH - first) / max(1, len(head) - 1)
    body = [[_p(r[0], "cell"), *r[1:]] for r in rows]
    style = [
        ("FONT", (0, 0), (-1, -1), font, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * mm),
    ]
    return Table(
        [[_p(head[0], "cell"), *(_p(h, "head") for h in head[1:])], *body],
        colWidths=[first] + [rest] * (len(head) - 1),
        style=style,
        repeatRows=1,
        spaceBefore=1 * mm,
        spaceAfter=3 * mm,
    )


def figures_table(rows: list[dict], label: str) -> Table:
    head = [label, *(str(LABELS[k]) for k in (*COUNTS, *RATES))]
    return table(head, [[r["label"], *(shown(r, k) for k in (*COUNTS, *RATES))] for r in rows])


def summary_table(compare: dict) -> Table:
    head = [
        _("Figure"),
        _("This month"),
        _("Previous month"),
        _("Month on month"),
        _("Same month last year"),
        _("Year on year"),
    ]
    rows = []
    current, previous, last_year = compare["current"], compare["previous"], compare["last_year"]
    changes = compare.get("change") or {}
    for key in (*COUNTS, *RATES):
        moved = changes.get(key) or {}
        rows.append(
            [
                str(LABELS[key]),
                shown(current, key),
                shown(previous, key),
                change(moved.get("previous")),
                shown(last_year, key),
                change(moved.get("last_year")),
            ]
        )
    return table(head, rows, first=34 * mm)


def durations_table(durations: dict) -> Table:
    head = [_("Time taken"), _("Median"), _("90th percentile"), _("Cases counted")]
    rows = [
        [_("To sign for (minutes)"), *_spread(durations.get("sign"))],
        [_("To resolve (hours)"), *_spread(durations.get("resolve"))],
    ]
    return table(head, rows, first=50 * mm)


def _spread(d: dict | None) -> list[str]:
    d = d or {}
    return [decimal(d.get("median")), decimal(d.get("p90")), number(d.get("count"))]


# -- charts -------------------------------------------------------------------------------


def _label_font(axis, size=7.5):
    axis.labels.fontName = base_font().fontName
    axis.labels.fontSize = size


def _whole_numbers(axis, data):
    """Ticks at whole numbers (a count of 3 has no 2.5), at most about six of them."""
    top = max((max(series) for series in data if series), default=0)
    step = (
        next(s for s in NICE_STEPS if s * 5 >= top) if top <= NICE_STEPS[-1] * 5 else -(-top // 5)
    )
    axis.valueStep = step
    axis.valueMax = max(step, -(-top // step) * step)
    axis.labelTextFormat = "%d"


def _legend(drawing, x, y, pairs):
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName = base_font().fontName
    legend.fontSize = 8
    legend.alignment = "right"  # the swatch, then its name
    legend.columnMaximum = 1
    legend.deltax = LEGEND_STEP
    legend.colorNamePairs = pairs
    drawing.add(legend)


def _drawing() -> Drawing:
    drawing = Drawing(TEXT_WIDTH, CHART_HEIGHT)
    drawing.initialFontName = base_font().fontName  # else Helvetica is set, and listed
    return drawing


def _title(drawing, text):
    drawing.add(
        String(
            0,
            CHART_HEIGHT - 10,
            text,
            fontName=base_font().fontName,
            fontSize=9.5,
            fillColor=colors.black,
        )
    )


def bars(rows: list[dict], keys: tuple[str, ...], title: str, *, rate=False) -> Drawing:
    """Grouped bars, one group a row (an area), one bar a measure."""
    drawing = _drawing()
    _title(drawing, title)
    chart = VerticalBarChart()
    chart.x, chart.y = 28, 28
    chart.width, chart.height = TEXT_WIDTH - 40, CHART_HEIGHT - 62
    chart.data = [[(r.get(k) or 0) * (100 if rate else 1) for r in rows] for k in keys]
    chart.categoryAxis.categoryNames = [r["label"][:8] for r in rows]
    _label_font(chart.categoryAxis)
    _label_font(chart.valueAxis)
    if len(rows) > 8:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    if rate:
        chart.valueAxis.valueMax = 100
        chart.valueAxis.labelTextFormat = "%d%%"
    else:
        _whole_numbers(chart.valueAxis, chart.data)
    for n in range(len(keys)):
        chart.bars[n].fillColor = PALETTE[n % len(PALETTE)]
        chart.bars[n].strokeColor = None
    chart.barSpacing = 0.5
    drawing.add(chart)
    _legend(
        drawing,
        TEXT_WIDTH - LEGEND_STEP * len(keys),
        CHART_HEIGHT - 4,
        [(PALETTE[n], str(LABELS[k])) for n, k in enumerate(keys)],
    )
    return drawing


def daily_line(f: dict, title: str) -> Drawing:
    """Reports each day of the month, the days without any at 0."""
    start, end = dt.date.fromisoformat(f["start"]), dt.date.fromisoformat(f["end"])
    counted = {str(d["key"])[:10]: d.get("reported") or 0 for d in f.get("by_day") or []}
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    drawing = _drawing()
    _title(drawing, title)
    chart = HorizontalLineChart()
    chart.x, chart.y = 28, 22
    chart.width, chart.height = TEXT_WIDTH - 40, CHART_HEIGHT - 50
    chart.data = [[counted.get(d.isoformat(), 0) for d in days]]
    chart.categoryAxis.categoryNames = [str(d.day) for d in days]
    _label_font(chart.categoryAxis)
    _label_font(chart.valueAxis)
    chart.valueAxis.valueMin = 0
    _whole_numbers(chart.valueAxis, chart.data)
    chart.lines[0].strokeColor = PALETTE[0]
    chart.lines[0].strokeWidth = 1.5
    drawing.add(chart)
    return drawing


# -- the document -------------------------------------------------------------------------


def render(f: dict) -> bytes:
    """The report for the figures ``f`` (``reports.gather``), as PDF bytes."""
    title = title_of(f)
    month = dt.date.fromisoformat(f["start"])
    compare = f["compare"]
    made = timezone.localtime(dt.datetime.fromisoformat(f["made_at"].replace("Z", "+00:00")))
    story = [
        _p(title, "title"),
        _p(
            _("Cases reported from %(start)s to %(end)s; made %(made)s.")
            % {"start": f["start"], "end": f["end"], "made": f"{made:%Y-%m-%d %H:%M}"},
            "sub",
        ),
        Spacer(0, 4 * mm),
    ]
    sections = iter(range(1, 20))

    def heading(text):
        story.append(_p(f"{next(sections)}. {text}", "h2"))

    heading(_("The month at a glance"))
    story.append(summary_table(compare))
    story.append(
        _p(
            _(
                "Month on month compares with %(previous)s, year on year with %(last_year)s. "
                "Reported, still open, overdue, returned and the three rates count the cases "
                "reported in the month; closed counts the cases closed in it."
            )
            % {
                "previous": month_label((month - dt.timedelta(days=1)).replace(day=1)),
                "last_year": month_label(month.replace(year=month.year - 1)),
            },
            "note",
        )
    )
    for key, _by, title_, column in TABLES:
        rows = f.get(key) or []
        heading(title_)
        charted = key == "by_region" and 0 < len(rows) <= MAX_BARS
        if charted:
            story.append(bars(rows, ("reported", "closed"), _("Cases reported and closed")))
        story.append(figures_table(rows, str(column)))
        if charted:
            story.append(KeepTogether([bars(rows, RATES, _("The three rates"), rate=True)]))
        if key == "by_region":
            story.append(daily_line(f, _("Cases reported each day")))
    heading(_("Time taken"))
    story.append(durations_table(f.get("durations") or {}))
    disputes = f.get("disputes")
    if disputes:
        heading(_("Disputes mediated"))
        head = [_("Disputes"), _("Registered"), _("Concluded"), _("Settled"), _("Settle rate")]
        row = [
            _("This month"),
            number(disputes.get("found")),
            number(disputes.get("concluded")),
            number(disputes.get("settled")),
            percent(disputes.get("settle_rate")),
        ]
        story.append(table(head, [row]))

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=title,
        author=f["region"]["name"],
        creator="共治 Gongzhi",
        lang="zh-CN",
        initialFontName=base_font().fontName,  # no Helvetica among the page's fonts
    )
    page = _("Page %(n)s of %(total)s") % {"n": "{page}", "total": "{pages}"}
    footer = title.replace("{", "{{").replace("}", "}}") + "　" + page  # a str.format
    document.build(story, canvasmaker=functools.partial(PagedCanvas, footer=footer))
    return out.getvalue()
