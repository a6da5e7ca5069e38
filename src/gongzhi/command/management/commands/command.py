"""`gongzhi command rollup|warn|report|safety`: the command centre's jobs by hand.

* ``rollup --rebuild`` recounts the daily figures from the records (after a restore, or
  when a check finds them off); without it, counts only the days marked stale.
* ``warn`` runs the early-warning test now (it also runs each night).
* ``report`` makes a month's reports now (they are also made on the month's first working
  day).
* ``safety FILE`` imports the police's monthly public-safety figures from their workbook.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def _month(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError as exc:
        raise CommandError(_("A month is written YYYY-MM, e.g. 2026-11.")) from exc


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(_("A day is written YYYY-MM-DD, e.g. 2026-11-30.")) from exc


class Command(BaseCommand):
    help = _("The command centre's jobs: `rollup`, `warn`, `report`, `safety`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        rollup = sub.add_parser("rollup", help=_("Count the daily figures."))
        rollup.add_argument(
            "--rebuild", action="store_true", help=_("Recount every day from the records.")
        )
        warn = sub.add_parser("warn", help=_("Run the early-warning test now."))
        warn.add_argument("--day", type=_day, help=_("The day to test (default: today)."))
        report = sub.add_parser("report", help=_("Make a month's reports now."))
        report.add_argument(
            "--month", type=_month, help=_("YYYY-MM (default: the month before this one).")
        )
        safety = sub.add_parser("safety", help=_("Import the police's public-safety workbook."))
        safety.add_argument("path", help=_("The workbook (.xlsx)."))

    def handle(self, *args, verb, **options):
        if verb == "rollup":
            from gongzhi.command import rollups

            result = rollups.rebuild() if options["rebuild"] else rollups.refresh_stale()
        elif verb == "warn":
            from gongzhi.command import early_warnings

            result = early_warnings.run(day=options["day"])
        elif verb == "report":
            from gongzhi.command import reports

            result = reports.produce(month=options["month"])
        else:
            from gongzhi.command import safety

            result = safety.import_path(options["path"])
        self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
