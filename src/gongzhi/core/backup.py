"""One consistent, encrypted archive of the database and the uploaded files (issue 22,
safeguard 7), and its restore into an empty database.

The archive is a tar holding ``manifest.json``, the database (``database.sqlite3``, taken
with SQLite's online backup API, or ``database.pgdump``, ``pg_dump --format=custom``) and
``media/`` (``MEDIA_ROOT`` walked after the database copy). The tar is encrypted with
Fernet under a key kept outside the database (``GONGZHI_BACKUP_KEY`` or a key file), in
chunks so a large archive never sits in memory. Each chunk carries its number and whether
it is the last, inside the encryption, so reordered, dropped or cut-off chunks are refused
as well as changed ones.

File layout: ``MAGIC``, one line of JSON header (format, key fingerprint), then for each
chunk a 4-byte big-endian length and a Fernet token of ``index (8 bytes) | last (1 byte) |
data``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

MAGIC = b"GONGZHI-BACKUP\n"
FORMAT = 1
CHUNK = 1 << 20
KEY_ENV = "GONGZHI_BACKUP_KEY"


class BackupError(Exception):
    """Refused or failed; the message is for the operator."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def load_key(key_file: str | Path | None = None) -> bytes:
    if key_file:
        try:
            raw = Path(key_file).read_text().strip()
        except OSError as error:
            raise BackupError(
                _("Cannot read the key file %(path)s: %(error)s")
                % {"path": key_file, "error": error}
            ) from error
    else:
        raw = os.environ.get(KEY_ENV, "").strip()
    if not raw:
        raise BackupError(
            _(
                "No backup key: set GONGZHI_BACKUP_KEY or pass --key-file. Make a key with "
                "`gongzhi backup --new-key` and keep it outside this server: without it the "
                "backup cannot be restored."
            )
        )
    try:
        Fernet(raw.encode())
    except (ValueError, TypeError) as error:
        raise BackupError(
            _("The backup key is not valid (make one with `gongzhi backup --new-key`).")
        ) from error
    return raw.encode()


def _fingerprint(key: bytes) -> str:
    # Tells a wrong key from a changed archive without revealing anything about the key.
    return hmac.new(key, b"gongzhi-backup-key-id", hashlib.sha256).hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


# -- what is counted -------------------------------------------------------------------------


def _counted_tables() -> dict[str, str]:
    from django.apps import apps

    return {
        "cases": apps.get_model("cases", "Case")._meta.db_table,
        "photos": apps.get_model("cases", "Attachment")._meta.db_table,
        "audit_rows": apps.get_model("core", "AuditLog")._meta.db_table,
    }


def _is_postgres(db: dict) -> bool:
    return "postgresql" in db["ENGINE"]


def _connect_raw(db: dict):
    if _is_postgres(db):
        import psycopg

        return psycopg.connect(
            dbname=db["NAME"],
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            autocommit=True,
        )
    return sqlite3.connect(str(db["NAME"]))


def count_rows(db: dict) -> dict[str, int]:
    """The manifest's counts, read from any database (the live one or a restored one)."""
    raw = _connect_raw(db)
    try:
        cur = raw.cursor()
        counts = {}
        for name, table in _counted_tables().items():
            cur.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - a model's table name
            counts[name] = cur.fetchone()[0]
        return counts
    finally:
        raw.close()


def is_empty(db: dict) -> bool:
    """No tables at all: a database just created, never migrated."""
    raw = _connect_raw(db)
    try:
        cur = raw.cursor()
        if _is_postgres(db):
            cur.execute(
                "SELECT COUNT(*) FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        else:
            cur.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
        return cur.fetchone()[0] == 0
    finally:
        raw.close()


# -- PostgreSQL tools ------------------------------------------------------------------------


def _pg_args(db: dict) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(
            _("%(tool)s is not installed (it comes with the PostgreSQL client tools).")
            % {"tool": command[0]}
        ) from error
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": command[0], "error": done.stderr.strip()}
        )


