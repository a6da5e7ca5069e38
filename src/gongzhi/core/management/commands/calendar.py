"""`gongzhi calendar show YEAR` and `gongzhi calendar import FILE`: the working-day calendar
that deadlines are counted on.

chinese-calendar learns a year's holidays only in a release after the State Council's notice
(published each autumn). Until then an administrator enters the year from the notice, in the
admin's working-day calendar or from a CSV file here, one row per holiday or make-up working
day, or per run of them::

    date,kind,name
    2027-02-06..2027-02-13,holiday,春节
    2027-02-14,workday,春节调休

``kind`` is ``holiday`` (放假) or ``workday`` (上班). An import is all or nothing: a file with
one bad row changes nothing and says which row is wrong. Importing a day again replaces it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import chinese_calendar
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongzhi.core import holidays, workdays
from gongzhi.core.models import CalendarDay

KINDS = {"holiday": False, "放假": False, "休": False, "workday": True, "上班": True, "班": True}
RANGE_SEPARATORS = ("..", "~", "至")
LONGEST_RUN = 31  # days: no holiday is longer; a longer range is a typing error


def parse_days(text: str) -> list[dt.date]:
    """One date, or a run of dates written FIRST..LAST (both included)."""
    text = text.strip()
    parts = [text]
    for sep in RANGE_SEPARATORS:
        if sep in text:
            parts = text.split(sep, 1)
            break
    try:
        first, last = (dt.date.fromisoformat(p.strip()) for p in (parts[0], parts[-1]))
    except ValueError:
        raise ValueError(_("not a date (YYYY-MM-DD) or a run of dates (FIRST..LAST)")) from None
    length = (last - first).days + 1
    if not 1 <= length <= LONGEST_RUN:
        raise ValueError(_("not a run of days going forward, at most %d days long") % LONGEST_RUN)
    return [first + dt.timedelta(days=i) for i in range(length)]


def read_rows(path: Path) -> dict[dt.date, tuple[bool, str]]:
    """The file's days (date → (is a working day, name)); CommandError on the first bad row."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel writes a BOM
    except (OSError, UnicodeDecodeError) as error:
        message = _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
        raise CommandError(message) from error
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames or not {"date", "kind"} <= set(reader.fieldnames):
        raise CommandError(_("The file needs a header row with the columns date, kind and name."))
    days: dict[dt.date, tuple[bool, str]] = {}
    for line, row in enumerate(reader, start=2):
        kind = (row.get("kind") or "").strip().lower()
        if kind not in KINDS:
            raise CommandError(
                _("Line %(line)d: the kind must be holiday or workday, not “%(kind)s”.")
                % {"line": line, "kind": row.get("kind") or ""}
            )
        try:
            dates = parse_days(row.get("date") or "")
        except ValueError as error:
            raise CommandError(
                _("Line %(line)d: “%(date)s” is %(error)s.")
                % {"line": line, "date": row.get("date") or "", "error": error}
            ) from error
        name = (row.get("name") or "").strip()[:50]
        for day in dates:
            if day in days and days[day][0] != KINDS[kind]:
                raise CommandError(
                    _("Line %(line)d: %(day)s is both a holiday and a working day in this file.")
                    % {"line": line, "day": day}
                )
            days[day] = (KINDS[kind], name)
    if not days:
        raise CommandError(_("The file holds no days."))
    return days


def _package_name(day: dt.date) -> str:
    """The holiday chinese-calendar says ``day`` belongs to, in the user's language."""
    try:
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    holiday = next((h for h in chinese_calendar.Holiday if h.value == name), None)
    if holiday is None:
        return ""
    return holiday.chinese if get_language().startswith("zh") else holiday.value


class Command(BaseCommand):
    help = _("The working-day calendar: show a year's holidays, or import them from a CSV file.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        show = sub.add_parser("show", help=_("List a year's holidays and make-up working days."))
        show.add_argument("year", type=int)
        load = sub.add_parser("import", help=_("Import holidays and make-up working days."))
        load.add_argument("file", type=Path)

    def handle(self, *args, verb, **options):
        if verb == "import":
            self.stdout.write(json.dumps(self._import(options["file"]), ensure_ascii=False))
        else:
            self._show(options["year"])

    def _import(self, path: Path) -> dict:
        days = read_rows(path)
        existing = set(CalendarDay.objects.filter(date__in=days).values_list("date", flat=True))
        with transaction.atomic():
            for day, (is_workday, name) in sorted(days.items()):
                CalendarDay.objects.update_or_create(
                    date=day, defaults={"is_workday": is_workday, "name": name}
                )
        return {
            "created": len(days) - len(existing),
            "updated": len(existing),
            "years": sorted({d.year for d in days}),
        }

    def _show(self, year: int) -> None:
        if not 1900 < year < 2200:
            raise CommandError(_("%d is not a year this calendar can show.") % year)
        holidays.load()
        rows = {d.date: d for d in CalendarDay.objects.filter(date__year=year)}
        source = workdays.calendar_source(year)
        self.stdout.write(
            {
                "platform": _("%(year)d: holidays from the platform's working-day calendar."),
                "package": _("%(year)d: holidays from the chinese-calendar package."),
                "weekdays": _(
                    "%(year)d: no holiday calendar; Monday to Friday count as working days. "
                    "Enter the year's holidays with `gongzhi calendar import` or in the admin."
                ),
            }[source]
            % {"year": year}
        )
        day = dt.date(year, 1, 1)
        while day.year == year:
            working = workdays.is_workday(day)
            if working != (day.weekday() < 5) or day in rows:
                row = rows.get(day)
                self.stdout.write(
                    "  ".join(
                        [
                            day.isoformat(),
                            date_format(day, "l"),
                            _("working day") if working else _("holiday"),
                            row.name if row else _package_name(day),
                        ]
                    ).rstrip()
                )
            day += dt.timedelta(days=1)
