"""`gongzhi mediation fonts`: cut the agreements' font from the system's Noto CJK face now
(10–20 s, once per font file), so that the first agreement printed does not wait for it.
`make run` runs it before serving; a deployment runs it once, as it does collectstatic."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.mediation import printing


class Command(BaseCommand):
    help = _("Prepare the font the mediation agreements are printed with.")

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["fonts"])

    def handle(self, *args, verb, **options):
        try:
            path = printing.cached_cut()
        except printing.FontMissing as missing:
            raise CommandError(str(missing)) from missing
        self.stdout.write(_("The agreements' font is ready: %(path)s") % {"path": path})
