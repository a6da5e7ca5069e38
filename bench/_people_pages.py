"""The people pages at 10,000 and 1,000,000 residents (issue 17), on SQLite and on PostgreSQL
(when one answers at BENCH_PG_URL): the grid worker's visits due, the township leader's
figures, and beside them the grid worker's residents list and the API's residents list.

For each database a fresh platform gets the 海东 demo regions and logins, then a synthetic
register written straight to the tables (this benchmark's own rows, not the demo's; COPY on
PostgreSQL, ``executemany`` on SQLite) with the invariants the services keep: region, grid
and region path copied from the house onto households, residents, memberships and visits;
valid ID numbers (GB 11643: the county's code, the birth date, the sex; checked with
``people.idnumbers``), unique among current residents; one due visit per current membership,
with the grid's own worker for an open group and none for a restricted one.

Where the people live: the demo grid worker's three grids (``demo_grid``) hold 0.05% of the
residents each, never fewer than 300 (300 to 500); the demo township (碾伯镇, whose head is
``demo_township_head``) 3% (30,000 at a million); the rest of 海东's ~2,000 grids the rest,
by each grid's household count. About 1.3 households a house and 3 people a household; 3%
moved out; care memberships at about 8% (by age: children left behind, elderly living
alone or in an empty nest, disabled people, and the restricted groups), 5% of them ended;
half of the members with a year of visits made, the others with their last one or two;
one due visit each (some late); daily check-ins for a fifth of the elderly living alone,
90 days of taps (93% kept).

Each page is requested in the process through Django's test client, signed in (every
middleware, the session, the view, the template): REQUESTS times after a warm-up; median
and p99 (nearest rank) in milliseconds, and the queries one request makes. Beside them, in
the same run: /healthz and the signed-in profile page (the floor of any page). At the
largest size each page's slowest queries are explained (EXPLAIN ANALYZE on PostgreSQL).

PostgreSQL is VACUUMed and ANALYZEd after each load, as autovacuum would after that many
inserts (``--pg-after-load analyze``: ANALYZE only; ``none``: neither).

Prints one JSON object (``measure(opts)`` returns it, for ``bench/people.py``). Targets
(issue 17): pages p99 < 300 ms at 1,000,000 residents on PostgreSQL; the queries per page
the same at every size.

    python bench/_people_pages.py [--sizes 10000,1000000] [--requests 40]
                                 [--databases sqlite,postgresql]
                                 [--pg-after-load vacuum|analyze|none]
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gc
import io
import itertools
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

from _postgres import drop_postgres, postgres_database

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260418
GRID_WORKER = "demo_grid"  # 李建国: three grids of 碾伯镇's first community
LEADER = "demo_township_head"  # 朱长青, 镇长 of 碾伯镇: the township's figures
WORKER_GRID_SHARE, WORKER_GRID_FLOOR = 0.0005, 300
TOWNSHIP_SHARE = 0.03
FLUSH = 20_000  # residents written per transaction
DEFAULTS = {
    "sizes": "10000,1000000",
    "requests": 40,
    "databases": "sqlite,postgresql",
    "pg_after_load": "vacuum",
}


# -- the parent: one child process per database --------------------------------------------------


def _env(static_root: str, var_dir: str, database_url: str | None) -> dict:
    env = dict(
        os.environ,
        GONGZHI_VAR_DIR=var_dir,
        GONGZHI_STATIC_ROOT=static_root,
        GONGZHI_SECRET_KEY="bench-" + uuid.uuid4().hex,
        DJANGO_SETTINGS_MODULE="gongzhi.settings",
    )
    env.pop("GONGZHI_DEBUG", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def run_child(database_url: str | None, static_root: str, opts) -> dict:
    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-")
    args = [sys.executable, __file__, "--child", "--sizes", opts.sizes]
    args += ["--requests", str(opts.requests), "--pg-after-load", opts.pg_after_load]
    try:
        out = subprocess.run(
            args, env=_env(static_root, var_dir, database_url), capture_output=True, text=True
        )
        if out.returncode != 0:
            sys.stderr.write(out.stderr)
            return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def collect_static(static_root: str) -> None:
    """The pages render with the production static storage (a manifest): collected once."""
    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-")
    gongzhi = Path(sys.executable).parent / "gongzhi"
    try:
        subprocess.run(
            [str(gongzhi), "collectstatic", "--no-input", "-v", "0"],
            env=_env(static_root, var_dir, None),
            check=True,
        )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def measure(opts=None) -> dict:
    """The whole benchmark: ``opts`` may carry ``sizes`` ("10000,1000000"), ``requests``,
    ``databases`` ("sqlite,postgresql") and ``pg_after_load``; missing ones take defaults
    (``bench/people.py`` passes its own namespace)."""
    opts = argparse.Namespace(
        **{name: getattr(opts, name, None) or default for name, default in DEFAULTS.items()},
        keep_db=getattr(opts, "keep_db", False),
    )
    if not isinstance(opts.sizes, str):  # a list of sizes will do too
        opts.sizes = ",".join(str(size) for size in opts.sizes)
    static_root = tempfile.mkdtemp(prefix="gongzhi-bench-static-")
    result: dict = {
        "benchmark": "people_pages",
        "sizes": [int(s) for s in str(opts.sizes).split(",")],
        "requests": int(opts.requests),
        "pg_after_load": opts.pg_after_load,
    }
    try:
        collect_static(static_root)
        for name in str(opts.databases).split(","):
            if name == "sqlite":
                result["sqlite"] = run_child(None, static_root, opts)
            elif name == "postgresql":
                url, reason = postgres_database("gongzhi_bench_people_pages")
                if url is None:
                    result["postgresql"] = {"skipped": reason}
                    continue
                try:
                    result["postgresql"] = run_child(url, static_root, opts)
                finally:
                    if getattr(opts, "keep_db", False):
                        result["postgresql_kept"] = url
                    else:
                        drop_postgres(url)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    result["targets"] = targets(result)
    return result


BASELINES = ("healthz", "profile")


def targets(result: dict) -> dict:
    """Each target, per database: met or not (None when it was not measured)."""
    largest, smallest = str(max(result["sizes"])), str(min(result["sizes"]))
    found = {}
    for db in ("sqlite", "postgresql"):
        pages = result.get(db, {}).get("pages")
        if not pages:
            continue
        measured = {n: p for n, p in pages.items() if n not in BASELINES}
        if largest == "1000000" or db == "postgresql":
            found[f"{db}_p99_under_300ms_at_{largest}"] = all(
                p[largest]["p99_ms"] < 300 for p in measured.values() if largest in p
            )
        found[f"{db}_queries_independent_of_size"] = all(
            p[smallest]["queries"] == p[largest]["queries"]
            for p in measured.values()
            if smallest in p and largest in p
        )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULTS["sizes"])
    parser.add_argument("--requests", type=int, default=DEFAULTS["requests"])
    parser.add_argument("--databases", default=DEFAULTS["databases"])
    parser.add_argument(
        "--pg-after-load",
        choices=("vacuum", "analyze", "none"),
        default=DEFAULTS["pg_after_load"],
        help="what PostgreSQL runs after each load, standing in for autovacuum",
    )
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help="leave the PostgreSQL database in place (its URL is in the output), to explain by hand",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(child(opts), ensure_ascii=False))
        return 0
    print(json.dumps(measure(opts), ensure_ascii=False))
    return 0


# -- the child: one database ------------------------------------------------------------------


def child(opts) -> dict:
    if hasattr(os, "sched_setaffinity"):  # one core for the pages; the database has the other
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.demo import accounts, regions

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    regions.load()
    accounts.load()
    world = World(random.Random(SEED))
    out: dict = {
        "vendor": connection.vendor,
        "setup_s": round(time.perf_counter() - started, 1),
        "load_s": {},
        "world": {},
        "pages": {},
    }
    sizes = sorted(int(s) for s in opts.sizes.split(","))
    for size in sizes:
        started = time.perf_counter()
        world.top_up(size)
        if connection.vendor == "postgresql" and opts.pg_after_load != "none":
            # What autovacuum does after a load: ANALYZE (or the planner believes the tables
            # hold what they held before) and VACUUM (pages marked all-visible, so that an
            # index can answer alone).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if opts.pg_after_load == "vacuum" else "ANALYZE")
        settle(connection)
        out["load_s"][str(size)] = round(time.perf_counter() - started, 1)
        out["world"][str(size)] = world.counts()
        for name, figures in measure_pages(world, opts.requests).items():
            out["pages"].setdefault(name, {})[str(size)] = figures
    out["explain"] = explain(world)
    return out


def settle(connection) -> None:
    """Write the load out before timing (a checkpoint, the WAL folded back, the garbage
    collected): otherwise the first pages measured after a load pay for its writes."""
    with connection.cursor() as cursor:
        try:
            if connection.vendor == "postgresql":
                cursor.execute("CHECKPOINT")
            else:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception:  # noqa: BLE001 - not allowed to: measure without it
            pass
    gc.collect()
    time.sleep(2)


# -- the pages --------------------------------------------------------------------------------


def page_urls() -> dict[str, tuple[str, str]]:
    """name → (who, url)."""
    from django.urls import reverse

    return {
        "healthz": (GRID_WORKER, "/healthz"),
        "profile": (GRID_WORKER, reverse("profile")),
        "visits_due": (GRID_WORKER, reverse("people:visits")),
        "residents": (GRID_WORKER, reverse("people:residents")),
        "api_residents": (GRID_WORKER, "/api/v1/people/residents"),
        "figures": (LEADER, reverse("people:figures")),
    }


def timed(fn, n: int) -> dict:
    fn()  # warm-up: templates, the session, the scope
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p99_ms": round(times[max(0, math.ceil(0.99 * n) - 1)], 1),
        "n": n,
    }


def _clients() -> dict:
    from django.test import Client

    from gongzhi.accounts.models import User

    clients = {}
    for username in (GRID_WORKER, LEADER):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        clients[username] = client
    return clients


def _getter(client, url):
    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    return get


def measure_pages(world, n: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = _clients()
    results = {}
    for name, (who, url) in page_urls().items():
        get = _getter(clients[who], url)
        figures = timed(get, n)
        with CaptureQueriesContext(connection) as queries:
            response = get()
        figures["queries"] = len(queries)
        figures["bytes"] = len(response.content)
        results[name] = figures
    return results


def explain(world) -> dict:
    """Each page's slowest queries at the largest size, with their plans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = _clients()
    plans = {}
    for name, (who, url) in page_urls().items():
        if name in BASELINES:
            continue
        with CaptureQueriesContext(connection) as queries:
            _getter(clients[who], url)()
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:2]
        found = []
        for q in slowest:
            entry = {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:600]}
            try:
                with connection.cursor() as cursor:
                    if connection.vendor == "postgresql":
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                    else:
                        cursor.execute("EXPLAIN QUERY PLAN " + q["sql"])
                    entry["plan"] = [" ".join(str(c) for c in row) for row in cursor.fetchall()][
                        :30
                    ]
            except Exception as error:  # noqa: BLE001 - a plan is a hint, not a figure
                entry["plan"] = [f"no plan: {error}"]
            found.append(entry)
        plans[name] = found
    return plans


