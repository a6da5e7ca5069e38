"""`gongzhi restore FILE`: restore a `gongzhi backup` archive into an empty database
(run `gongzhi restore` before `gongzhi migrate` on a new database), refusing one that
already holds tables unless --force; the result is checked against the archive's
manifest (counts of cases, photos and audit rows; every photo file)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core import audit, backup


class Command(BaseCommand):
    help = _("Restore a backup archive into an empty database.")
    # The database may have no tables yet: nothing may be checked against it first.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The archive to restore."))
        parser.add_argument("--key-file", help=_("A file holding the backup key."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Replace what is in a database that is not empty."),
        )

    def handle(self, *args, file, key_file=None, force=False, **options):
        try:
            key = backup.load_key(key_file)
            restored = backup.restore(file, key, force=force)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": file, "error": error}
            ) from error
        # Continues the restored audit log: when the data was put back, and from which file.
        audit.record_here(action="restore", reason=restored.manifest["created_at"])
        summary = {
            "created_at": restored.manifest["created_at"],
            "counts": restored.counts,
            "media_files": len(restored.manifest["media"]),
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
