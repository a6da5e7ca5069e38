"""SQLite writers queue on a file lock (gongzhi.core.sqlite) instead of SQLite's busy handler."""

import fcntl
import os
import threading
import time

import pytest
from django.db import OperationalError, connections

from gongzhi.core.sqlite.base import DatabaseWrapper


def _open(path, engine="gongzhi.core.sqlite", busy_ms=5000):
    from django.utils.module_loading import import_string

    settings = connections.configure_settings(
        {
            "default": {
                "ENGINE": engine,
                "NAME": str(path),
                "OPTIONS": {
                    "transaction_mode": "IMMEDIATE",
                    "init_command": f"PRAGMA journal_mode=WAL; PRAGMA busy_timeout={busy_ms};",
                },
            },
        }
    )["default"]
    return import_string(f"{engine}.base.DatabaseWrapper")(settings, alias="w")


@pytest.fixture
def db_file(tmp_path, django_db_blocker):
    path = tmp_path / "w.sqlite3"
    with django_db_blocker.unblock():
        a = _open(path)
        with a.cursor() as c:
            c.execute("CREATE TABLE t (who TEXT)")
        a.close()
        yield path


def _lock_is_free(path) -> bool:
    fd = os.open(f"{path}-writers.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.mark.parametrize("engine", ["gongzhi.core.sqlite", "django.db.backends.sqlite3"])
def test_a_writer_waits_its_turn_instead_of_giving_up(db_file, engine, django_db_blocker):
    # B's busy timeout (50 ms) is far shorter than A's transaction (300 ms): on the plain
    # backend B gives up with "database is locked"; here it waits on the lock file.
    outcome = {}

    def writer_b():
        with django_db_blocker.unblock():
            b = _open(db_file, engine, busy_ms=50)
            try:
                with b.cursor() as c:
                    c.execute("INSERT INTO t VALUES ('b')")
                outcome["b"] = "written"
            except OperationalError as error:
                outcome["b"] = str(error)
            finally:
                b.close()

    a = _open(db_file)
    a.ensure_connection()
    a.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with a.cursor() as c:
        c.execute("INSERT INTO t VALUES ('a')")
    b = threading.Thread(target=writer_b)
    b.start()
    time.sleep(0.3)
    a.commit()
    a.set_autocommit(True)
    b.join(10)
    with a.cursor() as c:
        c.execute("SELECT who FROM t ORDER BY rowid")
        rows = [r[0] for r in c.fetchall()]
    a.close()
    if engine == "gongzhi.core.sqlite":
        assert outcome["b"] == "written"
        assert rows == ["a", "b"]
    else:
        assert "locked" in outcome["b"]
        assert rows == ["a"]


def test_the_lock_is_held_for_a_transaction_and_given_back(db_file):
    a = _open(db_file)
    a.ensure_connection()
    assert _lock_is_free(db_file)
    a.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert not _lock_is_free(db_file)
    with a.cursor() as c:
        c.execute("INSERT INTO t VALUES ('a')")
    a.rollback()
    a.set_autocommit(True)
    assert _lock_is_free(db_file)
    with a.cursor() as c:  # a write outside a transaction takes it for its statement only
        c.execute("INSERT INTO t VALUES ('a')")
        c.execute("SELECT count(*) FROM t")
        assert c.fetchone() == (1,)
    assert _lock_is_free(db_file)
    a.close()
    assert a.connection is None


def test_an_in_memory_database_has_no_lock_file(django_db_blocker):
    with django_db_blocker.unblock():
        w = _open(":memory:")
        w.ensure_connection()
        assert w.connection.lock_fd is None
        with w.cursor() as c:
            c.execute("CREATE TABLE t (x)")
            c.execute("INSERT INTO t VALUES (1)")
        w.close()
    assert isinstance(w, DatabaseWrapper)
