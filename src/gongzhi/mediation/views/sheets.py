"""Excel (.xlsx) downloads of the board as filtered and of the figures as shown.

The rows come from the same scoped querysets and figures as the pages. Nothing personal is
written: no party, no facts, no name typed into a mediator's judgement; titles scrubbed as
the API shows them (the parties' data and any phone or ID number masked). openpyxl writes
in write-only mode, streaming rows.
"""

from __future__ import annotations

import io
from itertools import islice

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from gongzhi.core.sheets import safe_cell, safe_sheet

from .. import services
from ..choices import Level, Risk, Source, State

WHEN = "yyyy-mm-dd hh:mm"
BATCH = 500  # disputes whose parties are read at once to scrub their titles
PERCENT = "0.0%"
JUDGEMENT = "调解员研判"  # the prefix actions.judge_risk gives a mediator's own words


def _local(moment):
    # Excel has no time zones: the local time the pages show, without its zone.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _cell(sheet, value, number_format=None, bold=False):
    cell = WriteOnlyCell(sheet, value=safe_cell(value))  # made before the row is checked
    if number_format and value is not None:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _reasons(reasons) -> str:
    # The rules' reasons as they are; a mediator's judgement by its kind only (free text).
    return "；".join(JUDGEMENT if str(r).startswith(JUDGEMENT) else str(r) for r in reasons or [])


def _with_titles(disputes):
    """(dispute, its title scrubbed), the parties read a batch of disputes at a time."""
    rows = iter(disputes)
    while batch := list(islice(rows, BATCH)):
        scrub = services.scrubbers([d.pk for d in batch])
        for d in batch:
            yield d, scrub[d.pk](d.title)


def board_workbook(disputes, *, now) -> bytes:
    book = Workbook(write_only=True)
    sheet = safe_sheet(book.create_sheet(_("Disputes")))
    sheet.freeze_panes = "A2"
    widths = (20, 30, 14, 16, 16, 26, 14, 8, 30, 18, 12, 17, 8, 17)
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    titles = [
        _("Dispute number"),
        _("Title"),
        _("Type"),
        _("Place"),
        _("Level"),
        _("Held by"),
        _("State"),
        _("Risk"),
        _("Risk reasons"),
        _("Source"),
        _("Amount at stake (yuan)"),
        _("Registered"),
        _("Days open"),
        _("Moves up at"),
    ]
    sheet.append([_cell(sheet, t, bold=True) for t in titles])
    for d, title in _with_titles(disputes):
        sheet.append(
            [
                d.number,
                title,
                d.type.name,
                d.region.name,
                str(Level.label_of(d.level)),
                d.holder.name if d.holder_id else "",
                str(State.label_of(d.state)),
                str(Risk.label_of(d.risk)),
                _reasons(d.risk_reasons),
                str(Source.label_of(d.source)),
                d.amount,
                _cell(sheet, _local(d.created_at), WHEN),
                (now - d.created_at).days,
                _cell(sheet, _local(d.level_due), WHEN),
            ]
        )
    return _save(book)


def figures_workbook(rows, overall, *, group_label: str, first_day, last_day, area: str) -> bytes:
    """The figures as shown: one row per group, then the total."""
    book = Workbook(write_only=True)
    sheet = safe_sheet(book.create_sheet(_("Figures")))
    sheet.freeze_panes = "A3"
    sheet.column_dimensions["A"].width = 28
    sheet.append(
        [
            _("Disputes registered from %(first)s to %(last)s, within your scope")
            % {"first": first_day.isoformat(), "last": last_day.isoformat()}
            + (f" · {area}" if area else "")
        ]
    )
    titles = [
        group_label,
        _("Found"),
        _("Concluded"),
        _("Settled"),
        _("Settlement rate"),
        _("Settled in the village"),
        _("Settled within the township"),
        _("Repeats"),
        _("Repeat rate"),
        _("Average days to settle"),
        _("Performed"),
        _("Not performed"),
        _("Performance rate"),
    ]
    sheet.append([_cell(sheet, t, bold=True) for t in titles])
    for row in [*rows, *([overall] if overall else [])]:
        sheet.append(
            [
                str(row["label"]),
                row["found"],
                row["concluded"],
                row["settled"],
                _cell(sheet, row["settle_rate"], PERCENT),
                _cell(sheet, row["village_share"], PERCENT),
                _cell(sheet, row["township_share"], PERCENT),
                row["repeats"],
                _cell(sheet, row["repeat_rate"], PERCENT),
                row["avg_days_to_settle"],
                row["performed"],
                row["not_performed"],
                _cell(sheet, row["performance_rate"], PERCENT),
            ]
        )
    return _save(book)
