"""`gongzhi regions import FILE | check | locate LNG LAT` — boundaries from the command line."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.regions import importer, lookup, topology
from gongzhi.regions.coords import CRS_CHOICES
from gongzhi.regions.services import hit_as_dict


class Command(BaseCommand):
    help = _("Import, check and query region and grid boundaries.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        imp = sub.add_parser(
            "import", help=_("Import boundaries from a GeoJSON FeatureCollection.")
        )
        imp.add_argument("file")
        imp.add_argument(
            "--crs",
            choices=CRS_CHOICES,
            default="wgs84",
            help=_("Coordinate system of the file (converted to WGS84)."),
        )
        imp.add_argument(
            "--dry-run", action="store_true", help=_("Validate and count, but write nothing.")
        )
        imp.add_argument(
            "--allow-gaps",
            action="store_true",
            help=_(
                "Report parents not fully covered by their children as "
                "warnings (for partial files)."
            ),
        )
        imp.add_argument(
            "--tolerance-m",
            type=float,
            default=topology.DEFAULT_TOLERANCE_M,
            help=_("Ignore overlaps and gaps narrower than this many metres."),
        )
        chk = sub.add_parser("check", help=_("Check the stored boundaries for problems."))
        chk.add_argument("--tolerance-m", type=float, default=topology.DEFAULT_TOLERANCE_M)
        chk.add_argument(
            "--allow-gaps",
            action="store_true",
            help=_("Report uncovered parts of parents as warnings."),
        )
        loc = sub.add_parser("locate", help=_("Print the grid holding a point, as JSON."))
        loc.add_argument("lng", type=float)
        loc.add_argument("lat", type=float)
        loc.add_argument("--crs", choices=CRS_CHOICES, default="wgs84")

    def handle(self, *args, verb, **options):
        getattr(self, f"handle_{verb}")(**options)

    def handle_import(self, *, file, crs, dry_run, allow_gaps, tolerance_m, **options):
        try:
            report = importer.import_file(
                file, crs=crs, dry_run=dry_run, tolerance_m=tolerance_m, allow_gaps=allow_gaps
            )
        except importer.ImportFailed as exc:
            for line in exc.report.errors:
                self.stdout.write(self.style.ERROR(line))
            raise CommandError(
                _("%(n)d problem(s) in %(file)s; nothing was imported.")
                % {"n": len(exc.report.errors), "file": file}
            ) from exc
        for line in report.warnings:
            self.stdout.write(self.style.WARNING(line))
        c = report.counts
        message = _(
            "%(verb)s %(features)d features: %(created)d created, %(updated)d updated, "
            "%(same)d unchanged."
        ) % {
            "verb": _("Dry run, would import") if dry_run else _("Imported"),
            "features": len(report.features),
            "created": c["created"],
            "updated": c["updated"],
            "same": len(report.features) - c["created"] - c["updated"],
        }
        self.stdout.write(self.style.SUCCESS(message))

    def handle_check(self, *, tolerance_m, allow_gaps, **options):
        report = importer.check_stored(tolerance_m=tolerance_m, allow_gaps=allow_gaps)
        for line in report.warnings:
            self.stdout.write(self.style.WARNING(line))
        problems = report.errors
        for line in problems:
            self.stdout.write(self.style.ERROR(line))
        if problems:
            raise CommandError(_("%(n)d problem(s) found.") % {"n": len(problems)})
        self.stdout.write(self.style.SUCCESS(_("No problems found.")))

    def handle_locate(self, *, lng, lat, crs, **options):
        hit = lookup.locate(lng, lat, crs=crs)
        payload = hit_as_dict(hit) if hit else {"grid": None}
        self.stdout.write(json.dumps(payload, ensure_ascii=False))
        if hit is None:
            raise CommandError(_("No grid within the snap tolerance of this point."))
