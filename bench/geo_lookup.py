"""Point → grid lookup speed on the 海东 demo grids, beside a naive loop in the same run.

Sets up a throw-away SQLite database, loads the demo regions, draws random points over the
grids' bounding box (fixed seed; about half fall outside 海东, as real reports near the
edge do) and prints one JSON object:

* ``single``: ``lookup.locate(lng, lat)`` called once per point, as intake does;
* ``batch``: ``lookup.locate_many(lngs, lats)`` on 2,000,000 points;
* ``naive``: for each point, ``polygon.contains(point)`` over every grid in turn — on a
  smaller sample, since it is ~4 orders of magnitude slower;
* ``agreement``: on the naive sample, the batch's exact hits equal the naive answers;
* ``text``: a hotline address → region and grid (``gazetteer.locate_text``, as the
  hotline form's hint and a point-less report call it) on the process's held gazetteer,
  beside the same match with the names read from the database for every call (as before
  the gazetteer was held).

Targets: batch ≥ 1,000,000 points/s and single ≥ 50,000 points/s on one core.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

SEED = 20260
N_BATCH = 2_000_000
N_SINGLE = 200_000
N_NAIVE = 2_000
N_TEXT = 4_000
N_TEXT_UNCACHED = 200


def setup_django(var_dir: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    os.environ["GONGZHI_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)  # always the throw-away SQLite file
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def rate(n: int, seconds: float) -> int:
    return int(n / seconds)


def main() -> None:
    if hasattr(os, "sched_setaffinity"):  # one core, as the targets are stated
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-") as var_dir:
        setup_django(var_dir)
        import numpy as np
        import shapely

        from gongzhi.demo import regions as demo_seed
        from gongzhi.regions import lookup

        started = time.perf_counter()
        demo_seed.load()
        load_s = time.perf_counter() - started

        started = time.perf_counter()
        current = lookup.current()
        build_s = time.perf_counter() - started
        geoms = current.index.geoms
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
        rng = np.random.default_rng(SEED)
        lng = rng.uniform(xmin, xmax, N_BATCH)
        lat = rng.uniform(ymin, ymax, N_BATCH)

        lookup.locate_many(lng[:1000], lat[:1000])  # warm up
        started = time.perf_counter()
        batch = lookup.locate_many(lng, lat)
        batch_s = time.perf_counter() - started

        xs, ys = lng[:N_SINGLE].tolist(), lat[:N_SINGLE].tolist()
        locate = lookup.locate
        started = time.perf_counter()
        singles = [locate(x, y) for x, y in zip(xs, ys, strict=True)]
        single_s = time.perf_counter() - started

        # The naive baseline: every polygon, in order, until one contains the point. Fresh,
        # unprepared polygons from the database (the index's own ones are prepared).
        from shapely.geometry import shape

        from gongzhi.regions.models import Grid

        polygons = [
            shape(b)
            for b in Grid.objects.filter(is_active=True)
            .order_by("id")
            .values_list("boundary", flat=True)
        ]
        started = time.perf_counter()
        naive = []
        for x, y in zip(xs[:N_NAIVE], ys[:N_NAIVE], strict=True):
            point = shapely.Point(x, y)
            naive.append(next((i for i, p in enumerate(polygons) if p.contains(point)), -1))
        naive_s = time.perf_counter() - started
        naive_ids = [int(current.grid_ids[i]) if i >= 0 else -1 for i in naive]
        exact_ids = np.where(batch.exact[:N_NAIVE], batch.grid_id[:N_NAIVE], -1).tolist()
        single_ids = [h.grid_id if h else -1 for h in singles]

        text = text_figures()
        print(
            json.dumps(
                {
                    "benchmark": "geo_lookup",
                    "grids": len(polygons),
                    "points_batch": N_BATCH,
                    "batch_points_per_s": rate(N_BATCH, batch_s),
                    "single_points_per_s": rate(N_SINGLE, single_s),
                    "naive_points_per_s": rate(N_NAIVE, naive_s),
                    "speedup_batch_vs_naive": round(
                        rate(N_BATCH, batch_s) / rate(N_NAIVE, naive_s)
                    ),
                    "speedup_single_vs_naive": round(
                        rate(N_SINGLE, single_s) / rate(N_NAIVE, naive_s)
                    ),
                    "agreement_batch_vs_naive": exact_ids == naive_ids,
                    "agreement_single_vs_batch": single_ids == batch.grid_id[:N_SINGLE].tolist(),
                    "share_inside_a_grid": round(float(batch.exact.mean()), 3),
                    "share_snapped": round(float((~batch.exact & (batch.grid_id >= 0)).mean()), 4),
                    "targets_met": rate(N_BATCH, batch_s) >= 1_000_000
                    and rate(N_SINGLE, single_s) >= 50_000,
                    "text": text,
                    "index": current.index.stats,
                    "index_build_s": round(build_s, 2),
                    "demo_load_s": round(load_s, 2),
                },
                ensure_ascii=False,
            )
        )


def text_figures() -> dict:
    import random

    from gongzhi.regions.models import Grid, Region
    from gongzhi.triage import gazetteer

    rnd = random.Random(SEED)
    names = dict(Region.objects.values_list("code", "name"))
    grids = list(Grid.objects.filter(is_active=True).values_list("name", "region_path"))
    texts = []
    for i in range(N_TEXT):
        name, path = rnd.choice(grids)
        county, township, community = (names[c] for c in path.strip("/").split("/")[2:5])
        texts.append(
            [
                f"{county}{township}{community}门口井盖丢失",
                f"{township}{name}路灯不亮",
                f"{community}附近噪音扰民",
                "小区门口有人乱倒垃圾",  # no place the gazetteer knows
            ][i % 4]
        )
    gazetteer.locate_text(texts[0])  # build once
    started = time.perf_counter()
    held = [gazetteer.locate_text(t) for t in texts]
    held_s = time.perf_counter() - started
    sample = texts[:N_TEXT_UNCACHED]
    started = time.perf_counter()
    fresh = [gazetteer._build().locate(t) for t in sample]
    fresh_s = time.perf_counter() - started
    return {
        "texts": N_TEXT,
        "held_calls_per_s": rate(N_TEXT, held_s),
        "held_ms_per_call": round(held_s / N_TEXT * 1000, 3),
        "read_per_call_calls_per_s": rate(len(sample), fresh_s),
        "read_per_call_ms_per_call": round(fresh_s / len(sample) * 1000, 2),
        "agreement": held[: len(sample)] == fresh,
        "share_placed": round(sum(h is not None for h in held) / N_TEXT, 3),
        "share_with_grid": round(sum(bool(h and h.grid_code) for h in held) / N_TEXT, 3),
    }


if __name__ == "__main__":
    main()
