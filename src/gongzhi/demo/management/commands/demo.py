from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.demo.loader import NotADemoDatabase, load
from gongzhi.regions.models import RegionLevel


def _count_label(key: str) -> str:
    if key in RegionLevel.values:
        return str(RegionLevel(key).label)
    return {"grid": _("grids"), "created": _("created"), "updated": _("updated")}.get(key, key)


# Said on every load, on stderr so that it is seen even when the logins are piped away.
DEMO_WARNING = gettext_noop(
    "WARNING: this is a demo. Every demo login, the superuser demo_admin among them, shares "
    "a password published in the source. Never load the demo into a database with real "
    "people or reports, and never expose it to a network. For a real installation use an "
    "empty database and create the first account with `gongzhi createsuperuser`."
)


class Command(BaseCommand):
    help = _("Load the 海东 demo (idempotent) and print a demo login for every role.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("load", help=_("Load or refresh the demo data and print the logins."))
        grow = sub.add_parser(
            "grow", help=_("Grow a loaded demo to N cases (copies of its own cases, two years).")
        )
        grow.add_argument("--cases", type=int, required=True, help=_("Number of cases to reach."))
        grow.add_argument("--days", type=int, default=730, help=_("Spread over this many days."))

    def handle(self, *args, verb, **options):
        if verb == "grow":
            return self._grow(options)
        try:
            result = load(stdout=self.stdout if options["verbosity"] > 1 else None)
        except NotADemoDatabase:
            raise CommandError(
                _(
                    "This database holds accounts or reports that are not the demo's: the "
                    "demo, whose logins share a published password, is never loaded into it. "
                    "For a real installation create the first account with "
                    "`gongzhi createsuperuser`."
                )
            ) from None
        counts = result["regions"]
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo ready: %(counts)s")
                % {"counts": ", ".join(f"{_count_label(k)} {v}" for k, v in counts.items())}
            )
        )
        cases = result["cases"]
        if cases.get("skipped"):
            self.stdout.write(_("Demo cases already present; none added."))
        else:
            self.stdout.write(_("Demo cases created: %(n)s") % {"n": cases["cases"]})
        if result.get("triage_model"):
            self.stdout.write(
                _("Triage classifier trained on the demo cases: %(version)s")
                % {"version": result["triage_model"]}
            )
            self.stdout.write(
                _("Open cases assessed by it: %(n)d (%(pending)d wait in the triage queue)")
                % result["assessed"]
            )
        if options["verbosity"] > 0:
            self.stdout.write(_("Demo logins (one per role):"))
            for row in result["logins"]:
                who = " · ".join(filter(None, [row["name"], row["organisation"]]))
                self.stdout.write(
                    f"  {row['role']:<18} {row['username']:<22} {row['password']:<16} {who}"
                )
        self.stderr.write(self.style.WARNING(_(DEMO_WARNING)))

    def _grow(self, options):
        from gongzhi.demo.grow import grow

        if options["cases"] < 1 or options["days"] < 1:
            raise CommandError(_("--cases and --days must be positive numbers."))
        try:
            made = grow(options["cases"], days=options["days"], stdout=self.stdout)
        except NotADemoDatabase:
            raise CommandError(
                _(
                    "Only a loaded demo is grown: this database holds no demo (run `gongzhi "
                    "demo load` on an empty database first) or holds accounts or reports that "
                    "are not the demo's."
                )
            ) from None
        if not made.get("cases"):
            self.stdout.write(
                _("The demo holds %(n)s cases already; none added.") % {"n": made["had"]}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo grown from %(had)s to %(total)s cases in %(s)s s "
                    "(%(callbacks)s callbacks, %(events)s timeline entries)."
                )
                % {
                    "had": made["had"],
                    "total": made["had"] + made["cases"],
                    "s": round(made["generate_s"] + made["rollups_s"], 1),
                    "callbacks": made["callbacks"],
                    "events": made["events"],
                }
            )
        )
        self.stderr.write(self.style.WARNING(_(DEMO_WARNING)))
