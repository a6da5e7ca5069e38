"""The mediator's workbench and the county board with 1,000 and 200,000 disputes, beside
/healthz in the same process, on SQLite and on PostgreSQL (when one answers at
BENCH_PG_URL); and agreement PDFs per second on one core, beside a one-line PDF.

For each database a fresh platform gets the 海东 demo regions and people, a few real demo
disputes (``demo.mediation``, through the services: their agreements are the ones
printed), then synthetic disputes inserted in bulk (this benchmark's own rows, not the
demo) up to each size: half in 乐都区, whose 矛调中心 login (``demo_county_mediation``)
opens the pages; most of them old and closed, the open ones spread over the states, with
parties, planned sessions and agreed obligations where the state has them.

Each page is requested in the process through Django's test client, signed in (every
middleware, the session, the view, the template): REQUESTS times after a warm-up; median
and p99 (nearest rank) in milliseconds, and the queries one request makes. At the largest
size the board's and the workbench's main queries are explained (EXPLAIN). With 40 requests
the p99 is the slowest of them.

PostgreSQL is VACUUMed and ANALYZEd after each bulk insert, as autovacuum would after that
many inserts (``--pg-after-load analyze`` leaves the pages unmarked, as just after a load);
SQLite is left as a platform leaves it (nothing runs ANALYZE there).

Prints one JSON object. Targets (issue 16): board p99 < 300 ms at 200,000 disputes; the
queries per page the same at 1,000 and at 200,000; ≥ 20 agreement PDFs per second.

    python bench/mediation.py [--sizes 1000,200000] [--requests 40] [--pdfs 30]
                              [--databases sqlite,postgresql]
                              [--pg-after-load vacuum|analyze|none]
"""

from __future__ import annotations

import argparse
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
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from _postgres import drop_postgres, postgres_database

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260416
REAL_DISPUTES = 40  # real demo disputes, through the services: the agreements printed
USER = "demo_county_mediation"  # the county 矛调中心: its workbench and its board
HOME_COUNTY = "630202"
BATCH = 5000


# -- the parent: one child process per database -------------------------------------------