# -- writing rows in bulk ----------------------------------------------------------------------


class Table:
    """Rows of one model as tuples in ``columns`` order, ids given up front (so rows can
    point at each other before any is written; the foreign keys are checked at the commit),
    written with COPY on PostgreSQL and ``executemany`` on SQLite."""

    def __init__(self, model, columns: str):
        from django.db import connection
        from django.db.models import Max

        self.model, self.columns = model, columns.split()
        have = {f.column for f in model._meta.concrete_fields}
        if set(self.columns) != have:  # the model changed: the benchmark must follow
            raise RuntimeError(f"{model.__name__}: missing {have - set(self.columns)}")
        self.vendor = connection.vendor
        self.next = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.rows: list[tuple] = []
        self.written = 0

    def take_id(self) -> int:
        self.next += 1
        return self.next - 1

    def flush(self) -> None:
        from django.db import connection

        if not self.rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                buffer = io.StringIO()
                for row in self.rows:
                    buffer.write("\t".join(map(_copy_text, row)))
                    buffer.write("\n")
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
            else:
                adapt = connection.ops.adapt_datetimefield_value
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",
                    [tuple(_lite(v, adapt) for v in row) for row in self.rows],
                )
        self.written += len(self.rows)
        self.rows = []

    def reset_sequence(self) -> None:
        from django.core.management.color import no_style
        from django.db import connection

        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(statement)


