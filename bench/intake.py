"""Intake over HTTP on a production server, beside a trivial endpoint on the same server.

For each database (SQLite, and PostgreSQL when one answers at BENCH_PG_URL), a fresh
platform with the 海东 demo is served by gunicorn with several workers. A grid worker signs
in; client processes then POST reports to /api/v1/cases (each with its own Idempotency-Key,
a point in a random demo grid and a random category), GET /healthz (one SELECT 1), and GET
/api/v1/regions/locate signed in (the session and user read, then an in-memory lookup: the
floor under any signed-in call, intake included):

- throughput: closed loop, CLIENTS processes sending back to back for SECONDS;
- latency at RATE reports/s: open loop (each request is due at a fixed time and its latency
  counts from then, so a slow server cannot hide its queue), p50 and p99;
- intake's follow-up (triage, the automatic dispatch's notices), done by the watcher beside
  the server as under `gongzhi serve`: how many reports waited for it when each phase's
  load stopped, and how long it then took to finish them.

Prints one JSON object. Targets (issue 3): intake ≥ 50% of the trivial endpoint's
throughput; p99 < 100 ms at 200 reports/s.

    python bench/intake.py [--seconds 8] [--workers 4] [--clients 6] [--rate 200]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

from _postgres import drop_postgres, postgres_database

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "Gongzhi@2026"
USER = "demo_grid"


# --- one platform under test -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gongzhi(env, *args) -> str:
    out = subprocess.run(
        [str(BIN / "gongzhi"), *args], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout


class Platform:
    def __init__(self, database_url: str | None, workers: int):
        self.dir = Path(tempfile.mkdtemp(prefix="gongzhi-bench-"))
        self.env = dict(
            os.environ,
            GONGZHI_VAR_DIR=str(self.dir),
            GONGZHI_SECRET_KEY="bench-" + uuid.uuid4().hex,
            DJANGO_SETTINGS_MODULE="gongzhi.settings",
            # One grid worker sends every report: the default 60 a minute would answer most
            # of them 429. A limit far above the load keeps the counter's upsert in the cost.
            GONGZHI_RATE_LIMIT_API_REPORT="100000000/m",
        )
        self.env.pop("GONGZHI_DEBUG", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        else:
            self.env.pop("DATABASE_URL", None)
        self.workers = workers
        self.port = free_port()
        self.server = None

    def prepare(self) -> dict:
        gongzhi(self.env, "migrate", "--no-input", "-v", "0")
        gongzhi(self.env, "collectstatic", "--no-input", "-v", "0")
        started = time.monotonic()
        gongzhi(self.env, "demo", "load")
        load_seconds = time.monotonic() - started
        script = (
            "import json\n"
            "from shapely.geometry import shape\n"
            "from gongzhi.regions.models import Grid\n"
            "from gongzhi.taxonomy.models import Category\n"
            "grids = list(Grid.objects.order_by('?')[:400])\n"
            "points = [(round(p.x, 6), round(p.y, 6)) for p in"
            " (shape(g.boundary).representative_point() for g in grids)]\n"
            "cats = list(Category.objects.filter(enabled=True, children__isnull=True)"
            ".values_list('code', flat=True))\n"
            "print(json.dumps({'points': points, 'categories': cats}))\n"
        )
        out = gongzhi(self.env, "shell", "-c", script)
        data = json.loads(out.strip().splitlines()[-1])
        data["demo_load_seconds"] = round(load_seconds, 1)
        return data

    def start(self) -> None:
        # Intake's follow-up (triage, the notices of automatic steps) runs in the watcher, as
        # under `gongzhi serve`: it shares the cores, and how far it falls behind is measured.
        self.log = open(self.dir / "server.log", "wb")  # noqa: SIM115 (closed in stop)
        self.watcher = subprocess.Popen(
            [str(BIN / "gongzhi"), "cases", "watch", "--every", "60", "--follow-up-every", "1"],
            env=self.env,
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=self.log,  # a pipe nobody reads would stall it once full
        )
        self.server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "gongzhi.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=self.log,  # one log for both; a pipe nobody reads could fill
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _body, _h = request(self.port, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not come up")

    def pending(self) -> int:
        """Reports waiting for their follow-up, read from the database directly."""
        sql = "SELECT COUNT(*) FROM cases_case WHERE follow_up_pending"
        if "DATABASE_URL" in self.env:
            import psycopg

            with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as conn:
                return conn.execute(sql).fetchone()[0]
        with sqlite3.connect(self.dir / "gongzhi.sqlite3", timeout=30) as conn:
            return conn.execute(sql).fetchone()[0]

    def drained(self, limit: float = 120) -> dict:
        """How many reports waited for their follow-up when the load stopped, and how long
        the watcher then took to finish them."""
        started = time.monotonic()
        waiting = left = self.pending()
        while left and time.monotonic() - started < limit:
            time.sleep(0.1)
            left = self.pending()
        return {
            "waiting_when_load_stopped": waiting,
            "done_after_s": round(time.monotonic() - started, 1) if not left else None,
        }

    def logged_errors(self) -> list[str]:
        """Errors the server or the watcher logged, if any (a worker killed for a timeout, a
        follow-up that failed)."""
        self.log.flush()
        text = (self.dir / "server.log").read_text(errors="replace")
        marks = ("Error", "ERROR", "CRITICAL")
        return [line for line in text.splitlines() if any(m in line for m in marks)][:5]

    def stop(self) -> None:
        for process in (self.server, getattr(self, "watcher", None)):
            if process:
                process.terminate()
                process.wait(timeout=30)
        if getattr(self, "watcher_log", None):
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- a small HTTP client ------------------------------------------------------------------


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), response.getheaders()
    finally:
        conn.close()


def cookies_from(headers, jar: dict) -> dict:
    for name, value in headers:
        if name.lower() == "set-cookie":
            cookie = SimpleCookie()
            cookie.load(value)
            jar.update({k: m.value for k, m in cookie.items()})
    return jar


def sign_in(port: int) -> dict:
    """Sign in through the login page like a script would: session cookie + CSRF token."""
    _status, _body, headers = request(port, "GET", "/accounts/login/")
    jar = cookies_from(headers, {})
    token = jar["csrftoken"]  # Django accepts the cookie's secret as the form token
    form = f"username={USER}&password={PASSWORD}&csrfmiddlewaretoken={token}"
    status, _body, headers = request(
        port,
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    if status != 302:
        raise RuntimeError(f"sign-in failed with {status}")
    cookies_from(headers, jar)
    return {
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "X-CSRFToken": jar["csrftoken"],
        "Referer": f"http://127.0.0.1:{port}/",
        "Content-Type": "application/json",
    }


def one_call(kind, port, auth, data, rng):
    if kind == "trivial":
        return request(port, "GET", "/healthz")[0]
    if kind == "signed_in":
        # The floor any signed-in API call stands on: session, user, then an in-memory lookup.
        lng, lat = rng.choice(data["points"])
        path = f"/api/v1/regions/locate?lng={lng}&lat={lat}"
        return request(port, "GET", path, headers={"Cookie": auth["Cookie"]})[0]
    lng, lat = rng.choice(data["points"])
    body = json.dumps(
        {
            "title": "井盖缺失",
            "description": f"压测上报 {rng.randrange(10**6)}：路口井盖缺失，夜间有危险。",
            "category": rng.choice(data["categories"]),
            "lng": lng,
            "lat": lat,
        },
        ensure_ascii=False,
    ).encode()
    headers = dict(auth, **{"Idempotency-Key": uuid.uuid4().hex})
    return request(port, "POST", "/api/v1/cases", body=body, headers=headers)[0]


def closed_loop(args):
    kind, port, auth, data, seconds, seed = args
    rng = random.Random(seed)
    latencies, errors = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.monotonic()
        status = one_call(kind, port, auth, data, rng)
        latencies.append(time.monotonic() - t)
        errors += status not in (200, 201)
    return latencies, errors


def open_loop(args):
    kind, port, auth, data, seconds, rate, seed = args
    rng = random.Random(seed)
    latencies, errors = [], 0
    start = time.monotonic()
    n = int(seconds * rate)
    for i in range(n):
        due = start + i / rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        status = one_call(kind, port, auth, data, rng)
        latencies.append(time.monotonic() - due)  # from when it was due: no hidden queue
        errors += status not in (200, 201)
    return latencies, errors


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else None


def ms(x):
    return None if x is None else round(x * 1000, 1)


def throughput(kind, port, auth, data, clients, seconds):
    with mp.Pool(clients) as pool:
        results = pool.map(
            closed_loop, [(kind, port, auth, data, seconds, i) for i in range(clients)]
        )
    lat = [x for r in results for x in r[0]]
    errors = sum(r[1] for r in results)
    return {
        # Only answers that made (or found) a case count: a refusal is not an intake.
        "requests_per_s": round((len(lat) - errors) / seconds, 1),
        "p50_ms": ms(pct(lat, 0.5)),
        "p99_ms": ms(pct(lat, 0.99)),
        "errors": errors,
    }


def at_rate(kind, port, auth, data, clients, seconds, rate):
    each = rate / clients
    with mp.Pool(clients) as pool:
        results = pool.map(
            open_loop, [(kind, port, auth, data, seconds, each, 100 + i) for i in range(clients)]
        )
    lat = [x for r in results for x in r[0]]
    return {
        "rate_per_s": rate,
        "requests": len(lat),
        "p50_ms": ms(pct(lat, 0.5)),
        "p99_ms": ms(pct(lat, 0.99)),
        "mean_ms": ms(statistics.fmean(lat)) if lat else None,
        "errors": sum(r[1] for r in results),
    }


def bench_one(name, database_url, opts) -> dict:
    platform = Platform(database_url, opts.workers)
    try:
        data = platform.prepare()
        platform.start()
        auth = sign_in(platform.port)
        # Warm every worker (imports, the grid index) before measuring.
        throughput("intake", platform.port, auth, data, opts.clients, 2)
        platform.drained()
        trivial = throughput("trivial", platform.port, auth, data, opts.clients, opts.seconds)
        signed_in = throughput("signed_in", platform.port, auth, data, opts.clients, opts.seconds)
        intake = throughput("intake", platform.port, auth, data, opts.clients, opts.seconds)
        intake["follow_up"] = platform.drained()
        paced = at_rate("intake", platform.port, auth, data, opts.clients, opts.seconds, opts.rate)
        paced["follow_up"] = platform.drained()
        share = intake["requests_per_s"] / trivial["requests_per_s"]
        return {
            "database": name,
            "server": f"gunicorn, {opts.workers} sync workers",
            "clients": opts.clients,
            "trivial_endpoint": trivial,
            # GET /api/v1/regions/locate signed in: what authentication alone leaves of trivial.
            "signed_in_endpoint": signed_in,
            "signed_in_share_of_trivial": round(
                signed_in["requests_per_s"] / trivial["requests_per_s"], 3
            ),
            "intake": intake,
            "intake_share_of_trivial": round(share, 3),
            "intake_at_rate": paced,
            "targets_met": {
                "share_ge_0.5": share >= 0.5,
                "p99_lt_100ms_at_rate": (paced["p99_ms"] or 1e9) < 100,
            },
            "demo_load_seconds": data["demo_load_seconds"],
            "errors_logged": platform.logged_errors(),
        }
    finally:
        platform.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    opts = parser.parse_args()
    runs, skipped = [], {}
    for name in opts.databases.split(","):
        if name == "sqlite":
            runs.append(bench_one("sqlite", None, opts))
        elif name == "postgresql":
            url, reason = postgres_database("gongzhi_bench")
            if url is None:
                skipped["postgresql"] = reason
                continue
            try:
                runs.append(bench_one("postgresql", url, opts))
            finally:
                drop_postgres(url)
    print(
        json.dumps(
            {
                "benchmark": "intake",
                "cpus": os.cpu_count(),
                "note": "server and load generator share this machine's cores",
                "runs": runs,
                "skipped": skipped,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
