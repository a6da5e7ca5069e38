"""Values written into Excel workbooks (every openpyxl writer of the platform uses these).

Reporters, callers and importers write the text that lands in a dispatcher's workbook, so
a cell must never run as a formula (CSV/formula injection, OWASP): a text that starts with
one of ``= + - @``, a tab or a carriage return (or their full-width forms, which some
spreadsheet programs accept too) is written with a leading apostrophe, and stays text.
Control characters that XML 1.0 cannot hold (openpyxl refuses them, and the whole export
would fail) are dropped; tabs and line breaks stay.
"""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value):
    """``value`` as it may be written into a cell: text cleaned and never a formula;
    numbers, dates, None and cells of other kinds unchanged."""
    if isinstance(value, Cell):  # a styled cell (``WriteOnlyCell``): its text, if any
        if isinstance(value.value, str):  # numbers and dates keep the format they were given
            value.value = safe_cell(value.value)
        return value
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values) -> list:
    """A row for ``sheet.append``: every value through ``safe_cell``."""
    return [safe_cell(v) for v in values]


def safe_sheet(sheet):
    """``sheet`` with every row it is given through ``safe_cell``: the one call each writer
    makes where it creates a sheet, so that no row of it can be forgotten."""
    append = sheet.append

    def safe_append(row):
        if isinstance(row, dict):
            return append({k: safe_cell(v) for k, v in row.items()})
        return append(safe_row(row))

    sheet.append = safe_append
    return sheet
