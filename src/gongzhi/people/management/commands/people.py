"""`gongzhi people import FILE --as USERNAME` — residents from an Excel workbook.

Checks every row as the page does and imports all of them, or nothing: the problems are
printed by row and column. ``--check`` only checks. The import is audited as the user's.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.errors import ServiceError
from gongzhi.people import imports


class Command(BaseCommand):
    help = _("The people register from the command line.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        imp = sub.add_parser("import", help=_("Import residents from an Excel workbook."))
        imp.add_argument("file")
        imp.add_argument(
            "--as",
            dest="username",
            required=True,
            help=_("The user importing: the places must be within their area."),
        )
        imp.add_argument(
            "--check", action="store_true", help=_("Check every row, but write nothing.")
        )

    def handle(self, *args, verb, **options):
        getattr(self, f"handle_{verb}")(**options)

    def handle_import(self, *, file, username, check, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active user %(name)s.") % {"name": username})
        try:
            if check:
                report = imports.check_import(file=file, actor=user).report
                if report.problems:
                    raise imports.ImportRefused(report)
            else:
                report = imports.do_import(file=file, actor=user, filename=file)
        except imports.ImportRefused as refused:
            for p in refused.report.problems:
                where = f"{p.row}{p.column and ' ' + p.column}{p.header and ' ' + p.header}"
                self.stdout.write(self.style.ERROR(f"{where}: {p.message}"))
            raise CommandError(refused.message) from None
        except ServiceError as error:
            raise CommandError(error.message) from None
        message = _(
            "%(verb)s %(residents)d residents: %(households)d new and %(matched)d existing "
            "households, %(houses)d new and %(houses_matched)d existing houses."
        ) % {
            "verb": _("Checked, would import") if check else _("Imported"),
            "residents": report.rows if check else report.residents,
            "households": report.households_new,
            "matched": report.households_matched,
            "houses": report.houses_new,
            "houses_matched": report.houses_matched,
        }
        self.stdout.write(self.style.SUCCESS(message))
