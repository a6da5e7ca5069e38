"""Issue 22, safeguard 7: `gongzhi backup FILE` writes one consistent, encrypted archive
of the database and the photos; `gongzhi restore FILE` puts it into an empty database and
checks it against the archive's manifest. A wrong key or a changed archive is refused."""

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils.translation import gettext

from gongzhi.cases.models import Attachment, Case
from gongzhi.core import audit
from gongzhi.core.models import AuditLog
from tests.factories import jpeg, png, report_case

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "kq2bq0l3Qb2U5Yq3o8o9a0Kq0x6b8lNq3zqVq1yJb3E="  # a Fernet key made for this test only
OTHER_KEY = "Zk3m5q1Yx2b7n9c0v4l8p6s2d1f3g5h7j9k0l2m4n6o="


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("GONGZHI_BACKUP_KEY", KEY)
    return KEY


def small_world(world):
    case = report_case(world, world.manhole, photos=[png("hole.png"), jpeg("hole.jpg")])
    audit.record(actor=world.resident, action="export", obj=case, reason="backup test")
    return case


def backup_to(path: Path) -> None:
    call_command("backup", str(path), stdout=io.StringIO())


def rows(query: str, database_url: str):
    """Read the restored database on its own, not through this test's connection."""
    import dj_database_url

    from gongzhi.core import backup

    db = dj_database_url.parse(database_url)
    raw = backup._connect_raw(db)
    try:
        cur = raw.cursor()
        cur.execute(query)
        return sorted(cur.fetchall())
    finally:
        raw.close()


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database of the kind the tests run on; its DATABASE_URL."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    settings_dict = connection.settings_dict
    name = f"gongzhi_restore_{uuid.uuid4().hex[:12]}"
    params = {
        "dbname": "postgres",
        "user": settings_dict["USER"] or None,
        "password": settings_dict["PASSWORD"] or None,
        "host": settings_dict["HOST"] or None,
        "port": settings_dict["PORT"] or None,
        "autocommit": True,
    }
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user = settings_dict["USER"] or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    yield f"postgres://{user}{password}@{host}{port}/{name}"
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def gongzhi(*args, env: dict) -> subprocess.CompletedProcess:
    """The console command, as an operator runs it on the restoring server."""
    return subprocess.run(
        [sys.executable, "-m", "gongzhi", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_backup_restores_into_an_empty_database_with_everything_intact(
    world, media, key, tmp_path, empty_database
):
    case = small_world(world)
    audits = list(AuditLog.objects.order_by("pk").values_list("pk", "action", "object_id"))
    archive = tmp_path / "gongzhi.backup"
    backup_to(archive)
    assert AuditLog.objects.filter(action="backup").count() == 1  # who took it is kept
    assert b"\xe6\xb5\x8b\xe8\xaf\x95" not in archive.read_bytes()  # no plain text: 测试 unseen

    cases = list(Case.objects.order_by("pk").values_list("pk", "number", "title"))
    photos = {a.image.name: Path(a.image.path).read_bytes() for a in Attachment.objects.all()}
    photos |= {
        a.thumbnail.name: Path(a.thumbnail.path).read_bytes()
        for a in Attachment.objects.exclude(thumbnail="")
    }
    assert case.pk in [pk for pk, *_ in cases] and len(photos) >= 2 and audits

    var = tmp_path / "restoring-server"
    done = gongzhi(
        "restore",
        str(archive),
        env={
            "DATABASE_URL": empty_database,
            "GONGZHI_VAR_DIR": str(var),
            "GONGZHI_BACKUP_KEY": KEY,
        },
    )
    assert done.returncode == 0, done.stderr

    table = {m: m._meta.db_table for m in (Case, AuditLog, Attachment)}
    assert rows(f'SELECT id, number, title FROM "{table[Case]}"', empty_database) == cases
    restored_audit = rows(f'SELECT id, action, object_id FROM "{table[AuditLog]}"', empty_database)
    assert [row for row in restored_audit if row[1] != "restore"] == audits
    assert [row[1] for row in restored_audit].count("restore") == 1  # the restore itself
    restored = var / "media"
    for name, content in photos.items():
        assert (restored / name).read_bytes() == content
    images = rows(f'SELECT image FROM "{table[Attachment]}"', empty_database)
    assert {name for (name,) in images} <= set(photos)


def test_restore_refuses_a_database_that_is_not_empty(world, media, key, tmp_path):
    small_world(world)
    archive = tmp_path / "gongzhi.backup"
    backup_to(archive)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), stdout=io.StringIO())
    assert str(refused.value) == gettext(
        "The database is not empty: restore only into a new database, or pass --force to "
        "replace what is in it."
    )


def test_a_wrong_key_is_refused_with_a_clear_message(world, media, key, tmp_path, monkeypatch):
    small_world(world)
    archive = tmp_path / "gongzhi.backup"
    backup_to(archive)
    monkeypatch.setenv("GONGZHI_BACKUP_KEY", OTHER_KEY)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert str(refused.value) == gettext(
        "Wrong backup key: this archive was made with a different key."
    )
    assert Case.objects.exists()


@pytest.mark.parametrize("damage", ["flip a byte", "cut off the end", "drop a chunk"])
def test_a_changed_archive_is_refused(world, media, key, tmp_path, damage, monkeypatch):
    from gongzhi.core import backup

    monkeypatch.setattr(backup, "CHUNK", 4096)  # several chunks, so one can go missing
    small_world(world)
    archive = tmp_path / "gongzhi.backup"
    backup_to(archive)
    data = bytearray(archive.read_bytes())
    if damage == "flip a byte":
        data[len(data) // 2] ^= 0x01
    elif damage == "cut off the end":
        data = data[: len(data) - 200]
    else:
        header_end = data.index(b"\n", len(b"GONGZHI-BACKUP\n")) + 1
        first = int.from_bytes(data[header_end : header_end + 4], "big")
        data = data[:header_end] + data[header_end + 4 + first :]
    archive.write_bytes(bytes(data))
    before = Case.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert str(refused.value) == gettext(
        "The backup archive has been changed or is damaged: it cannot be restored."
    )
    assert Case.objects.count() == before


def test_no_backup_without_a_key(world, media, tmp_path, monkeypatch):
    monkeypatch.delenv("GONGZHI_BACKUP_KEY", raising=False)
    with pytest.raises(CommandError) as refused:
        backup_to(tmp_path / "gongzhi.backup")
    assert "gongzhi backup --new-key" in str(refused.value)  # kept as is in every language
    assert not (tmp_path / "gongzhi.backup").exists()
    out = io.StringIO()
    call_command("backup", "--new-key", stdout=out)
    from cryptography.fernet import Fernet

    Fernet(out.getvalue().strip())  # a usable key
