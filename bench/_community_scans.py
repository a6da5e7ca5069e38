"""QR scans recorded per second over HTTP, beside a trivial authenticated GET on the same
server in the same run (``bench/community.py`` calls ``run()``).

A child process makes a fresh database (SQLite in a temporary directory unless DATABASE_URL
is given; tables made directly, without replaying migrations), a village with WALKERS
volunteers each on a patrol of a route of CHECKPOINTS checkpoints, and serves the platform
with gunicorn (WORKERS sync workers, as ``bench/intake.py`` does). This process then sends, from WALKERS threads at once,
every checkpoint's signed code with a position through ``POST /api/v1/community/patrols/
{id}/scans`` (Bearer tokens), after the same number of ``GET /api/v1/community/patrols/{id}``
baseline calls... a GET of one patrol being the cheapest authenticated read of the room.

Before either, every worker is warmed (each walker's GET and a refused scan, twice), so the
first phase does not pay for imports. Beside requests per second (which on a shared machine
follow its load), each phase reports the CPU the server spent per request: the gunicorn
workers' user+system time, and on PostgreSQL also the database backends' serving the bench
database (read from /proc), in ms. ``implied_per_second_on_idle_cores`` is the machine's
cores divided by that CPU: what the server could record with the cores to itself (the
clients not counted).
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WALKERS, CHECKPOINTS, WORKERS = 8, 60, 4


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    settings.MIGRATION_MODULES = {a.label: None for a in apps.get_app_configs()}
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", run_syncdb=True, verbosity=0)

    from gongzhi.accounts.models import User
    from gongzhi.accounts.tokens import do_issue
    from gongzhi.community.choices import VolunteerState
    from gongzhi.community.models import Checkpoint, Route, Team, TeamMember, Volunteer
    from gongzhi.community.patrols import codes, services
    from gongzhi.regions.models import Region

    region = Region.objects.create(code="630202100201", name="大古城村", level="community")
    team = Team.objects.create(region=region, name="巡逻队")
    walkers = []
    for n in range(WALKERS):
        user = User.objects.create_user(username=f"walker{n}", password="x")
        volunteer = Volunteer.objects.create(
            region=region, user=user, name=f"志愿者{n}", state=VolunteerState.APPROVED
        )
        TeamMember.objects.create(team=team, volunteer=volunteer)
        route = Route.objects.create(region=region, team=team, name=f"路线{n}", radius_m=50)
        cps = [
            Checkpoint.objects.create(
                route=route, order=i + 1, name=f"点{i}", lng=102.37 + i * 1e-4, lat=36.47
            )
            for i in range(CHECKPOINTS)
        ]
        patrol = services.do_start(actor=user, route=route)
        _token, raw = do_issue(user=user, name="bench")
        walkers.append(
            {
                "token": raw,
                "patrol": patrol.pk,
                "scans": [{"code": codes.token_for(c), "lng": c.lng, "lat": c.lat} for c in cps],
            }
        )

    print(json.dumps({"walkers": walkers}), flush=True)


def _call(port, method, path, token, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, data, headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def _cpu(pids) -> dict[int, float]:
    """User+system CPU seconds of each of these processes so far (a process gone is left out)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return out


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings (a process new since counts whole)."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def _children(master: int) -> list[int]:
    """The gunicorn master's workers."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _backends(database_url: str | None) -> list[int]:
    """The PostgreSQL backends serving the bench database (the workers keep theirs open)."""
    if not database_url:
        return []
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return [pid for (pid,) in rows if os.path.exists(f"/proc/{pid}")]


def _load(port, walkers, make, server=lambda: (), database=lambda: ()) -> dict:
    """Each walker's items sent by ``make`` from a thread of its own; ``server`` and
    ``database`` list the processes whose CPU is counted."""
    statuses: list[int] = []
    lock = threading.Lock()

    def one(w):
        got = [make(w, item) for item in w["scans"]]
        with lock:
            statuses.extend(got)

    threads = [threading.Thread(target=one, args=(w,)) for w in walkers]
    cpu = _cpu(server()), _cpu(database()), time.process_time()
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    server_ms = _spent(cpu[0], _cpu(server())) * 1000 / len(statuses)
    database_ms = _spent(cpu[1], _cpu(database())) * 1000 / len(statuses)
    client_ms = (time.process_time() - cpu[2]) * 1000 / len(statuses)
    ok = sum(1 for s in statuses if s in (200, 201))
    out = {
        "requests": len(statuses),
        "ok": ok,
        "seconds": round(seconds, 2),
        "per_second": round(ok / seconds, 1),
        "server_cpu_ms_per_request": round(server_ms, 2),
    }
    if cpu[1] or database_ms:
        out["database_cpu_ms_per_request"] = round(database_ms, 2)
    out["client_cpu_ms_per_request"] = round(client_ms, 2)
    out["implied_per_second_on_idle_cores"] = round(
        (os.cpu_count() or 1) * 1000 / max(server_ms + database_ms, 1e-3)
    )
    return out


def run(database_url: str | None = None) -> dict:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    var = tempfile.mkdtemp(prefix="gongzhi-bench-scans-")
    env = dict(os.environ, GONGZHI_VAR_DIR=var, DJANGO_SETTINGS_MODULE="gongzhi.settings")
    env.pop("GONGZHI_DEBUG", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    made = subprocess.run(
        [sys.executable, __file__, "--setup"], env=env, capture_output=True, text=True, cwd=var
    )
    lines = [x for x in made.stdout.splitlines() if x.startswith("{")]
    if made.returncode != 0 or not lines:
        return {"error": "the data could not be made", "stderr": made.stderr[-2000:]}
    walkers = json.loads(lines[-1])["walkers"]
    child = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "gongzhi.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=var,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _call(port, "GET", "/healthz", "") == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    return {"error": "the server did not come up"}
                time.sleep(0.2)
        api = "/api/v1/community/patrols"

        def warm(w, kind):
            if kind == "get":
                return _call(port, "GET", f"{api}/{w['patrol']}", w["token"])
            return _call(port, "POST", f"{api}/{w['patrol']}/scans", w["token"], {"code": "x"})

        # Warm every worker: each walker's GET and a refused scan (a forged code), twice.
        _load(port, [{**w, "scans": ["get", "scan"] * 2} for w in walkers], warm)

        def server():
            return _children(child.pid)

        def database():
            return _backends(database_url)

        baseline = _load(
            port,
            walkers,
            lambda w, _i: _call(port, "GET", f"{api}/{w['patrol']}", w["token"]),
            server,
            database,
        )
        scans = _load(
            port,
            walkers,
            lambda w, i: _call(
                port,
                "POST",
                f"{api}/{w['patrol']}/scans",
                w["token"],
                {"code": i["code"], "lng": i["lng"], "lat": i["lat"], "accuracy": 8},
            ),
            server,
            database,
        )
    finally:
        child.terminate()
        child.wait(timeout=30)
    return {
        "what": "QR checkpoint scans recorded over HTTP (POST .../patrols/{id}/scans)",
        "server": f"gunicorn, {WORKERS} sync workers",
        "database": "postgresql" if database_url else "sqlite",
        "clients": len(walkers),
        "baseline_get_patrol": baseline,
        "scans": scans,
        "target_per_second": 200,
        "met": scans["per_second"] >= 200 and scans["ok"] == scans["requests"],
    }


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--setup":
        _setup()
    else:
        print(json.dumps(run(os.environ.get("DATABASE_URL")), ensure_ascii=False))
