"""`gongzhi backup FILE`: one consistent, encrypted archive of the database and the
uploaded files (``gongzhi.core.backup``). `gongzhi backup --new-key` prints a key to keep
outside the server; the key comes from GONGZHI_BACKUP_KEY or --key-file."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core import audit, backup


class Command(BaseCommand):
    help = _("Write an encrypted backup of the database and the uploaded files.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help=_("The archive to write."))
        parser.add_argument("--key-file", help=_("A file holding the backup key."))
        parser.add_argument(
            "--new-key", action="store_true", help=_("Print a new backup key and stop.")
        )

    def handle(self, *args, file=None, key_file=None, new_key=False, **options):
        if new_key:
            self.stdout.write(backup.new_key())
            return
        if not file:
            raise CommandError(_("Name the archive to write: gongzhi backup FILE"))
        try:
            key = backup.load_key(key_file)
            manifest = backup.backup(file, key)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        # A backup carries every resident's personal data: who took one is kept (the reason
        # is the command line, so the archive's name).
        audit.record_here(action="backup")
        summary = {k: manifest[k] for k in ("created_at", "engine", "counts")}
        summary["media_files"] = len(manifest["media"])
        summary["file"] = str(file)
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
