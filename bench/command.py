"""The command centre (issue 18) at 10 K, 1 M (SQLite) and 10 M cases (PostgreSQL, when one
answers at BENCH_PG_URL).

For each database and size, a fresh platform (a process of its own, a throwaway database)
gets the 海东 demo's places and units and N cases over two and a half years written fast
(``_command_data.py``: COPY / executemany, indexes built after). Then, in that process:

* **rollups**: ``rollups.rebuild()`` from nothing (the daily rollups every figure reads).
* **endpoints**: for the city (its leader), a county (乐都区, its command centre's
  dispatcher) and a township (its head), each with ``?region=`` of its level: the screen's
  data, the assessment and every figures endpoint over the last 365 days — p50 and p99 of
  REQUESTS in-process requests (Django's test client, after one warm-up request), and the
  SQL queries one request makes. An endpoint not there yet is reported as missing.
* **baseline**: what the county had before the rollups, ``cases.stats.rates`` counting the
  same period straight from the cases (whole and by township), timed the same way.
* **report**: ``reports.produce(month=)`` for the last whole month.
* **push**: SAMPLES reports through the real intake (``do_report``) while a thread listens
  on the live stream (``/push/cases``, as an ASGI request, the way a browser's EventSource
  gets it in production): p50/p95 from the report to its ``case.new`` message, and to the
  screen's data fetched again after it (what the big screen does on a message).

Also checked: every endpoint makes as many queries at the biggest size as at 10 K.
Prints one JSON object. Targets (issue 18): p99 ≤ 300 ms for every panel at 10 M cases on
PostgreSQL; equal query counts; the monthly report < 60 s; push p95 ≤ 2 s.

    python bench/command.py            # 10 K on both, 1 M SQLite, 10 M PostgreSQL
    python bench/command.py --quick    # 10 K and 100 K on both
    python bench/command.py --runs sqlite:10000,postgresql:1000000 [--requests 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from _child import child_env, run_child
from _postgres import drop_postgres, postgres_database

ROOT = Path(__file__).resolve().parent.parent
FULL = "sqlite:10000,postgresql:10000,sqlite:1000000,postgresql:10000000"
QUICK = "sqlite:10000,postgresql:10000,sqlite:100000,postgresql:100000"
VIEWERS = {
    "city": "demo_leader",
    "county": "demo_dispatcher_county",
    "township": "demo_township_head",
}
COUNTY = "630202"  # 乐都区, where the demo's county and township people work
API = "/api/v1/command"
ENDPOINTS = {
    "screen": "/screen?region={region}",
    "assessment": "/assessment?region={region}&start={start}&end={end}",
    "figures": "/figures?region={region}&start={start}&end={end}",
    **{
        f"breakdown_{by}": f"/figures/breakdown?by={by}&region={{region}}&start={{start}}&end={{end}}"
        for by in ("unit", "category", "channel", "region", "day", "month")
    },
    "durations": "/figures/durations?region={region}&start={start}&end={end}",
    "grids": "/figures/grids?region={region}&start={start}&end={end}",
}


# -- databases and child processes ----------------------------------------------------------


def one_run(database: str, cases: int, opts) -> dict:
    """A fresh platform on DATABASE with CASES cases, measured in a child process."""
    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-command-")
    url = None
    try:
        if database == "postgresql":
            url, reason = postgres_database(f"gongzhi_bench_command_{cases}")
            if url is None:
                return {"skipped": reason}
        args = ["--child", "run", "--cases", str(cases), "--requests", str(opts.requests)]
        args += ["--samples", str(opts.samples)]
        return run_child(__file__, args, child_env(url, var_dir, GONGZHI_LOG_LEVEL="ERROR"))
    finally:
        if url:
            drop_postgres(url)
        shutil.rmtree(var_dir, ignore_errors=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# -- the child: one database, one size ------------------------------------------------------


def run_child_main(opts) -> dict:
    setup_django()
    import _command_data
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0, interactive=False)
    out: dict = {"vendor": connection.vendor, "cases": opts.cases}
    out.update(_command_data.load_reference())
    out["data"] = _command_data.generate(opts.cases)
    out["rollups"] = rollup_section()
    viewers = level_viewers()
    out["levels"] = {level: code for level, (_user, code) in viewers.items()}
    out["endpoints"] = endpoints_section(viewers, opts.requests)
    out["baseline"] = baseline_section(viewers["county"], opts.requests)
    out["report"] = report_section()
    out["push"] = push_section(viewers["city"][0], opts.samples)
    return out


def rollup_section() -> dict:
    from gongzhi.command import rollups

    if not hasattr(rollups, "rebuild"):
        return {"missing": "command.rollups.rebuild"}
    started = time.perf_counter()
    result = rollups.rebuild()
    return {"rebuild_s": round(time.perf_counter() - started, 2), "result": result}


def level_viewers() -> dict:
    """level → (the viewer, the region code asked for)."""
    from gongzhi.accounts.models import User
    from gongzhi.core.scope import scope_for
    from gongzhi.demo.accounts import city_code
    from gongzhi.regions.models import Region, RegionLevel

    found = {}
    for level, username in VIEWERS.items():
        user = User.objects.get(username=username)
        if level == "city":
            code = city_code()
        elif level == "county":
            code = COUNTY
        else:
            deepest = max(scope_for(user).region_paths, key=len, default="")
            region = Region.objects.filter(path=deepest, level=RegionLevel.TOWNSHIP).first()
            region = (
                region
                or Region.objects.filter(level=RegionLevel.TOWNSHIP, parent__code=COUNTY)
                .order_by("code")
                .first()
            )
            code = region.code
        found[level] = (user, code)
    return found


def period() -> tuple[str, str]:
    from django.utils import timezone

    end = timezone.localdate()
    return (end - dt.timedelta(days=364)).isoformat(), end.isoformat()


def timed(fn, requests: int) -> dict:
    """p50/p99 of REQUESTS calls after a warm-up, and the SQL statements of one call
    (counted at the connection: a request resets Django's own query log)."""
    from django.db import connection

    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        first = fn()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return {
        "p50_ms": ms(percentile(samples, 50)),
        "p99_ms": ms(percentile(samples, 99)),
        "queries": len(statements),
        "first": first,
    }


def endpoints_section(viewers: dict, requests: int) -> dict:
    from django.test import Client

    start, end = period()
    found: dict = {"start": start, "end": end}
    for level, (user, code) in viewers.items():
        client = Client()
        client.force_login(user)
        rows = {}
        for name, template in ENDPOINTS.items():
            url = API + template.format(region=code, start=start, end=end)
            probe = client.get(url)
            if probe.status_code == 404 and b"Not Found" in probe.content[:200]:
                rows[name] = {"missing": url}
                continue
            if probe.status_code != 200:
                rows[name] = {"status": probe.status_code, "body": probe.content[:300].decode()}
                continue
            figures = timed(lambda url=url, c=client: c.get(url).status_code, requests)
            figures.pop("first")
            rows[name] = figures
        found[level] = rows
    return found


def baseline_section(county: tuple, requests: int) -> dict:
    """What the county had before: ``cases.stats.rates`` straight from the cases, over the
    same period (whole, and by township, unit and category)."""
    from django.utils import timezone

    from gongzhi.cases.stats import rates

    user, _code = county
    start, end = period()
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(dt.date.fromisoformat(start), dt.time(), tz)
    until = dt.datetime.combine(dt.date.fromisoformat(end) + dt.timedelta(days=1), dt.time(), tz)
    found = {}
    for group in ("all", "township", "unit", "category"):
        figures = timed(
            lambda group=group: rates(viewer=user, group_by=group, start=since, end=until),
            requests,
        )
        rows = figures.pop("first")
        if group == "all" and rows:
            figures["total"] = rows[0]["total"]
        found[group] = figures
    return found


def report_section() -> dict:
    from django.utils import timezone

    from gongzhi.command import reports

    if not hasattr(reports, "produce"):
        return {"missing": "command.reports.produce"}
    first = timezone.localdate().replace(day=1)
    month = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    started = time.perf_counter()
    try:
        result = reports.produce(month=month)
    except Exception as error:  # a month given as text not taken: the month's first day
        if not isinstance(error, TypeError | ValueError | AttributeError):
            raise
        started = time.perf_counter()
        result = reports.produce(month=dt.date.fromisoformat(month + "-01"))
    seconds = time.perf_counter() - started
    return {"month": month, "produce_s": round(seconds, 2), "result": _short(result)}


def _short(value) -> object:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return value if len(text) < 400 else text[:400] + "…"


# -- push: from a report to the screen -------------------------------------------------------


class Listener(threading.Thread):
    """The big screen: the live stream of topic "cases" as an ASGI request (production's
    path: the hub polls the message table), and the screen's data fetched again on each
    message, beside the stream (as the page does)."""

    def __init__(self, user, screen_url: str):
        super().__init__(daemon=True)
        self.user, self.screen_url = user, screen_url
        self.arrived: dict[str, float] = {}
        self.written: dict[str, float] = {}
        self.refreshed: dict[str, float] = {}
        self.ready = threading.Event()
        self.error: str | None = None

    def run(self) -> None:
        import asyncio

        try:
            asyncio.run(self._listen())
        except Exception as error:  # reported, not raised: the bench goes on
            self.error = repr(error)
            self.ready.set()

    async def _listen(self) -> None:
        import asyncio

        from asgiref.sync import sync_to_async
        from django.test import AsyncClient, Client

        client = AsyncClient()
        await sync_to_async(client.force_login)(self.user)
        screen = Client()
        await sync_to_async(screen.force_login)(self.user)
        lock = asyncio.Lock()

        def fetch() -> int:
            return screen.get(self.screen_url).status_code

        async def refresh(key: str) -> None:
            async with lock:  # one fetch at a time, as one page does
                if await sync_to_async(fetch, thread_sensitive=False)() == 200:
                    self.refreshed[key] = time.time()

        response = await client.get("/push/cases")
        if response.status_code != 200:
            raise RuntimeError(f"/push/cases answered {response.status_code}")
        buffer, tasks = "", []
        self.ready.set()
        async for chunk in response.streaming_content:
            buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
            while "\n\n" in buffer:
                frame, buffer = buffer.split("\n\n", 1)
                data = next((ln[6:] for ln in frame.splitlines() if ln.startswith("data: ")), None)
                if data is None:
                    continue
                message = json.loads(data)
                if message.get("kind") != "case.new":
                    continue
                key = _key(message.get("data") or {})
                self.arrived[key] = time.time()
                self.written[key] = dt.datetime.fromisoformat(message["at"]).timestamp()
                if self.screen_url:
                    tasks.append(asyncio.ensure_future(refresh(key)))


def _key(data: dict) -> str:
    return str(data.get("number") or data.get("id") or data.get("case") or "")


def push_section(user, samples: int) -> dict:
    import _command_data
    from django.test import Client

    from gongzhi.accounts.models import User
    from gongzhi.cases.intake.services import Report, do_report
    from gongzhi.taxonomy.models import Category

    probe = Client()
    probe.force_login(user)
    screen_url = API + "/screen"
    if probe.get(screen_url).status_code != 200:
        screen_url = ""
    listener = Listener(user, screen_url)
    listener.start()
    listener.ready.wait(10)
    if listener.error:
        return {"missing": listener.error}
    time.sleep(1.0)  # the stream's first query is done
    reporter = User.objects.get(username="demo_grid")
    grids = [g for g in _command_data.Places().grids if g[5] is not None]
    category = Category.objects.filter(enabled=True, children__isnull=True).order_by("id").first()
    sent: dict[str, float] = {}
    returned: list[float] = []
    for i in range(samples):
        grid = grids[(i * 97) % len(grids)]
        started = time.time()
        case, _created = do_report(
            report=Report(
                channel="grid_worker",
                title=f"路灯不亮 {i}",
                category=category,
                lng=grid[5],
                lat=grid[6],
                idempotency_key=f"bench-push-{uuid.uuid4().hex}",
            ),
            reporter=reporter,
        )
        returned.append(time.time() - started)
        keys = {case.number, str(case.pk)}
        for key in keys:
            sent[key] = started
        deadline = time.time() + 10
        while (
            time.time() < deadline and not (set(listener.refreshed) | set(listener.arrived)) & keys
        ):
            time.sleep(0.01)
        time.sleep(0.3 + 0.137 * (i % 4))  # out of step with the hub's polls
    time.sleep(1.0)
    if listener.error:
        return {"missing": listener.error}
    arrival = [listener.arrived[k] - sent[k] for k in sent if k in listener.arrived]
    written = [listener.written[k] - sent[k] for k in sent if k in listener.written]
    refresh = [listener.refreshed[k] - sent[k] for k in sent if k in listener.refreshed]
    out = {
        "samples": samples,
        "received": len(arrival),
        "report_p50_ms": ms(percentile(returned, 50)),
        "report_p95_ms": ms(percentile(returned, 95)),
    }
    if not arrival:
        return {**out, "missing": "no case.new message on the 'cases' topic"}
    out.update(
        {
            # the message's row written (the report's commit and its after-commit work)
            "written_p50_ms": ms(percentile(written, 50)),
            "written_p95_ms": ms(percentile(written, 95)),
            # the message on the stream, as the screen's EventSource gets it
            "message_p50_ms": ms(percentile(arrival, 50)),
            "message_p95_ms": ms(percentile(arrival, 95)),
        }
    )
    if refresh:
        out["screen_p50_ms"] = ms(percentile(refresh, 50))
        out["screen_p95_ms"] = ms(percentile(refresh, 95))
    return out


# -- the whole run ---------------------------------------------------------------------------


def same_queries(runs: dict) -> dict:
    """Per database: endpoints whose query count differs between the smallest and the
    biggest size measured (none: the same queries at 10 K and 10 M)."""
    found = {}
    for database in ("sqlite", "postgresql"):
        sized = sorted(
            (r["cases"], r)
            for r in runs.values()
            if r.get("vendor") == database and "endpoints" in r
        )
        if len(sized) < 2:
            continue
        (small_n, small), (big_n, big) = sized[0], sized[-1]
        differ = {}
        for level in VIEWERS:
            for name, figures in small["endpoints"].get(level, {}).items():
                other = big["endpoints"].get(level, {}).get(name, {})
                if "queries" in figures and figures["queries"] != other.get("queries"):
                    differ[f"{level}.{name}"] = [figures["queries"], other.get("queries")]
        found[database] = {"sizes": [small_n, big_n], "differ": differ}
    return found


def targets(runs: dict, queries: dict) -> dict:
    found = {}
    for key, run in runs.items():
        p99 = [
            f["p99_ms"]
            for level in VIEWERS
            for f in run.get("endpoints", {}).get(level, {}).values()
            if isinstance(f, dict) and "p99_ms" in f
        ]
        if p99:
            found[f"{key}_every_panel_p99_le_300ms"] = max(p99) <= 300
        if "produce_s" in run.get("report", {}):
            found[f"{key}_monthly_report_under_60s"] = run["report"]["produce_s"] < 60
        if "message_p95_ms" in run.get("push", {}):
            found[f"{key}_push_p95_le_2s"] = run["push"]["message_p95_ms"] <= 2000
    for database, check in queries.items():
        found[f"{database}_same_queries_at_every_size"] = not check["differ"]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 K and 100 K cases only")
    parser.add_argument("--runs", help=f"database:cases,… (default {FULL})")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--cases", type=int, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child == "run":
        print(json.dumps(run_child_main(opts), ensure_ascii=False, default=str))
        return 0
    plan = opts.runs or (QUICK if opts.quick else FULL)
    wanted = set(opts.databases.split(","))
    runs = {}
    for item in plan.split(","):
        database, cases = item.split(":")
        if database not in wanted:
            continue
        started = time.perf_counter()
        result = one_run(database, int(cases), opts)
        result["run_s"] = round(time.perf_counter() - started, 1)
        runs[f"{database}_{int(cases)}"] = result
        # Each run as it ends, on stderr: the full run takes hours.
        print(
            json.dumps({f"{database}_{int(cases)}": result}, default=str),
            file=sys.stderr,
            flush=True,
        )
    queries = same_queries(runs)
    result = {"benchmark": "command", "runs": runs, "same_queries": queries}
    result["targets"] = targets(runs, queries)
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
