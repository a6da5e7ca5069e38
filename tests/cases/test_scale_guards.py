"""Issue 25: the database is protected from runaway statements (PostgreSQL cancels one after
GONGZHI_STATEMENT_TIMEOUT_MS, below the web worker's timeout) and a slow statement is
logged with the path that ran it."""

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


def _statement_timeout(entry: str) -> str:
    """PostgreSQL's statement_timeout in a fresh process that loads Django as ``entry`` does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env["GONGZHI_VAR_DIR"] = os.environ.get("GONGZHI_VAR_DIR", "var")
    env["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
    env["DATABASE_URL"] = _url()
    code = entry + (
        "\nfrom django.db import connection\n"
        "c = connection.cursor(); c.execute('SHOW statement_timeout'); print(c.fetchone()[0])"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's setting")
def test_the_web_server_cancels_a_statement_after_the_timeout_and_commands_do_not():
    assert settings.GONGZHI_STATEMENT_TIMEOUT_MS == 20_000
    # The web server's workers load gongzhi.asgi: below gunicorn's 30 s worker timeout.
    assert _statement_timeout("import gongzhi.asgi") == "20s"
    # A management command (migrate, a rollup rebuild, a backup) may run for minutes.
    assert _statement_timeout("import django; django.setup()") == "0"


def test_a_slow_statement_is_logged_with_its_path(client, world, settings, caplog):
    settings.GONGZHI_SLOW_QUERY_MS = 0.000001  # every statement is "slow"
    client.force_login(world.city_dispatcher)
    with caplog.at_level(logging.WARNING, logger="gongzhi.slow_query"):
        assert client.get("/cases/").status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "gongzhi.slow_query"]
    assert any("GET /cases/" in line and "cases_case" in line for line in lines)
    # Parameters are not logged (a phone number may be one; here the viewer's places).
    assert any("LIKE %s" in line for line in lines)
    assert "/630000/" not in "\n".join(lines)


def test_nothing_is_logged_under_the_threshold(client, world, settings, caplog):
    settings.GONGZHI_SLOW_QUERY_MS = 60_000
    client.force_login(world.city_dispatcher)
    with caplog.at_level(logging.WARNING, logger="gongzhi.slow_query"):
        assert client.get("/cases/").status_code == 200
    assert not [r for r in caplog.records if r.name == "gongzhi.slow_query"]
