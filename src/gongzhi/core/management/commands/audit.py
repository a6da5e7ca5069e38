"""`gongzhi audit verify` and `gongzhi audit export --since DATE FILE`: the audit log's hash
chain (``core.audit``).

``verify`` recomputes every row's hash and link, reports each gap in the numbering and each
changed row, and exits non-zero when there is one. ``verify --against FILE`` also checks an
export made earlier: its own chain, and that the database still holds every exported row as
it was (a rewritten or cut-off log). ``verify --file FILE`` checks an export alone, on a
machine without the database.

``export`` writes one JSON object a line, with the hashes, for keeping off-site. Nothing
purges the log: every row is kept.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.models import AuditLog


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(_("%s is not a date (YYYY-MM-DD).") % text) from error


def _read_export(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as error:
        message = _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
        raise CommandError(message) from error


class Command(BaseCommand):
    help = _("The audit log's hash chain: verify it, or export it for keeping off-site.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        check = sub.add_parser("verify", help=_("Check that no audit row was changed or removed."))
        check.add_argument("--against", type=Path, help=_("Also compare with an earlier export."))
        check.add_argument("--file", type=Path, help=_("Check an export alone."))
        out = sub.add_parser("export", help=_("Write the audit rows as JSON lines."))
        out.add_argument("--since", type=_day, help=_("The first day to write (YYYY-MM-DD)."))
        out.add_argument("file", type=Path)

    def handle(self, *args, verb, **options):
        if verb == "export":
            self._export(options["file"], options["since"])
        else:
            self._verify(options["file"], options["against"])

    def _export(self, path: Path, since: date | None) -> None:
        rows = AuditLog.objects.order_by("seq")
        if since is not None:
            rows = rows.filter(at__gte=timezone.make_aware(datetime.combine(since, time.min)))
        count = 0
        try:
            with path.open("w", encoding="utf-8") as out:
                for row in rows.iterator(chunk_size=2000):
                    out.write(audit.export_line(row) + "\n")
                    count += 1
        except OSError as error:
            message = _("Cannot write %(path)s: %(error)s") % {"path": path, "error": error}
            raise CommandError(message) from error
        audit.record_here(action="audit_export", reason=f"{count} rows")
        self.stdout.write(json.dumps({"exported": count, "file": str(path)}))

    def _verify(self, file: Path | None, against: Path | None) -> None:
        problems = []
        if file is not None:
            verdict = audit.verify_rows(_read_export(file), start_seq=None, prev_hash=None)
        else:
            rows = AuditLog.objects.order_by("seq").iterator(chunk_size=2000)
            verdict = audit.verify_rows(rows)
        problems += verdict.problems
        if against is not None and file is None:
            exported = _read_export(against)
            problems += audit.verify_rows(exported, start_seq=None, prev_hash=None).problems
            kept = dict(
                AuditLog.objects.filter(seq__in=[r["seq"] for r in exported]).values_list(
                    "seq", "row_hash"
                )
            )
            for row in exported:
                if kept.get(row["seq"]) != row["row_hash"]:
                    problems.append({"problem": "differs from export", "seq": row["seq"]})
        summary = {"checked": verdict.checked, "last_seq": verdict.last_seq}
        self.stdout.write(json.dumps(summary))
        for problem in problems:
            self.stderr.write(self._describe(problem))
        if problems:
            raise CommandError(
                _("The audit log does not verify: %d problem(s).") % len(problems), returncode=2
            )
        self.stdout.write(_("The audit log verifies: no row changed, no gap."))

    def _describe(self, problem: dict) -> str:
        return audit.describe(problem)
