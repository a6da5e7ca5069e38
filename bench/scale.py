"""Scale (issue 25): the spine's pages and API as the cases pile up.

One platform per database (a child process, a throwaway database) gets the 海东 demo's
places, units and categories, then is grown in steps to each of SIZES cases (``demo.grow``:
copies of the demo's stories over two years, with timelines and callbacks; COPY on
PostgreSQL). At each size, for a city dispatcher, a county dispatcher and a township head,
every path below is requested REQUESTS times in-process (Django's test client, after one
warm-up): p50 and p99, and the SQL statements one request makes. The smallest size is the
baseline measured in the same run: each path's ``x_baseline`` is its p99 over the
baseline's p99 (target: ≤ 2 at 1 M; every p99 ≤ 300 ms at 1 M on PostgreSQL).

    python bench/scale.py                                   # PostgreSQL, 10 K and 100 K
    python bench/scale.py --sizes 10000,100000,1000000 --databases postgresql,sqlite
    python bench/scale.py --paths queue,api_list --requests 20
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _child import child_env, run_child
from _postgres import drop_postgres, postgres_database

ROOT = Path(__file__).resolve().parent.parent
VIEWERS = {
    "city": "demo_dispatcher",
    "county": "demo_dispatcher_county",
    "township": "demo_township_head",
}
OPEN = "state=reported&state=accepted&state=dispatched&state=in_progress&state=returned"
PATHS = {
    "queue": "/cases/",
    "queue_deadline": "/cases/?sort=deadline",
    "queue_page_50": "/cases/?page=50",
    "callback_list": "/cases/?awaiting_callback=on&sort=closed",
    "api_list": "/api/v1/cases",
    "api_list_q": "/api/v1/cases?q=井盖",
    "queue_q": "/cases/?q=井盖",
    "api_rates_unit": "/api/v1/cases/rates?group_by=unit",
    "api_rates_category": "/api/v1/cases/rates?group_by=category",
    "rates_page": "/cases/rates/",
    "map_data": "/cases/map/data/",
    "case_page": "/cases/{number}/",
    "queue_export": "/cases/export.xlsx?" + OPEN,
    "hotspots": "/cases/hotspots/",
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def one_run(database: str, opts) -> dict:
    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-scale-")
    url = None
    try:
        if database == "postgresql":
            url, reason = postgres_database("gongzhi_scale_bench")
            if url is None:
                return {"skipped": reason}
        args = ["--child", "--sizes", opts.sizes, "--requests", str(opts.requests)]
        args += ["--paths", opts.paths]
        return run_child(__file__, args, child_env(url, var_dir, GONGZHI_LOG_LEVEL="ERROR"))
    finally:
        if url and not opts.keep:
            drop_postgres(url)
        shutil.rmtree(var_dir, ignore_errors=True)


def measure(client, url: str, requests: int) -> dict:
    from django.db import connection

    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        first = client.get(url)
    if first.status_code != 200:
        return {"status": first.status_code, "body": first.content[:200].decode(errors="replace")}
    if hasattr(first, "streaming_content"):
        b"".join(first.streaming_content)
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        samples.append(time.perf_counter() - started)
    return {
        "p50_ms": ms(percentile(samples, 50)),
        "p99_ms": ms(percentile(samples, 99)),
        "queries": len(statements),
    }


def child(opts) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from gongzhi.accounts.models import User
    from gongzhi.cases.models import Case
    from gongzhi.command import rollups
    from gongzhi.demo import grow

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.GONGZHI_TWO_FACTOR = False  # the viewers are signed in by force_login
    # Pages name their static files without the build's manifest (not collected here).
    storage = "django.contrib.staticfiles.storage.StaticFilesStorage"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": storage}}
    call_command("migrate", verbosity=0, interactive=False)
    out: dict = {"vendor": connection.vendor, "sizes": {}}
    out.update(grow.load_reference())
    texts = grow.demo_texts()
    names = [p for p in opts.paths.split(",") if p] or list(PATHS)
    clients = {}
    for level, username in VIEWERS.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[level] = (client, User.objects.get(username=username))
    for size in [int(s) for s in opts.sizes.split(",")]:
        have = Case.objects.count()
        made = grow.generate(size - have, days=730, texts=texts, timelines=True, seed=size)
        if made:  # the figures' rollups count the grown cases too, as ``demo grow`` does
            started = time.perf_counter()
            rollups.rebuild()
            made["rollups_s"] = round(time.perf_counter() - started, 1)
        row: dict = {"grow": made, "paths": {}}
        for level, (client, user) in clients.items():
            number = (
                Case.objects.visible_to(user)
                .order_by("-created_at", "-id")
                .values_list("number", flat=True)
                .first()
            )
            found = {}
            for name in names:
                url = PATHS[name].format(number=number)
                found[name] = measure(client, url, opts.requests)
            row["paths"][level] = found
        out["sizes"][size] = row
    sizes = list(out["sizes"])
    base = out["sizes"][sizes[0]]["paths"]
    for size in sizes[1:]:
        for level, found in out["sizes"][size]["paths"].items():
            for name, figures in found.items():
                before = base[level].get(name, {}).get("p99_ms")
                if before and "p99_ms" in figures:
                    figures["x_baseline"] = round(figures["p99_ms"] / before, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--databases", default="postgresql")
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(child(opts), ensure_ascii=False, default=str))
        return
    out = {"bench": "scale", "sizes": opts.sizes, "requests": opts.requests, "runs": {}}
    for database in opts.databases.split(","):
        out["runs"][database] = one_run(database, opts)
    print(json.dumps(out, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
