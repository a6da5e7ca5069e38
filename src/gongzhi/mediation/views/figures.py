"""纠纷统计: the figures of the viewer's area and the places in it, per place, level, type
or month of a period (``mediation.figures``), as a table, a chart and an Excel download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gongzhi.core.errors import ServiceError

from .. import figures as computed
from ..forms import FIGURE_GROUPS, FiguresForm
from . import sheets
from .common import BOARD_ROLES, download, page, require

CHART_TOP = 20
# The rates the chart draws, as percentages (小事不出村、大事不出镇); the table has them all.
CHARTED = [
    ("settle_rate", gettext_lazy("Settlement rate")),
    ("village_share", gettext_lazy("Settled in the village")),
    ("township_share", gettext_lazy("Settled within the township")),
]


def figures_table(request) -> dict:
    """The figures the page and its download show, for the chosen area, grouping and
    period (a refused area or period: no rows, the reason beside its field)."""
    form = FiguresForm(request.GET, viewer=request.user)
    chosen = form.chosen()
    try:
        rows = computed.figures(
            user=request.user,
            region=chosen["region"],
            period_start=chosen["start"],
            period_end=chosen["end"],
            group_by=chosen["group_by"],
        )
    except ServiceError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        rows = []
    return {
        "form": form,
        **chosen,
        "group_label": dict(FIGURE_GROUPS)[chosen["group_by"]],
        "rows": rows,
        "overall": computed.total(rows) if rows else None,
    }


def _pct(value):
    return None if value is None else round(value * 100, 1)


RATES = ("settle_rate", "village_share", "township_share", "repeat_rate", "performance_rate")


def _shown(row: dict) -> dict:
    """A row's rates as the table prints them: "87.5%", or "—" without a base."""
    return {k: "—" if row[k] is None else f"{_pct(row[k])}%" for k in RATES}


def _chart(rows) -> dict:
    shown = sorted((r for r in rows if r["found"]), key=lambda r: -r["found"])[:CHART_TOP]
    return {
        "labels": [str(r["label"]) for r in shown],
        "series": [
            {"name": str(name), "data": [_pct(r[key]) for r in shown]} for key, name in CHARTED
        ],
    }


@login_required
@require_GET
def figures_page(request):
    require(request, BOARD_ROLES)
    data = figures_table(request)
    rows = data["rows"]
    return page(
        request,
        "mediation/figures.html",
        {
            **data,
            "table": [(row, _shown(row)) for row in rows],
            "overall_shown": _shown(data["overall"]) if data["overall"] else None,
            "chart": _chart(rows),
            "chart_is_partial": sum(1 for r in rows if r["found"]) > CHART_TOP,
            "chart_top": CHART_TOP,
        },
    )


@login_required
@require_GET
def figures_export(request):
    require(request, BOARD_ROLES)
    data = figures_table(request)
    content = sheets.figures_workbook(
        data["rows"],
        data["overall"],
        group_label=str(data["group_label"]),
        first_day=data["start"],
        last_day=data["end"],
        area=data["region"].name if data["region"] else "",
    )
    return download(request, content, _("Dispute figures"), "mediation figures", len(data["rows"]))
