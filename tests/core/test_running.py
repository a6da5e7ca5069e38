"""Running the platform: `make run` installs what running needs and no test tools, the API
docs' front-end package installs nothing that phones home, a refused request is one log
line, and every process dates its log lines in the platform's time zone."""

import ast
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from datetime import datetime
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from packaging.requirements import Requirement

from gongzhi.core.errors import RefusalsInOneLine

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "gongzhi"


# -- what running installs ----------------------------------------------------------------


def make_dry_run(target: str) -> str:
    # -B: every step as if nothing were built yet; -n: print the steps, run none.
    done = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


def pip_installs(steps: str) -> list[str]:
    return [line for line in steps.splitlines() if "pip install" in line and "-e" in line]


def test_make_run_installs_the_package_without_the_dev_extras():
    run = pip_installs(make_dry_run("run"))
    assert run and not [line for line in run if "[dev]" in line], run
    assert [line for line in pip_installs(make_dry_run("test")) if '-e ".[dev]"' in line]


def _closure(names: list[str]) -> set[str]:
    """The distributions the named requirements pull in, extras left out."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        req = Requirement(todo.pop())
        name = req.name.lower().replace("_", "-")
        if name in seen or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        try:
            todo.extend(metadata.requires(req.name) or [])
        except metadata.PackageNotFoundError:
            continue
    return seen


def _imported_modules() -> set[str]:
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_nothing_the_platform_imports_comes_only_with_the_dev_extras():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _closure(project["dependencies"])
    dev_only = _closure(project["optional-dependencies"]["dev"]) - runtime
    assert "pytest" in dev_only and "django" in runtime
    providers = metadata.packages_distributions()
    offending = {
        module: dists
        for module in _imported_modules()
        if (dists := {d.lower().replace("_", "-") for d in providers.get(module, [])})
        and dists <= dev_only
    }
    assert offending == {}


def test_the_front_end_packages_pull_no_telemetry_package():
    lock = json.loads((ROOT / "package-lock.json").read_text())
    scarf = {k: v for k, v in lock["packages"].items() if k.endswith("node_modules/@scarf/scarf")}
    # Only the local stand-in, linked from the repository: nothing fetched from a registry.
    assert scarf == {"node_modules/@scarf/scarf": {"resolved": "scripts/no-scarf", "link": True}}
    stub = json.loads((ROOT / "scripts" / "no-scarf" / "package.json").read_text())
    assert stub["name"] == "@scarf/scarf" and "scripts" not in stub
    assert not list((ROOT / "scripts" / "no-scarf").glob("*.js"))
    for entry in lock["packages"].values():
        assert "scarf" not in entry.get("resolved", "").replace("no-scarf", "")


# -- logging ------------------------------------------------------------------------------


def console_line(record: logging.LogRecord) -> str:
    spec = settings.LOGGING["formatters"]["line"]
    return logging.Formatter(spec["format"], spec["datefmt"]).format(record)


def platform_offset() -> str:
    return datetime.now(ZoneInfo(settings.TIME_ZONE)).strftime("%z")


@pytest.mark.django_db
def test_a_refused_request_is_logged_as_one_dated_line(client, world, caplog):
    client.force_login(world.resident)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/cases/hotline/")
    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    line = console_line(record)
    assert "\n" not in line and "Traceback" not in line
    assert "Forbidden" in line and "/cases/hotline/" in line
    assert f" {platform_offset()}] " in line


def test_a_server_error_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("django.request", logging.ERROR, "", 0, "x", (), sys.exc_info())
    record.status_code = 500
    assert RefusalsInOneLine().filter(record)
    assert "Traceback" in console_line(record)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVE_WEB = """
import subprocess, sys
from gongzhi import serve
serve.one_time_zone()
sys.exit(subprocess.call(serve.processes("127.0.0.1", int(sys.argv[1]), 1)[0]))
"""


def test_the_web_server_dates_every_line_in_the_platform_time_zone(tmp_path):
    """gunicorn's master (which never loads Django), its worker, its access log and Django's
    own lines, on a machine whose clock is in UTC."""
    port = _free_port()
    env = {
        **os.environ,
        "TZ": "UTC",
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GONGZHI_VAR_DIR": str(tmp_path),
    }
    out = open(tmp_path / "log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE_WEB, str(port)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=60)
                break
            except OSError:  # not listening yet, or the worker still loading
                assert time.monotonic() < deadline and proc.poll() is None, (
                    tmp_path / "log"
                ).read_text()
                time.sleep(0.5)
        # An API refusal: a line of Django's own (a page's 404 would need the built assets).
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/triage/queue", timeout=60)
        time.sleep(1)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    text = (tmp_path / "log").read_text()
    line = r"\[([^\]]*)\] \[\d+\] \[(?:INFO|WARNING)\] "
    dated = {
        "master": line + "gunicorn.error: Starting gunicorn",
        "worker": line + "gunicorn.error: Booting worker",
        "access": line + 'uvicorn.access: .*"GET /healthz',
        "django": line + r"django.request: \w+: /api/v1/triage/queue",
    }
    offsets = {}
    for what, pattern in dated.items():
        found = re.search(pattern, text)
        assert found, (what, text)
        offsets[what] = found.group(1)[-5:]
    assert set(offsets.values()) == {platform_offset()}, offsets
