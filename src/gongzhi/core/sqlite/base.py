"""SQLite whose writers queue on a file lock instead of polling SQLite's lock.

SQLite lets one connection write at a time. The others retry on its busy handler, which
sleeps 1, 2, 5, 10, 15 … ms between tries: a gunicorn worker under a burst of reports spent
1–1.5 s of every 8 asleep there (~10 ms a wait, for a lock held ~1 ms), with a core idle.
Here a write transaction, and a write statement outside one, first takes an exclusive
``flock`` on a file beside the database: a waiting writer sleeps in the kernel and wakes the
moment the one before it is done. Readers take nothing (WAL). The file lock only orders
writers: SQLite's own lock and busy timeout still guard the data, and still serve writers
that do not come through here (the sqlite3 shell, say).

A writer that hangs holds the others until it ends; gunicorn's worker timeout kills such a
worker, and the kernel drops a dead process's lock.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager

from django.db.backends.sqlite3 import base

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class Connection(base.Database.Connection):
    """sqlite3's connection with the writers' lock file (None for an in-memory database)."""

    lock_fd: int | None = None
    locked = False

    def take(self) -> None:
        if self.lock_fd is not None and not self.locked:
            fcntl.flock(self.lock_fd, fcntl.LOCK_EX)
            self.locked = True

    def give(self) -> None:
        if self.locked:
            self.locked = False
            fcntl.flock(self.lock_fd, fcntl.LOCK_UN)

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.lock_fd is not None:
                os.close(self.lock_fd)  # also drops the lock
                self.lock_fd, self.locked = None, False

    @contextmanager
    def turn(self):
        """The lock for one write statement outside a transaction (its own transaction)."""
        self.take()
        try:
            yield
        finally:
            self.give()


class CursorWrapper(base.SQLiteCursorWrapper):
    def _waits(self, query: str) -> bool:
        conn = self.connection
        return (
            conn.lock_fd is not None
            and not conn.in_transaction  # a transaction took the lock at BEGIN
            and query.lstrip()[:7].upper().startswith(_WRITES)
        )

    def execute(self, query, params=None):
        if not self._waits(query):
            return super().execute(query, params)
        with self.connection.turn():
            return super().execute(query, params)

    def executemany(self, query, param_list):
        if not self._waits(query):
            return super().executemany(query, param_list)
        with self.connection.turn():
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        return {**super().get_connection_params(), "factory": Connection}

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            path = f"{self.settings_dict['NAME']}-writers.lock"
            conn.lock_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return conn

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)

    def _start_transaction_under_autocommit(self):
        self.connection.take()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self.connection.give()
            raise

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._end_turn()

    def _rollback(self):
        try:
            super()._rollback()
        finally:
            self._end_turn()

    def _end_turn(self):
        # A failed COMMIT leaves the transaction open, and the lock held: Django rolls back next.
        if self.connection is not None and not self.connection.in_transaction:
            self.connection.give()
