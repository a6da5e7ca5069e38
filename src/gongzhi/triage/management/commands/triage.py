"""`gongzhi triage train | calibrate | evaluate | classify | hotspots | locate | models` — triage
from the CLI. ``train`` also refits the duplicate scorer's calibration from the recorded
merge verdicts (``calibrate``), and says what it did.

Figures are printed as JSON (one object) so scripts and bench/ can read them.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.triage import hotspots as hot
from gongzhi.triage import places, services
from gongzhi.triage.classifier import TextClassifier
from gongzhi.triage.datasets import read_messages
from gongzhi.triage.evaluation import DataError, cross_validate, read_csv
from gongzhi.triage.text import governance_terms


def _cols(value: str) -> list[str]:
    cols = [c.strip() for c in value.split(",") if c.strip()]
    if not cols:
        raise CommandError(_("--text-cols needs at least one column name."))
    return cols


class Command(BaseCommand):
    help = _("Train and evaluate the report classifier; find hotspots; place names in text.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        tr = sub.add_parser("train", help=_("Train a new model version and activate it."))
        tr.add_argument(
            "--data", help=_("A CSV to train from (default: the platform's closed cases).")
        )
        tr.add_argument("--text-cols", default="title,detail")
        tr.add_argument("--label-col", default="label")
        tr.add_argument(
            "--no-activate", action="store_true", help=_("Keep the current model active.")
        )
        tr.add_argument("--no-holdout", action="store_true", help=_("Skip the held-out metrics."))
        tr.add_argument(
            "--from-decisions",
            action="store_true",
            help=_(
                "Add the dispatchers' confirmed categories and activate the new model only "
                "if it is not worse than the active one on the same held-out reports."
            ),
        )
        tr.add_argument(
            "--force",
            action="store_true",
            help=_(
                "With --from-decisions: retrain even with fewer new decisions than the policy asks."
            ),
        )

        tr.add_argument(
            "--no-calibrate",
            action="store_true",
            help=_("Leave the duplicate scorer's calibration as it is."),
        )
        ca = sub.add_parser(
            "calibrate",
            help=_(
                "Refit the duplicate scorer's calibration from the recorded merge verdicts; "
                "keep the previous one if there are too few or the refit is worse on "
                "held-out verdicts."
            ),
        )
        ca.add_argument(
            "--force",
            action="store_true",
            help=_("Refit even with fewer new verdicts than needed (the other checks hold)."),
        )

        ex = sub.add_parser("export", help=_("Write the dispatchers' decisions as a labelled CSV."))
        ex.add_argument("--kind", choices=["categories", "merges"], default="categories")
        ex.add_argument("--out", required=True, help=_("The CSV file to write."))

        ev = sub.add_parser("evaluate", help=_("Cross-validate on a CSV and print JSON figures."))
        ev.add_argument("--data", required=True)
        ev.add_argument("--text-cols", default="title,detail")
        ev.add_argument("--label-col", default="label")
        ev.add_argument("--folds", type=int, default=5)
        ev.add_argument("--seed", type=int, default=0)

        cl = sub.add_parser("classify", help=_("Classify one report with the active model."))
        cl.add_argument("title")
        cl.add_argument("text", nargs="?", default="")

        hs = sub.add_parser("hotspots", help=_("Print the top hotspots of a CSV of messages."))
        hs.add_argument("--data", required=True)
        hs.add_argument("--top", type=int, default=5)
        hs.add_argument("--window-days", type=float, default=90.0)

        lo = sub.add_parser("locate", help=_("Find the region and grid a text names."))
        lo.add_argument("text")

        sub.add_parser("models", help=_("List the trained model versions."))
        ac = sub.add_parser("activate", help=_("Make a trained model version the active one."))
        ac.add_argument("version")

    def handle(self, *args, verb, **options):
        try:
            getattr(self, f"handle_{verb}")(**options)
        except (DataError, services.TriageError) as exc:
            raise CommandError(str(exc)) from exc

    def _print(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))

    def handle_calibrate(self, *, force, **_o):
        self._print(self._calibrate(force=force))

    def _calibrate(self, *, force: bool = False) -> dict:
        from gongzhi.triage import calibration

        return calibration.do_calibrate(
            threshold=services.policy().duplicate_min_score, force=force
        )

    def handle_train(self, *, no_calibrate, **options):
        result = self._train(**options)
        if not no_calibrate:
            result = {**result, "duplicate_calibration": self._calibrate()}
        self._print(result)

    def _train(
        self, *, data, text_cols, label_col, no_activate, no_holdout, from_decisions, force, **_o
    ) -> dict:
        if from_decisions:
            if no_activate or no_holdout:
                raise CommandError(
                    _(
                        "--from-decisions compares on held-out folds and activates a better model: it cannot be combined with --no-activate or --no-holdout."
                    )
                )
            records = None
            source = "platform+decisions"
            if data:
                records = read_csv(data, text_cols=_cols(text_cols), label_col=label_col)
                records += services.decision_records()
                source = f"csv:{data}+decisions"
            return services.do_retrain(records=records, source=source, force=force)
        if data:
            records = read_csv(data, text_cols=_cols(text_cols), label_col=label_col)
            source = f"csv:{data}"
        else:
            records = services.platform_records()
            source = "platform"
        row = services.do_train(
            records, source=source, activate=not no_activate, holdout=not no_holdout
        )
        return {
            "version": row.version,
            "active": row.is_active,
            "source": row.source,
            "n_train": row.n_train,
            "train_seconds": row.train_seconds,
            "metrics": row.metrics,
            "label_counts": row.label_counts,
        }

    def handle_evaluate(self, *, data, text_cols, label_col, folds, seed, **_o):
        records = read_csv(data, text_cols=_cols(text_cols), label_col=label_col)
        words = governance_terms()
        result = cross_validate(
            records, folds=folds, seed=seed, make=lambda: TextClassifier(extra_words=words)
        )
        self._print(result)

    def handle_export(self, *, kind, out, **_o):
        from gongzhi.triage import exports

        n = exports.write_csv(kind, out)
        self._print({"kind": kind, "rows": n, "out": out})

    def handle_classify(self, *, title, text, **_o):
        result = services.classify(title, text)
        if result is None:
            raise CommandError(_("No triage model is active: run “gongzhi triage train” first."))
        self._print(result)

    def handle_hotspots(self, *, data, top, window_days, **_o):
        if top < 1:
            raise CommandError(_("--top must be at least 1."))
        found = hot.hotspots(read_messages(data), top=top, window_days=window_days)
        self._print(
            [
                {k: v for k, v in h.as_dict().items() if k != "ids"} | {"ids": h.ids[:20]}
                for h in found
            ]
        )

    def handle_locate(self, *, text, **_o):
        found = places.locate_text(text)
        self._print(
            {"places": places.extract_places(text), "location": found.as_dict() if found else None}
        )

    def handle_models(self, **_o):
        from gongzhi.triage.models import TriageModel

        self._print(
            [
                {
                    "version": m.version,
                    "active": m.is_active,
                    "source": m.source,
                    "n_train": m.n_train,
                    "metrics": m.metrics,
                    "created_at": m.created_at,
                }
                for m in TriageModel.objects.all()
            ]
        )

    def handle_activate(self, *, version, **_o):
        row = services.do_activate(version=version)
        self._print({"version": row.version, "active": row.is_active})