def _copy_text(v) -> str:
    if v is None:
        return "\\N"
    if v is True:
        return "t"
    if v is False:
        return "f"
    if isinstance(v, str):
        if "\\" in v or "\t" in v or "\n" in v or "\r" in v:
            v = v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            v = v.replace("\r", "\\r")
        return v
    return str(v)  # numbers, dates, aware datetimes (PostgreSQL reads str() of each)


def _lite(v, adapt):
    if isinstance(v, dt.datetime):
        return adapt(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


# -- the synthetic register ------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨赵黄周吴马韩祁朱冶鲁乔汪何孙"
GIVEN = "建国秀兰志强玉梅永福海军文静振华长青立新学军春花国栋浩然子轩欣怡梓涵雨桐佳怡"
STREETS = ("解放路", "建设路", "西大街", "东大街", "滨河路", "古城大街", "湟水路", "新民街")
MIGRANT_ORIGINS = ("630203", "630222", "630102", "622901", "622921", "620102", "411421")
USES = (("own", 78), ("rented", 10), ("vacant", 8), ("business", 4))
SIZES = ((1, 14), (2, 26), (3, 24), (4, 20), (5, 11), (6, 5))
# Care, by age band: (group code, probability); one group a person at most.
CARE = {
    "child": (("left_behind_child", 0.08), ("child_in_hardship", 0.004)),
    "adult": (
        ("disabled", 0.015),
        ("severe_mental_illness", 0.004),
        ("released_prisoner", 0.002),
        ("community_correction", 0.001),
    ),
    "old": (("elderly_alone", 0.10), ("empty_nest_elderly", 0.12), ("disabled", 0.04)),
}
LEVELS = {
    "left_behind_child": (("monthly", 80), ("fortnightly", 20)),
    "child_in_hardship": (("fortnightly", 70), ("weekly", 30)),
    "elderly_alone": (("weekly", 35), ("fortnightly", 35), ("monthly", 30)),
    "empty_nest_elderly": (("monthly", 75), ("fortnightly", 15), ("quarterly", 10)),
    "disabled": (("quarterly", 60), ("monthly", 40)),
    "community_correction": (("weekly", 40), ("monthly", 60)),
    "released_prisoner": (("monthly", 70), ("quarterly", 30)),
    "severe_mental_illness": (("fortnightly", 60), ("monthly", 30), ("weekly", 10)),
}
ENDED_SHARE, HISTORY_SHARE, LATE_SHARE = 0.05, 0.5, 0.08
CHECKIN_SHARE, CHECKIN_DAYS, KEPT_SHARE = 0.2, 90, 0.93


_CUMULATED: dict[int, tuple] = {}


def weighted(rng: random.Random, pairs):
    found = _CUMULATED.get(id(pairs))
    if found is None:
        values, weights = zip(*pairs, strict=True)
        found = _CUMULATED[id(pairs)] = (values, list(itertools.accumulate(weights)))
    values, cumulated = found
    return values[bisect.bisect(cumulated, rng.random() * cumulated[-1])]


class World:
    """The synthetic register, topped up to each size with the same shares."""

    def __init__(self, rng: random.Random):
        from django.utils import timezone

        from gongzhi.accounts.models import User
        from gongzhi.people.models import CareGroup, CareLevel
        from gongzhi.regions.models import Grid, GridAssignment

        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.worker = User.objects.get(username=GRID_WORKER)
        self.leader = User.objects.get(username=LEADER)
        mine = set(
            GridAssignment.objects.filter(user=self.worker).values_list("grid_id", flat=True)
        )
        township = (
            Grid.objects.filter(pk__in=mine).values_list("region_path", flat=True).first() or ""
        )
        self.township_path = "/".join(township.split("/")[:5]) + "/"
        primary: dict[int, int] = {}
        for grid_id, user_id, duty in GridAssignment.objects.filter(
            user__is_active=True
        ).values_list("grid_id", "user_id", "duty"):
            if duty == GridAssignment.Duty.PRIMARY or grid_id not in primary:
                primary[grid_id] = user_id
        self.grids = []
        weights = {"worker": [], "township": [], "rest": []}
        for pk, community_id, path, households, boundary in (
            Grid.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("pk", "community_id", "region_path", "households", "boundary")
        ):
            if community_id is None or len(path.strip("/").split("/")) < 5:
                continue
            kind = (
                "worker"
                if pk in mine
                else "township"
                if path.startswith(self.township_path)
                else "rest"
            )
            grid = {
                "pk": pk,
                "region": community_id,
                "path": path,
                "county": path.strip("/").split("/")[2],
                "worker": primary.get(pk),
                "centre": _centre(boundary),
                "kind": kind,
                "residents": 0,
                "houses": 0,
            }
            self.grids.append(grid)
            weights[kind].append(households or 200)
        # Each grid's share of the residents.
        total = {k: sum(w) or 1 for k, w in weights.items()}
        share = {
            "worker": WORKER_GRID_SHARE * len(weights["worker"]),
            "township": TOWNSHIP_SHARE - WORKER_GRID_SHARE * len(weights["worker"]),
        }
        share["rest"] = 1 - share["worker"] - share["township"]
        seen = defaultdict(int)
        for grid in self.grids:
            kind = grid["kind"]
            grid["share"] = share[kind] * weights[kind][seen[kind]] / total[kind]
            seen[kind] += 1
        self.groups = {
            code: (pk, is_open)
            for code, pk, is_open in CareGroup.objects.values_list("code", "pk", "open_to_local")
        }
        self.levels = dict(CareLevel.objects.values_list("code", "pk"))
        self.level_days = dict(CareLevel.objects.values_list("code", "visit_days"))
        self.taken: set[str] = set()
        self.size = 0

    # -- top-up ---------------------------------------------------------------------------------

    def top_up(self, size: int) -> None:
        from django.db import transaction

        from gongzhi.people import models as m

        self.tables = {
            "house": Table(
                m.House,
                "id created_at updated_at region_id grid_id region_path building_id address "
                "lng lat use area owner_name owner_id_number owner_phone",
            ),
            "household": Table(
                m.Household,
                "id created_at updated_at region_id grid_id region_path house_id number kind "
                "head_id",
            ),
            "resident": Table(
                m.Resident,
                "id created_at updated_at region_id grid_id region_path name id_number phone "
                "sex birth_date household_id relation kind moved_in moved_out left_reason "
                "created_by_id",
            ),
            "membership": Table(
                m.CareMembership,
                "id created_at updated_at resident_id group_id level_id since until note "
                "worker_id grid_id region_path enrolled_by_id",
            ),
            "visit": Table(
                m.Visit,
                "id created_at updated_at membership_id resident_id group_id grid_id "
                "region_path state due_on worker_id visited_at visited_by_id findings needs "
                "photo lng lat distance_m far case_number dispute_number late_noticed_at "
                "escalated_at",
            ),
            "plan": Table(
                m.CheckInPlan,
                "id created_at updated_at resident_id token family_name family_phone "
                "worker_id started_on ended_on grid_id region_path",
            ),
            "checkin": Table(m.CheckIn, "id plan_id day at by_family"),
        }
        pending = 0
        for grid in self.grids:
            target = max(
                round(grid["share"] * size), WORKER_GRID_FLOOR if grid["kind"] == "worker" else 0
            )
            while grid["residents"] < target:
                pending += self._house(grid, target - grid["residents"])
                if pending >= FLUSH:
                    with transaction.atomic():
                        self._flush()
                    pending = 0
        with transaction.atomic():
            self._flush()
        for table in self.tables.values():
            table.reset_sequence()
        self.size = size

    def _flush(self) -> None:
        for name in ("house", "household", "resident", "membership", "visit", "plan", "checkin"):
            self.tables[name].flush()

    def _house(self, grid: dict, wanted: int) -> int:
        """One house with its households and their people; the number of people."""
        rng, now = self.rng, self.now
        house_id = self.tables["house"].take_id()
        grid["houses"] += 1
        use = weighted(rng, USES)
        lng, lat = grid["centre"]
        place = (grid["region"], grid["pk"], grid["path"])
        self.tables["house"].rows.append(
            (
                house_id,
                now,
                now,
                *place,
                None,
                f"{rng.choice(STREETS)}{grid['houses']}号",
                round(lng + rng.uniform(-0.004, 0.004), 6),
                round(lat + rng.uniform(-0.004, 0.004), 6),
                use,
                None,
                f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}",
                "",
                f"139{rng.randrange(10**8):08d}",
            )
        )
        if use == "vacant":
            return 0
        households = 1 if use != "own" or rng.random() < 0.75 else 2
        made = 0
        for k in range(households):
            if k and made >= wanted:
                break
            migrant = use == "rented"
            n = min(weighted(rng, SIZES), max(1, wanted - made))
            made += self._household(grid, place, house_id, k, n, migrant)
        grid["residents"] += made
        return made

    def _household(self, grid, place, house_id, k, n, migrant) -> int:
        rng, now, today = self.rng, self.now, self.today
        household_id = self.tables["household"].take_id()
        residents = self.tables["resident"]
        ids = [residents.take_id() for _ in range(n)]
        kind = "migrant" if migrant else "registered"
        self.tables["household"].rows.append(
            (household_id, now, now, *place, house_id, f"{house_id}-{k + 1}", kind, ids[0])
        )
        head_age, head_male = rng.randint(25, 85), True
        origin = rng.choice(MIGRANT_ORIGINS) if migrant else grid["county"]
        for i, resident_id in enumerate(ids):
            if i == 0:
                age, relation = head_age, "head"
            elif i == 1 and head_age >= 25:
                age, relation = max(18, head_age + rng.randint(-5, 5)), "spouse"
            elif head_age >= 55 and rng.random() < 0.4:
                age, relation = rng.randint(0, 16), "grandchild"
            else:
                age, relation = max(0, head_age - rng.randint(20, 35)), "child"
            born = today - dt.timedelta(days=age * 365 + rng.randrange(365))
            male = not head_male if relation == "spouse" else rng.random() < 0.5
            if i == 0:
                head_male = male
            number = self._id_number(origin, born, male)
            moved_in = max(born, today - dt.timedelta(days=rng.randrange(20 * 365)))
            moved_out = None
            if rng.random() < 0.03:
                moved_out = min(today, moved_in + dt.timedelta(days=rng.randrange(1, 3000)))
            residents.rows.append(
                (
                    resident_id,
                    now,
                    now,
                    *place,
                    f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}",
                    number,
                    f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                    "male" if male else "female",
                    born,
                    household_id,
                    relation,
                    kind,
                    moved_in,
                    moved_out,
                    "moved" if moved_out else "",
                    None,
                )
            )
            if moved_out is None:
                band = "child" if age < 16 else "old" if age >= 60 else "adult"
                draw = rng.random()
                for code, p in CARE[band]:
                    if draw < p:
                        self._care(grid, resident_id, code)
                        break
                    draw -= p
        return n

    def _id_number(self, region: str, born: dt.date, male: bool) -> str:
        from gongzhi.accounts.validators import id_check_digit

        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if male else 0)
            first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.taken:
                self.taken.add(number)
                return number

    def _care(self, grid, resident_id: int, code: str) -> None:
        rng, now, today = self.rng, self.now, self.today
        group_id, is_open = self.groups[code]
        level = weighted(rng, LEVELS[code])
        days = self.level_days[level]
        worker = grid["worker"] if is_open else None
        since = today - dt.timedelta(days=rng.randint(20, 5 * 365))
        until = None
        if rng.random() < ENDED_SHARE:
            until = min(today, since + dt.timedelta(days=rng.randint(30, 800)))
        membership_id = self.tables["membership"].take_id()
        self.tables["membership"].rows.append(
            (
                membership_id,
                now,
                now,
                resident_id,
                group_id,
                self.levels[level],
                since,
                until,
                "",
                worker,
                grid["pk"],
                grid["path"],
                None,
            )
        )
        visit = (membership_id, resident_id, group_id, grid["pk"], grid["path"])
        visits = self.tables["visit"]
        end = until or today
        # Visits made: a year of them for half the members, the last one or two for the rest.
        reach = 365 if rng.random() < HISTORY_SHARE else 2 * days
        due = max(since, end - dt.timedelta(days=reach)) + dt.timedelta(days=days)
        last = since
        while due <= end:
            late = rng.random() < LATE_SHARE
            made_on = due + dt.timedelta(days=rng.randint(1, 6) if late else -rng.randint(0, 2))
            if made_on >= today:
                break
            at = dt.datetime.combine(
                made_on, dt.time(rng.randint(8, 18), rng.randrange(60)), self.tz
            )
            visits.rows.append(
                (
                    visits.take_id(),
                    at,
                    at,
                    *visit,
                    "done",
                    due,
                    worker,
                    at,
                    worker,
                    "走访正常，身体和生活情况良好。",
                    "",
                    "",
                    None,
                    None,
                    None,
                    False,
                    "",
                    "",
                    None,
                    None,
                )
            )
            last = made_on
            due = made_on + dt.timedelta(days=days)
        if until is None:  # the planner's one due visit
            visits.rows.append(
                (
                    visits.take_id(),
                    now,
                    now,
                    *visit,
                    "due",
                    last + dt.timedelta(days=days),
                    worker,
                    None,
                    None,
                    "",
                    "",
                    "",
                    None,
                    None,
                    None,
                    False,
                    "",
                    "",
                    None,
                    None,
                )
            )
            if code == "elderly_alone" and rng.random() < CHECKIN_SHARE:
                self._checkins(grid, resident_id, worker or grid["worker"])

    def _checkins(self, grid, resident_id: int, worker) -> None:
        rng, now, today = self.rng, self.now, self.today
        plan_id = self.tables["plan"].take_id()
        started = today - dt.timedelta(days=rng.randint(7, 300))
        self.tables["plan"].rows.append(
            (
                plan_id,
                now,
                now,
                resident_id,
                f"bench{uuid.UUID(int=rng.getrandbits(128)).hex}{plan_id:06d}"[:43],
                "",
                "",
                worker,
                started,
                None,
                grid["pk"],
                grid["path"],
            )
        )
        checkins = self.tables["checkin"]
        day = max(started, today - dt.timedelta(days=CHECKIN_DAYS))
        while day < today:
            if rng.random() < KEPT_SHARE:
                at = dt.datetime.combine(
                    day, dt.time(rng.randint(7, 10), rng.randrange(60)), self.tz
                )
                checkins.rows.append((checkins.take_id(), plan_id, day, at, rng.random() < 0.1))
            day += dt.timedelta(days=1)

    # -- what the world holds ------------------------------------------------------------------

    def counts(self) -> dict:
        from gongzhi.people.idnumbers import valid_id_number
        from gongzhi.people.models import (
            CareMembership,
            CheckIn,
            House,
            Household,
            Resident,
            Visit,
        )

        worker_grids = [g["pk"] for g in self.grids if g["kind"] == "worker"]
        sample = Resident.objects.order_by("-pk").values_list("id_number", "birth_date", "sex")[
            :200
        ]
        return {
            "residents": Resident.objects.count(),
            "current_residents": Resident.objects.current().count(),
            "households": Household.objects.count(),
            "houses": House.objects.count(),
            "memberships": CareMembership.objects.count(),
            "visits_due": Visit.objects.filter(state="due").count(),
            "visits_done": Visit.objects.filter(state="done").count(),
            "checkins": CheckIn.objects.count(),
            "grid_worker_residents": Resident.objects.filter(grid_id__in=worker_grids).count(),
            "grid_worker_visits_due": Visit.objects.filter(state="due", worker=self.worker).count(),
            "township_residents": Resident.objects.filter(
                region_path__startswith=self.township_path
            ).count(),
            "ids_valid": all(
                (v := valid_id_number(n)) is not None and v.birth_date == b and v.sex == s
                for n, b, s in sample
            ),
        }


def _centre(boundary) -> tuple[float, float]:
    try:
        ring = boundary["coordinates"][0]
        if boundary["type"] == "MultiPolygon":
            ring = ring[0]
        return (
            sum(p[0] for p in ring) / len(ring),
            sum(p[1] for p in ring) / len(ring),
        )
    except (KeyError, IndexError, TypeError, ZeroDivisionError):
        return 102.4, 36.5


if __name__ == "__main__":
    sys.exit(main())
