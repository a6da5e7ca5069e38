"""`gongzhi import_streets FILE` — load the street gazetteer from a GeoJSON file."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.regions import gazetteer


class Command(BaseCommand):
    help = _(
        "Import streets (LineString or Point features with the properties name, region, "
        "aliases, from, to) into the street gazetteer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", default="", help=_("Where the streets come from."))

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        try:
            counts = gazetteer.import_geojson(data, source=options["source"] or options["file"])
        except gazetteer.StreetImportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("%(created)d streets added, %(updated)d updated.") % counts)
