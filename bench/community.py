"""The community app (issue 21): a notice delivered to 50,000 households, and the QR patrol
scans recorded per second over HTTP (``bench/_community_scans.py``, the patrols room's part,
included under "scans" when present), on SQLite and on PostgreSQL (when one answers at
BENCH_PG_URL).

**notice**: a throwaway platform (its own temporary var directory and database) gets one
community with 10 grids, HOUSEHOLDS households in houses of 10 (one head each, with a
phone and an ID number), and an account for every second head. A notice to the whole
community is delivered by ``gongzhi.community.notices.services.deliver`` — the very call
``do_publish`` and the scheduler make: resolving the audience from the register, one
``NoticeDelivery`` per household, the in-app inbox row of every account. Figures: seconds
to deliver, deliveries per second, inbox rows written; then, with 30 % of the households
marked read, the sender's page query (``queries.receipts``: counts and the by-grid table)
in ms. Baseline in the same run: a plain ``bulk_create`` of the same number of
``NoticeDelivery`` rows (no audience, no inbox), the floor of any delivery.

Prints one JSON object. Target (issue 21): a notice to 50,000 households in under 60 s.

The scans are measured on the same databases (see ``bench/_community_scans.py``).

    python bench/community.py [--households 50000] [--databases sqlite,postgresql]
                              [--no-scans | --scans-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _postgres import drop_postgres, postgres_database

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000
TARGET_SECONDS = 60


def run_child(database_url: str | None, opts) -> dict:
    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-")
    env = dict(
        os.environ,
        GONGZHI_VAR_DIR=var_dir,
        GONGZHI_SECRET_KEY="bench-" + uuid.uuid4().hex,
        DJANGO_SETTINGS_MODULE="gongzhi.settings",
    )
    env.pop("GONGZHI_DEBUG", None)
    env.pop("GONGZHI_SMS_GATEWAY_URL", None)  # no SMS: the figure is the platform's own work
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    args = [sys.executable, __file__, "--child", "--households", str(opts.households)]
    try:
        out = subprocess.run(args, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            sys.stderr.write(out.stderr)
            return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def _world(households: int):
    """One community, its grids, houses, households, heads and half of them with accounts,
    all by bulk inserts."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from gongzhi.people.models import House, Household, Resident
    from gongzhi.regions.models import Grid, Region, RegionLevel

    levels = [RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]
    parent = None
    for code, level in zip(["990000", "990100", "990102"], levels, strict=True):
        parent = Region.objects.create(code=code, name=f"测{code}", level=level, parent=parent)
    township = Region.objects.create(
        code="990102100", name="测试镇", level=RegionLevel.TOWNSHIP, parent=parent
    )
    community = Region.objects.create(
        code="990102100001", name="测试社区", level=RegionLevel.COMMUNITY, parent=township
    )
    grids = [
        Grid.objects.create(code=f"990102100001-{g:02d}", name=f"第{g}网格", community=community)
        for g in range(1, 11)
    ]
    place = {"region": community, "region_path": community.path}
    houses = House.objects.bulk_create(
        (
            House(grid=grids[n % 10], address=f"测试社区幸福路{n + 1}号", **place)
            for n in range(households // 10 + 1)
        ),
        batch_size=BATCH,
    )
    homes = Household.objects.bulk_create(
        (
            Household(
                house=houses[n // 10], grid_id=houses[n // 10].grid_id, number=f"H{n:07d}", **place
            )
            for n in range(households)
        ),
        batch_size=BATCH,
    )
    born = dt.date(1975, 1, 1)
    Resident.objects.bulk_create(
        (
            Resident(
                household=h,
                grid_id=h.grid_id,
                name="测试户主",
                id_number=f"990102{n:012d}",
                phone=f"139{n:08d}",
                sex="male",
                birth_date=born,
                relation="head",
                moved_in=born,
                **place,
            )
            for n, h in enumerate(homes)
        ),
        batch_size=BATCH,
    )
    password = make_password(None)
    User = get_user_model()
    User.objects.bulk_create(
        (
            User(username=f"bench{n}", id_number=f"990102{n:012d}", password=password)
            for n in range(0, households, 2)
        ),
        batch_size=BATCH,
    )
    return community


def child(opts) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from gongzhi.community.choices import NoticeState
    from gongzhi.community.models import Notice, NoticeDelivery
    from gongzhi.community.notices import queries, services
    from gongzhi.notify.models import Notification

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    community = _world(opts.households)
    world_s = time.perf_counter() - started
    now = timezone.now()

    def notice(n: int) -> Notice:
        made = Notice.objects.create(
            number=f"BENCH-{n}",
            region=community,
            title="关于开展人口普查入户登记的通知",
            body="请各户配合普查员入户登记。",
            state=NoticeState.SCHEDULED,
            publish_at=now,
        )
        made.regions.add(community)
        return made

    target = notice(1)
    started = time.perf_counter()
    delivered = services.deliver(notice_id=target.pk, now=now)
    deliver_s = time.perf_counter() - started
    inbox = Notification.objects.filter(kind=services.KIND).count()

    # The sender's page: counts and the by-grid table, with 30 % read.
    ids = list(
        NoticeDelivery.objects.filter(notice=target).order_by("id").values_list("id", flat=True)
    )
    read = ids[: len(ids) * 3 // 10]
    for i in range(0, len(read), BATCH):
        NoticeDelivery.objects.filter(id__in=read[i : i + BATCH]).update(read_at=now)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        receipts = queries.receipts(target)
        timings.append(time.perf_counter() - started)

    # Baseline: the same number of rows, bulk inserted plainly.
    plain = notice(2)
    households = list(
        NoticeDelivery.objects.filter(notice=target).values_list(
            "household_id", "region_path", "grid_id"
        )
    )
    started = time.perf_counter()
    NoticeDelivery.objects.bulk_create(
        (
            NoticeDelivery(notice=plain, household_id=h, region_path=p, grid_id=g, delivered_at=now)
            for h, p, g in households
        ),
        batch_size=BATCH,
    )
    plain_s = time.perf_counter() - started
    return {
        "database": connection.vendor,
        "households": opts.households,
        "accounts": (opts.households + 1) // 2,
        "world_seconds": round(world_s, 1),
        "notice": {
            "deliver_seconds": round(deliver_s, 2),
            "households_delivered": delivered,
            "deliveries_per_second": round(delivered / deliver_s),
            "inbox_rows": inbox,
            "receipts_read_counted": receipts["read"],
            "receipts_grids": len(receipts["by_grid"]),
            "receipts_ms": round(min(timings) * 1000, 1),
        },
        "baseline_plain_bulk_insert": {
            "seconds": round(plain_s, 2),
            "rows_per_second": round(len(households) / plain_s),
        },
        "targets": {"deliver_seconds": TARGET_SECONDS},
        "within_target": deliver_s < TARGET_SECONDS,
    }


def scans(databases: list[str]) -> dict:
    """The patrols room's figure (QR scans per second over HTTP), when its script is here:
    on each database asked for, PostgreSQL in a fresh database of its own."""
    try:
        import _community_scans
    except ImportError:
        return {"skipped": "bench/_community_scans.py is not here"}
    out: dict = {}
    for name in databases:
        url = None
        if name == "postgresql":
            url, reason = postgres_database("gongzhi_bench_scans")
            if url is None:
                out[name] = {"skipped": reason}
                continue
        try:
            out[name] = _community_scans.run(url)
        except Exception as error:  # its failure must not lose the notices' figures
            out[name] = {"error": f"{type(error).__name__}: {error}"}
        finally:
            if url:
                drop_postgres(url)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--no-scans", action="store_true", help="leave the QR scans out")
    parser.add_argument(
        "--scans-only", action="store_true", help="only the QR scans (no notice delivery)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        sys.path.insert(0, str(ROOT / "src"))
        print(json.dumps(child(opts), ensure_ascii=False))
        return 0
    result: dict = {"benchmark": "community", "households": opts.households, "notices": {}}
    for name in [] if opts.scans_only else opts.databases.split(","):
        if name == "sqlite":
            result["notices"]["sqlite"] = run_child(None, opts)
        elif name == "postgresql":
            url, reason = postgres_database("gongzhi_bench_community")
            if url is None:
                result["notices"]["postgresql"] = {"skipped": reason}
                continue
            try:
                result["notices"]["postgresql"] = run_child(url, opts)
            finally:
                drop_postgres(url)
    wanted = [n for n in opts.databases.split(",") if n in ("sqlite", "postgresql")]
    result["scans"] = {"skipped": "--no-scans"} if opts.no_scans else scans(wanted)
    print(json.dumps(result, ensure_ascii=False))  # one line: run_all.py reads the last
    return 0


if __name__ == "__main__":
    sys.exit(main())