# -- backup ----------------------------------------------------------------------------------


def _dump_database(db: dict, alias: str, target: Path) -> tuple[str, dict]:
    """Copy the database to ``target``; return its name in the archive and its counts, read
    from the same snapshot as the copy."""
    if _is_postgres(db):
        args, env = _pg_args(db)
        raw = _connect_raw(db)
        try:
            cur = raw.cursor()
            # pg_dump joins this transaction's snapshot, so the counts describe the dump.
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            counts = {}
            for name, table in _counted_tables().items():
                cur.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - model's table
                counts[name] = cur.fetchone()[0]
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    *args,
                    "--file",
                    str(target),
                    "--dbname",
                    str(db["NAME"]),
                ],
                env,
            )
            cur.execute("COMMIT")
        finally:
            raw.close()
        return "database.pgdump", counts
    connection = connections[alias]
    connection.ensure_connection()
    destination = sqlite3.connect(str(target))
    try:
        # The online backup API copies a consistent page image even while others write.
        connection.connection.backup(destination)
    finally:
        destination.close()
    return "database.sqlite3", count_rows({"ENGINE": "sqlite3", "NAME": target})


def _media_files(media_root: Path):
    if not media_root.is_dir():
        return
    for path in sorted(media_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, path.relative_to(media_root).as_posix()


def backup(output: str | Path, key: bytes, *, alias: str = "default", media_root=None) -> dict:
    """Write the archive to ``output``; return its manifest."""
    db = connections[alias].settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="gongzhi-backup-") as work:
        work = Path(work)
        dump = work / "database"
        db_name, counted = _dump_database(db, alias, dump)
        # Walked after the copy: a photo uploaded meanwhile is kept, and one whose case
        # is in the copy is already on disk (files are written before their rows).
        media = {name: _sha256(path) for path, name in _media_files(media_root)}
        manifest = {
            "format": FORMAT,
            "gongzhi": _version(),
            "created_at": timezone.now().isoformat(),
            "engine": "postgresql" if _is_postgres(db) else "sqlite",
            "database_file": db_name,
            "database_sha256": _sha256(dump),
            "counts": counted,
            "media": media,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        plain = work / "archive.tar"
        with tarfile.open(plain, "w") as tar:
            tar.add(work / "manifest.json", "manifest.json")
            tar.add(dump, db_name)
            for path, name in _media_files(media_root):
                if name in media:
                    tar.add(path, f"media/{name}")
        partial = output.with_name(output.name + ".partial")
        _encrypt(plain, partial, key)
        os.replace(partial, output)
    return manifest


def _version() -> str:
    try:
        return metadata.version("gongzhi")
    except metadata.PackageNotFoundError:
        return "unknown"


def _encrypt(source: Path, target: Path, key: bytes) -> None:
    fernet = Fernet(key)
    header = json.dumps({"format": FORMAT, "key": _fingerprint(key)}).encode() + b"\n"
    size = source.stat().st_size
    with open(source, "rb") as src, open(target, "wb") as out:
        out.write(MAGIC + header)
        index, done = 0, 0
        while True:
            data = src.read(CHUNK)
            done += len(data)
            last = done >= size
            token = fernet.encrypt(struct.pack(">Q?", index, last) + data)
            out.write(struct.pack(">I", len(token)) + token)
            index += 1
            if last:
                break
        out.flush()
        os.fsync(out.fileno())


def _decrypt(source: Path, target: Path, key: bytes) -> None:
    fernet = Fernet(key)
    damaged = BackupError(
        _("The backup archive has been changed or is damaged: it cannot be restored.")
    )
    with open(source, "rb") as src, open(target, "wb") as out:
        if src.read(len(MAGIC)) != MAGIC:
            raise BackupError(_("%(path)s is not a Gongzhi backup archive.") % {"path": source})
        try:
            header = json.loads(src.readline(4096))
        except ValueError as error:
            raise damaged from error
        if header.get("format") != FORMAT:
            raise BackupError(_("This backup archive's format is not supported."))
        if not hmac.compare_digest(str(header.get("key", "")), _fingerprint(key)):
            raise BackupError(_("Wrong backup key: this archive was made with a different key."))
        index = 0
        while True:
            length = src.read(4)
            if len(length) != 4:
                raise damaged  # cut off before the last chunk
            token = src.read(struct.unpack(">I", length)[0])
            try:
                plain = fernet.decrypt(token)
            except InvalidToken as error:
                raise damaged from error
            number, last = struct.unpack(">Q?", plain[:9])
            if number != index:
                raise damaged
            out.write(plain[9:])
            index += 1
            if last:
                break
        if src.read(1):
            raise damaged


# -- restore ---------------------------------------------------------------------------------


@dataclass
class Restored:
    manifest: dict
    counts: dict


def restore(
    archive: str | Path,
    key: bytes,
    *,
    alias: str = "default",
    database: dict | None = None,
    media_root=None,
    force: bool = False,
) -> Restored:
    """Restore ``archive`` into ``database`` (default: the configured one), which must be
    empty unless ``force``; then check it against the manifest."""
    db = database or connections[alias].settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="gongzhi-restore-") as work:
        work = Path(work)
        plain = work / "archive.tar"
        _decrypt(Path(archive), plain, key)
        with tarfile.open(plain, "r") as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
            engine = "postgresql" if _is_postgres(db) else "sqlite"
            if manifest.get("engine") != engine:
                raise BackupError(
                    _("This archive holds a %(made)s database; it cannot go into %(target)s.")
                    % {"made": manifest.get("engine"), "target": engine}
                )
            if not force and not is_empty(db):
                raise BackupError(
                    _(
                        "The database is not empty: restore only into a new database, or "
                        "pass --force to replace what is in it."
                    )
                )
            dump = work / "database"
            with tar.extractfile(manifest["database_file"]) as src, open(dump, "wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
            if _sha256(dump) != manifest["database_sha256"]:
                raise BackupError(_("The database in the archive does not match its manifest."))
            staged = work / "media"
            for name, digest in manifest["media"].items():
                path = PurePosixPath(name)
                if path.is_absolute() or ".." in path.parts:
                    raise BackupError(_("The archive holds an unsafe file name: %s") % name)
                target = staged / path
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(f"media/{name}") as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, CHUNK)
                if _sha256(target) != digest:
                    raise BackupError(_("A photo in the archive does not match its manifest."))
        _load_database(db, alias, dump, force=force)
        for path in sorted(staged.rglob("*")) if staged.exists() else ():
            if path.is_file():
                target = media_root / path.relative_to(staged)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    counts = count_rows(db)
    if counts != manifest["counts"]:
        raise BackupError(
            _("The restored database does not match the manifest: %(found)s, expected %(want)s.")
            % {"found": counts, "want": manifest["counts"]}
        )
    missing = [name for name in manifest["media"] if not (media_root / name).is_file()]
    if missing:
        raise BackupError(_("Photos missing after restore: %s") % ", ".join(missing[:10]))
    return Restored(manifest=manifest, counts=counts)


def _load_database(db: dict, alias: str, dump: Path, *, force: bool) -> None:
    if _is_postgres(db):
        args, env = _pg_args(db)
        extra = ["--clean", "--if-exists"] if force else []
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                *extra,
                *args,
                "--dbname",
                str(db["NAME"]),
                str(dump),
            ],
            env,
        )
        return
    if db is connections[alias].settings_dict:
        # Django's own connection must not keep a view of the replaced file.
        connections[alias].close()
    source = sqlite3.connect(str(dump))
    target = sqlite3.connect(str(db["NAME"]))
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
