"""`gongzhi calendar show YEAR` and `gongzhi calendar import FILE`: the working-day calendar
that deadlines are counted on (``core.holidays``: the file's format is described there).

An import is all or nothing: a file with one bad row changes nothing and says which row is
wrong. Importing a day again replaces it.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gongzhi.core import audit, holidays, workdays


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
        try:
            raw = path.read_bytes()
        except OSError as error:
            message = _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            raise CommandError(message) from error
        try:
            days = holidays.check_csv(holidays.decode_csv(raw))
        except holidays.CalendarError as error:
            raise CommandError(str(error)) from error
        result = holidays.do_import(days)
        # Every deadline counts on these days: the import is a configuration change, recorded
        # as the admin's import page records it.
        audit.record_here(
            action="calendar_import",
            reason=f"{result['created']} new, {result['updated']} replaced; {path.name}",
        )
        return result

    def _show(self, year: int) -> None:
        if not 1900 < year < 2200:
            raise CommandError(_("%d is not a year this calendar can show.") % year)
        days = holidays.year_days(year)
        self.stdout.write(
            {
                "platform": _("%(year)d: holidays from the platform's working-day calendar."),
                "package": _("%(year)d: holidays from the chinese-calendar package."),
                "weekdays": _(
                    "%(year)d: no holiday calendar; Monday to Friday count as working days. "
                    "Enter the year's holidays with `gongzhi calendar import` or in the admin."
                ),
            }[workdays.calendar_source(year)]
            % {"year": year}
        )
        if workdays.calendar_source(year) == "platform" and not holidays.looks_complete(year):
            self.stdout.write(
                _(
                    "Warning: %(year)d looks incomplete (fewer than %(days)d days off, or none "
                    "on 1 January, 1 May or 1 October); the days missing count as working days."
                )
                % {"year": year, "days": holidays.STATUTORY_DAYS_OFF}
            )
        for day, working, name in days:
            kind = _("working day") if working else _("holiday")
            self.stdout.write(
                "  ".join([day.isoformat(), date_format(day, "l"), kind, name]).rstrip()
            )
