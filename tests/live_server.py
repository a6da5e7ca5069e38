"""The live server for every browser test (imported by tests/conftest.py), made to behave
the same in every run.

On SQLite the tests use an in-memory database (``file:memorydb_default?mode=memory&
cache=shared``). pytest-django's ``live_server`` is session-scoped and looks at the database
when it is first asked for, so what its request threads use depended on which test came first:

- before the test database existed (a browser test run first, or alone), each request thread
  opened its own connection into the shared cache. Shared-cache SQLite locks whole tables and
  answers a second writer, or a reader beside a writer, with SQLITE_LOCKED ("database table is
  locked") at once: its busy timeout does not apply, and ``gongzhi.core.sqlite`` queues
  writers on a lock file only for a file database;
- after it (the full suite), every request thread shared the test's one connection, and with
  it one transaction state: two requests at once ran inside each other's transaction, so a
  report sent twice at once (the outbox's retry) failed its own key's re-read, and one could
  roll back the other's case after that one had answered 201.

Neither happens on a file database or on PostgreSQL, where each request has its own
connection (tests/web/test_report_race.py runs on all three). Here the server is created
once the database exists, so it always shares that connection (Django's own way to serve an
in-memory SQLite database), and then takes one request at a time into the application,
as a database with one connection can only serve. Connections are still accepted in
parallel, so a browser's many open connections do not wait on each other's keep-alive.
"""

import os
import threading

import pytest


class _OneAtATime:
    """A WSGI application that lets one request in at a time, until its answer is sent."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        self.lock.acquire()
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self.lock.release()
            raise
        return _Releasing(result, self.lock)


class _Releasing:
    """The answer's body; the lock is given back when the server closes it (wsgiref always
    does, also when sending fails), so a body read from the database is read in turn too."""

    def __init__(self, result, lock):
        self.result, self.lock = result, lock

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.lock.release()


@pytest.fixture(scope="session")
def live_server(request, django_db_setup):
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    if server.thread.connections_override:  # an in-memory SQLite database: one connection
        static_handler = server.thread.static_handler
        server.thread.static_handler = lambda app: _OneAtATime(static_handler(app))
    server.start()
    yield server
    server.stop()