def run_child(database_url: str | None, static_root: str, opts) -> dict:
    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-")
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
    args = [sys.executable, __file__, "--child", "--sizes", opts.sizes]
    args += ["--requests", str(opts.requests), "--pdfs", str(opts.pdfs if not database_url else 0)]
    args += ["--pg-after-load", opts.pg_after_load]
    try:
        out = subprocess.run(args, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            sys.stderr.write(out.stderr)
            return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def collect_static(static_root: str) -> None:
    """The pages render with the production static storage (a manifest): collected once."""
    env = dict(
        os.environ,
        GONGZHI_STATIC_ROOT=static_root,
        GONGZHI_VAR_DIR=tempfile.mkdtemp(prefix="gongzhi-bench-"),
        GONGZHI_SECRET_KEY="bench",
        DJANGO_SETTINGS_MODULE="gongzhi.settings",
    )
    env.pop("DATABASE_URL", None)
    gongzhi = Path(sys.executable).parent / "gongzhi"
    subprocess.run([str(gongzhi), "collectstatic", "--no-input", "-v", "0"], env=env, check=True)
    shutil.rmtree(env["GONGZHI_VAR_DIR"], ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,200000")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--pdfs", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-after-load",
        choices=("vacuum", "analyze", "none"),
        default="vacuum",
        help="what PostgreSQL runs after each bulk insert, standing in for autovacuum",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(child(opts), ensure_ascii=False))
        return 0
    static_root = tempfile.mkdtemp(prefix="gongzhi-bench-static-")
    result: dict = {
        "benchmark": "mediation",
        "sizes": [int(s) for s in opts.sizes.split(",")],
        "pg_after_load": opts.pg_after_load,
    }
    try:
        collect_static(static_root)
        for name in opts.databases.split(","):
            if name == "sqlite":
                result["sqlite"] = run_child(None, static_root, opts)
            elif name == "postgresql":
                url, reason = postgres_database("gongzhi_bench_mediation")
                if url is None:
                    result["postgresql"] = {"skipped": reason}
                    continue
                try:
                    result["postgresql"] = run_child(url, static_root, opts)
                finally:
                    drop_postgres(url)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    result["pdf"] = result.get("sqlite", {}).pop("pdf", None)
    result["targets"] = targets(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def targets(result: dict) -> dict:
    """Each target, per database: met or not (None when it was not measured)."""
    largest = str(max(result["sizes"]))
    smallest = str(min(result["sizes"]))
    found = {}
    for db in ("sqlite", "postgresql"):
        pages = result.get(db, {}).get("pages")
        if not pages:
            continue
        board = pages.get("board", {})
        found[f"{db}_board_p99_under_300ms"] = (
            board[largest]["p99_ms"] < 300 if largest in board else None
        )
        found[f"{db}_queries_independent_of_count"] = all(
            p[smallest]["queries"] == p[largest]["queries"]
            for name, p in pages.items()
            if name != "healthz" and smallest in p and largest in p
        )
    pdf = result.get("pdf") or {}
    found["pdfs_per_s_at_least_20"] = pdf["per_s"] >= 20 if "per_s" in pdf else None
    return found


# -- the child: one database --------------------------------------------------------------


def child(opts) -> dict:
    if hasattr(os, "sched_setaffinity"):  # one core: the pages and the PDFs as stated
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    world = prepare()
    out: dict = {
        "vendor": connection.vendor,
        "setup_s": round(time.perf_counter() - started, 1),
        "pages": {},
        "insert_s": {},
    }
    pages = page_urls()
    out["measured"] = "pages" if pages else "queries (the pages are not mounted)"
    sizes = sorted(int(s) for s in opts.sizes.split(","))
    for size in sizes:
        started = time.perf_counter()
        world.top_up(size)
        if connection.vendor == "postgresql" and opts.pg_after_load != "none":
            # What autovacuum does after a bulk load (PostgreSQL 13 on vacuums after inserts
            # too): ANALYZE, without which the planner believes the table still holds the
            # rows it had before; VACUUM, which marks the pages all-visible so that an index
            # can answer alone. (Nothing runs either on SQLite.)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if opts.pg_after_load == "vacuum" else "ANALYZE")
        out["insert_s"][str(size)] = round(time.perf_counter() - started, 1)
        for name, figures in measure_pages(world, pages, opts.requests).items():
            out["pages"].setdefault(name, {})[str(size)] = figures
    out["visible_to_county"] = world.visible()
    out["explain"] = explain(world)
    if opts.pdfs:
        out["pdf"] = pdf_rate(opts.pdfs)
    return out


def prepare():
    from gongzhi.demo import accounts, regions
    from gongzhi.demo import mediation as demo_mediation

    regions.load()
    accounts.load()
    # A few real disputes through the services: what the PDFs print.
    demo_mediation.generate(count=REAL_DISPUTES, seed=SEED)
    return Synthetic(random.Random(SEED))


def page_urls() -> dict[str, str] | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return {
            "healthz": "/healthz",
            "workbench": reverse("mediation:workbench"),
            "board": reverse("mediation:board"),
        }
    except NoReverseMatch:
        return None


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


def measure_pages(world, pages, n: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = {}
    if pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(world.user)
        for name, url in pages.items():

            def get(url=url):
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
                return response

            figures = timed(get, n)
            with CaptureQueriesContext(connection) as queries:
                get()
            figures["queries"] = len(queries)
            results[name] = figures
        return results
    # The pages are not there: the queries a board and a workbench would make.
    for name, fn in (("board", world.board_queries), ("workbench", world.workbench_queries)):
        figures = timed(fn, n)
        with CaptureQueriesContext(connection) as queries:
            fn()
        figures["queries"] = len(queries)
        results[name] = figures
    return results


def explain(world) -> dict:
    """The plans of the board's and the workbench's main queries at the largest size."""
    plans = {}
    for name, qs in world.main_queries().items():
        try:
            plans[name] = qs.explain().splitlines()[:40]
        except Exception as error:  # noqa: BLE001 - a plan is a hint, not a figure
            plans[name] = [f"no plan: {error}"]
    return plans


def pdf_rate(n: int) -> dict:
    """Agreement PDFs per second, on real demo agreements; beside a one-line A4 page in the
    same renderer and font (its floor). The first document cuts and caches the font (not
    timed: the warm-up); per_s is from the median wall-clock time, cpu_per_s from the CPU
    time (the rate of one core whatever else the machine runs)."""
    from gongzhi.mediation.models import Agreement

    try:
        from gongzhi.mediation.documents import agreement_pdf_bytes
        from gongzhi.mediation.printing import one_line_pdf
    except ImportError:
        return {"skipped": "gongzhi.mediation.documents.agreement_pdf_bytes is not there"}
    agreements = list(
        Agreement.objects.select_related("dispute__holder", "dispute__lead_mediator").order_by(
            "pk"
        )[:10]
    )
    if not agreements:
        return {"skipped": "no agreement"}
    sizes = []

    def one(i=[0]):  # noqa: B006 - a counter across calls
        sizes.append(len(agreement_pdf_bytes(agreements[i[0] % len(agreements)])))
        i[0] += 1

    started = time.perf_counter()
    one()  # the font's cut is made (or read from the cache) here
    first_s = time.perf_counter() - started
    cpu = time.process_time()
    agreement = timed(one, n)
    cpu = (time.process_time() - cpu) / (n + 2)
    floor = timed(lambda: one_line_pdf("人民调解协议书"), n)
    return {
        "per_s": round(1000 / agreement["median_ms"], 1),
        "cpu_per_s": round(1 / cpu, 1),
        "median_ms": agreement["median_ms"],
        "p99_ms": agreement["p99_ms"],
        "first_s": round(first_s, 1),
        "bytes_median": int(statistics.median(sizes)),
        "baseline_one_line_pdf_per_s": round(1000 / floor["median_ms"], 1),
        "n": n,
        "cores": 1,
    }


# -- the synthetic disputes ------------------------------------------------------------------


@contextmanager
def stamped_as_given(*models):
    """Insert rows with the created_at and updated_at they are given (the models stamp
    them with the present otherwise)."""
    fields = [
        f
        for m in models
        for f in m._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


class Synthetic:
    """Disputes written straight to the tables, shaped like the demo's: for this
    benchmark only (the demo goes through the services)."""

    OPEN_MIX = (
        ("registered", 10),
        ("accepted", 5),
        ("mediating", 35),
        ("settled", 30),
        ("performed", 8),
        ("not_performed", 2),
        ("failed", 4),
        ("withdrawn", 3),
        ("declined", 3),
    )

    def __init__(self, rng: random.Random):
        from django.utils import timezone

        from gongzhi.accounts.models import Membership, Organisation, Role, User
        from gongzhi.demo.accounts import unit_code
        from gongzhi.mediation.models import DisputeType
        from gongzhi.regions.models import Grid

        self.rng, self.now = rng, timezone.now()
        self.user = User.objects.get(username=USER)
        units = dict(Organisation.objects.values_list("code", "pk"))
        mediators = {}
        for org, user in Membership.objects.filter(role=Role.MEDIATOR).values_list(
            "organisation_id", "user_id"
        ):
            mediators.setdefault(org, user)
        self.places = {"home": [], "other": []}
        grids = Grid.objects.filter(is_active=True)
        for grid_id, community_id, path in grids.values_list("pk", "community_id", "region_path"):
            codes = path.strip("/").split("/")
            if len(codes) < 5:
                continue
            county, township, community = codes[2], codes[3], codes[4]
            holders = {
                "village": units.get(community),
                "township": units.get(unit_code(township, "SFS")),
                "county": units.get(unit_code(county, "ZZZX")),
                "court": None,
            }
            place = (grid_id, community_id, path, holders)
            self.places["home" if county == HOME_COUNTY else "other"].append(place)
        self.mediators = mediators
        self.types = list(DisputeType.objects.values_list("pk", flat=True))
        self.made = 0

    def top_up(self, size: int) -> None:
        from gongzhi.mediation.models import Dispute

        missing = size - Dispute.objects.count()
        while missing > 0:
            n = min(BATCH, missing)
            self._batch(n)
            missing -= n

    def _batch(self, n: int) -> None:
        from gongzhi.mediation.models import (
            Agreement,
            Dispute,
            Obligation,
            Party,
            Session,
        )

        rng, now = self.rng, self.now
        rows = []
        for _ in range(n):
            self.made += 1
            rows.append(self._dispute(self.made))
        with stamped_as_given(Dispute, Agreement):
            Dispute.objects.bulk_create(rows, batch_size=1000)
            parties, sessions, agreements = [], [], []
            for d in rows:
                for side in ("applicant", "respondent"):
                    parties.append(
                        Party(
                            dispute=d,
                            side=side,
                            kind="person",
                            name=f"{rng.choice('马韩李王张祁朱刘赵冶陈杨')}某某",
                            phone=f"139{rng.randrange(10**8):08d}",
                            address="乐都区",
                        )
                    )
                if d.state == "mediating":
                    sessions.append(
                        Session(
                            dispute=d,
                            held_at=d.created_at + timedelta(days=1),
                            place="调解室",
                            attendees="调解员；双方当事人",
                            summary="听取双方陈述。",
                            next_step="再次调解",
                            next_at=now + timedelta(days=rng.uniform(-2, 5)),
                            recorded_by_id=d.lead_mediator_id,
                        )
                    )
                if d.state in ("settled", "performed", "not_performed"):
                    agreements.append(
                        Agreement(
                            dispute=d,
                            number=f"BENCH-{d.number}",
                            form="written",
                            disputed_matters="赔偿数额",
                            created_at=d.created_at,
                            updated_at=d.created_at,
                        )
                    )
            Party.objects.bulk_create(parties, batch_size=2000)
            Session.objects.bulk_create(sessions, batch_size=1000)
            Agreement.objects.bulk_create(agreements, batch_size=1000)
        Obligation.objects.bulk_create(
            [
                Obligation(
                    agreement=a,
                    party="被申请人某某",
                    what="支付赔偿款",
                    due_on=(now + timedelta(days=rng.uniform(-20, 30))).date(),
                    status="due" if a.dispute.state == "settled" else "performed",
                )
                for a in agreements
            ],
            batch_size=2000,
        )

    def _dispute(self, index: int):
        from gongzhi.mediation.models import Dispute

        rng, now = self.rng, self.now
        grid_id, community_id, path, holders = rng.choice(
            self.places["home" if rng.random() < 0.5 else "other"]
        )
        risk = rng.choices(("general", "serious", "major"), (78, 17, 5))[0]
        level = {"general": "village", "serious": "township", "major": "county"}[risk]
        if rng.random() < 0.002:
            level = "court"
        recent = rng.random() < 0.1
        age = timedelta(days=rng.uniform(0, 60) if recent else rng.uniform(60, 3 * 365))
        created = now - age
        state = (
            rng.choices(*zip(*self.OPEN_MIX, strict=True))[0]
            if recent
            else rng.choices(("closed", "settled", "not_performed"), (95, 4, 1))[0]
        )
        holder = holders[level]
        in_hand = state in ("registered", "accepted", "mediating")
        lead = self.mediators.get(holder) if state not in ("registered", "accepted") else None
        return Dispute(
            number=f"MD-{created:%Y%m%d}-{index:06d}",
            title="邻里纠纷",
            type_id=rng.choice(self.types),
            facts="两家因排水问题发生争执。",
            source="walk_in",
            region_id=community_id,
            grid_id=grid_id,
            region_path=path,
            state=state,
            level=level,
            holder_id=holder,
            level_since=created,
            level_due=now + timedelta(days=rng.uniform(1, 30)) if in_hand else None,
            risk=risk,
            risk_reasons=[] if risk == "general" else ["一方人数5人以上"],
            lead_mediator_id=lead,
            created_at=created,
            updated_at=created,
        )

    # -- what is measured besides the pages -----------------------------------------

    def visible(self) -> int:
        from gongzhi.mediation.models import Dispute

        return Dispute.objects.visible_to(self.user).count()

    def main_queries(self) -> dict:
        """The board's counts (its total is their sum) and a page of its rows, and the
        workbench's list of one's own, as the pages make them (the same forms and order)."""
        from django.db.models import Count, Q

        from gongzhi.mediation.models import Dispute

        visible = Dispute.objects.visible_to(self.user)
        open_ = visible.exclude(state="closed")
        found = {}
        try:
            from gongzhi.mediation.forms import RISK_ORDER, BoardFilterForm
            from gongzhi.mediation.views.common import ROW_RELATED

            form = BoardFilterForm({})
            disputes = form.apply(visible)
            ids = form.ordered(disputes).values("pk")[:50]
            found["board_page"] = form.ordered(Dispute.objects.filter(pk__in=ids)).select_related(
                *ROW_RELATED
            )
            found["board_breakdown"] = (
                disputes.order_by().values("risk", "level", "type").annotate(n=Count("id"))
            )
        except ImportError:
            RISK_ORDER = "risk"
            found["board_page"] = open_.order_by("risk", "created_at")[:50]
            found["board_breakdown"] = open_.order_by().values("risk").annotate(n=Count("id"))
        helped = Dispute.helpers.through.objects.filter(user=self.user).exclude(
            dispute__state="closed"
        )
        mine = open_.filter(
            Q(lead_mediator=self.user) | Q(pk__in=list(helped.values_list("dispute_id", flat=True)))
        )
        found["workbench_mine"] = mine.alias(risk_order=RISK_ORDER).order_by(
            "risk_order", "level_due", "id"
        )[:100]
        return found

    def board_queries(self) -> None:
        qs = self.main_queries()
        list(qs["board_breakdown"])
        list(qs["board_page"])

    def workbench_queries(self) -> None:
        list(self.main_queries()["workbench_mine"])


if __name__ == "__main__":
    sys.exit(main())
