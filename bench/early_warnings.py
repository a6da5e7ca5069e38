"""Early warnings (issue 18): how often the test cries wolf, and how often it catches a rise.

The test is ``gongzhi.command.early_warnings.scan`` (a quasi-Poisson / negative-binomial
test on 7-day totals against the 12 weeks before; see that module). Beside it, in the same
run and on the same series, a naive rule: a week above the mean + 2 standard deviations of
the same 12 weeks (flagged weeks left out alike, the same minimum count and history).

* **simulated**: SERIES null series per kind (Poisson, and negative binomial with daily
  gamma mixing, means 1 to 40 a week), built day by day with a weekly rhythm (weekends
  quieter) and summed into weeks: alarms per township-category-week tested (every week
  after the first 12 is a false alarm). Then detection: 12 ordinary weeks and one of 2× or
  3× the mean, per mean: the share of surges flagged.
* **demo**: the 海东 demo's half-year of cases (loaded into a fresh platform in a temporary
  directory, or read from ``--var-dir``, a platform where ``gongzhi demo load`` has run),
  per township and first-level category, weekly windows ending on the last day with
  reports: alarms per township-category-week tested (the demo injects no outbreak, so these
  are false alarms or real rises of its drawn stories; the top ones are listed), and
  detection of a ×2 / ×3 week put into the demo's own series where they average ≥ 3 a week.

Prints one JSON object.

    python bench/early_warnings.py [--series 200] [--weeks 30] [--var-dir DIR] [--skip-demo]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = Path(HERE).parent
SEED = 20261206
RHYTHM = (1.3, 1.2, 1.1, 1.0, 1.0, 0.7, 0.7)  # Monday first
KINDS = [(m, s) for m in (1, 3, 8, 15, 40) for s in (None, 5.0, 2.0)]  # mean a week, gamma shape
SURGE_MEANS = (3, 5, 8, 15, 30)


def setup_django(var_dir: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    if var_dir:
        os.environ["GONGZHI_VAR_DIR"] = var_dir
    os.environ.setdefault("GONGZHI_SECRET_KEY", "bench-" + uuid.uuid4().hex)
    os.environ.setdefault("GONGZHI_LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# -- the two methods -------------------------------------------------------------------------


def naive_scan(weekly, ew) -> list[bool]:
    """Count > mean + 2 sd of the 12 weeks before (flagged ones left out), with the test's
    minimum count and history."""
    import numpy as np

    series = np.asarray(weekly, dtype=float)
    flagged = np.zeros(len(series), dtype=bool)
    for i, count in enumerate(series):
        lo = max(0, i - ew.BASELINE_WEEKS)
        b = series[lo:i][~flagged[lo:i]]
        b = b[~np.isnan(b)]
        if np.isnan(count) or len(b) < ew.MIN_HISTORY or count < ew.MIN_COUNT:
            continue
        flagged[i] = count > b.mean() + 2 * b.std(ddof=1)
    return list(flagged)


def both(weekly, ew) -> tuple[list[bool], list[bool], list[bool]]:
    """(tested, test's alarms, naive alarms) per week: a week is tested once it has the
    minimum history."""
    import numpy as np

    series = np.asarray(weekly, dtype=float)
    verdicts = ew.scan(series)
    tested = [v.history >= ew.MIN_HISTORY for v in verdicts]
    return tested, [v.alarm for v in verdicts], naive_scan(series, ew)


def rate(alarms: int, weeks: int) -> float | None:
    return round(alarms / weeks, 5) if weeks else None


# -- simulated series ----------------------------------------------------------------------


def weekly(rng, mean: float, weeks: int, shape: float | None):
    import numpy as np

    rhythm = np.array(RHYTHM) / (sum(RHYTHM) / 7)
    daily = np.tile(rhythm, weeks) * mean / 7
    if shape:
        daily = rng.gamma(shape, daily / shape)
    return rng.poisson(daily).reshape(weeks, 7).sum(axis=1).astype(float)


def simulated(opts) -> dict:
    import numpy as np

    from gongzhi.command import early_warnings as ew

    rng = np.random.default_rng(SEED)
    started = time.process_time()
    rows, total = [], {"weeks": 0, "test": 0, "naive": 0}
    for mean, shape in KINDS:
        weeks = test = naive = 0
        for _ in range(opts.series):
            tested, alarms, naive_alarms = both(weekly(rng, mean, opts.weeks, shape), ew)
            # Every week after the first BASELINE_WEEKS: all of them have a full baseline.
            keep = slice(ew.BASELINE_WEEKS, None)
            weeks += len(tested[keep])
            test += sum(alarms[keep])
            naive += sum(naive_alarms[keep])
        rows.append(
            {
                "mean_per_week": mean,
                "daily_gamma_shape": shape,
                "weeks": weeks,
                "test_false_alarm_rate": rate(test, weeks),
                "naive_false_alarm_rate": rate(naive, weeks),
            }
        )
        total["weeks"] += weeks
        total["test"] += test
        total["naive"] += naive
    surges = []
    for mean in SURGE_MEANS:
        for factor in (2, 3):
            test = naive = 0
            for _ in range(opts.series):
                series = weekly(rng, mean, ew.BASELINE_WEEKS + 1, None)
                series[-1] = rng.poisson(factor * mean)
                _tested, alarms, naive_alarms = both(series, ew)
                test += alarms[-1]
                naive += naive_alarms[-1]
            surges.append(
                {
                    "mean_per_week": mean,
                    "factor": factor,
                    "surges": opts.series,
                    "test_detection_rate": rate(test, opts.series),
                    "naive_detection_rate": rate(naive, opts.series),
                }
            )
    return {
        "series_per_kind": opts.series,
        "weeks_per_series": opts.weeks,
        "false_alarm_rate": {
            "test": rate(total["test"], total["weeks"]),
            "naive": rate(total["naive"], total["weeks"]),
            "weeks": total["weeks"],
        },
        "by_kind": rows,
        "surge_detection": surges,
        "cpu_s": round(time.process_time() - started, 2),
    }


# -- the demo ------------------------------------------------------------------------------


def demo_child(opts) -> dict:
    """In the demo's platform: its cases per township, first-level category and day, scanned
    as the nightly run would (weeks ending on the last day with reports)."""
    setup_django(opts.var_dir)
    from collections import defaultdict
    from datetime import timedelta

    import numpy as np
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from gongzhi.cases.models import Case
    from gongzhi.command import early_warnings as ew
    from gongzhi.regions.models import Region, RegionLevel
    from gongzhi.taxonomy.models import Category

    townships = {r.path: r.name for r in Region.objects.filter(level=RegionLevel.TOWNSHIP)}
    if not townships or not Case.objects.exists():
        return {"skipped": "no demo cases here: run `gongzhi demo load` first"}
    depth = {p.count("/") for p in townships}.pop()
    roots = {c.path: c for c in Category.objects.filter(parent__isnull=True)}
    # A benchmark may read the cases: the platform's run reads the rollups instead.
    rows = (
        Case.objects.exclude(region_path="")
        .annotate(on=TruncDate("created_at"))
        .values_list("on", "region_path", "category__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    daily = defaultdict(int)
    for on, path, category_path, n in rows:
        town = "/".join(path.split("/")[:depth]) + "/"
        root = "/" + category_path.strip("/").split("/")[0] + "/"
        if town in townships and root in roots:
            daily[(on, town, roots[root].pk)] += n
    last = max(on for on, _t, _c in daily)
    weeks = (last - min(on for on, _t, _c in daily)).days // 7 + 1
    series, _first = ew.weekly_series(
        [(on, t, c, n) for (on, t, c), n in daily.items()], day=last, weeks=weeks
    )
    names = {c.pk: c.name for c in roots.values()}
    tested = test = naive = 0
    found = []
    rng = np.random.default_rng(SEED)
    surges = {2: [0, 0, 0], 3: [0, 0, 0]}  # factor: [surges, test caught, naive caught]
    for (town, category), values in series.items():
        flags_tested, alarms, naive_alarms = both(values, ew)
        tested += sum(flags_tested)
        test += sum(a and t for a, t in zip(alarms, flags_tested, strict=True))
        naive += sum(a and t for a, t in zip(naive_alarms, flags_tested, strict=True))
        for i, alarm in enumerate(alarms):
            if alarm:
                v = ew.scan(values[: i + 1])[-1]
                end = last - timedelta(days=7 * (len(values) - 1 - i))
                found.append(
                    {
                        "township": townships[town],
                        "category": names.get(category),
                        "week_ending": end.isoformat(),
                        "count": v.count,
                        "usually": f"{v.low}–{v.high}",
                        "p_value": float(f"{v.p_value:.2g}"),
                    }
                )
        # A surge put into the demo's own series, one week at a time, where it is busy.
        for i in range(ew.BASELINE_WEEKS, len(values)):
            base = values[i - ew.BASELINE_WEEKS : i]
            if np.isnan(base).any() or base.mean() < 3:
                continue
            for factor, tally in surges.items():
                trial = values[: i + 1].copy()
                trial[-1] = rng.poisson(factor * base.mean())
                _t, alarms, naive_alarms = both(trial, ew)
                tally[0] += 1
                tally[1] += alarms[-1]
                tally[2] += naive_alarms[-1]
    found.sort(key=lambda row: row["p_value"])
    return {
        "cases": sum(daily.values()),
        "townships": len({t for _o, t, _c in daily}),
        "series": len(series),
        "weeks": weeks,
        "last_day": last.isoformat(),
        "weeks_tested": tested,
        "test_alarms": int(test),
        "naive_alarms": int(naive),
        "test_alarm_rate": rate(test, tested),
        "naive_alarm_rate": rate(naive, tested),
        "top_alarms": found[:8],
        "surge_detection": {
            f"x{factor}": {
                "surges": n,
                "test_detection_rate": rate(caught, n),
                "naive_detection_rate": rate(naive_caught, n),
            }
            for factor, (n, caught, naive_caught) in surges.items()
        },
    }


def run_child(args: list[str], env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def demo(opts) -> dict:
    """The demo's figures: from ``--var-dir``, else a fresh platform with the demo loaded
    (SQLite, in a temporary directory removed afterwards)."""
    if opts.var_dir:
        return run_child(["--child", "--var-dir", opts.var_dir], dict(os.environ))
    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-warnings-")
    try:
        env = dict(
            os.environ,
            GONGZHI_VAR_DIR=var_dir,
            GONGZHI_SECRET_KEY="bench-" + uuid.uuid4().hex,
            DJANGO_SETTINGS_MODULE="gongzhi.settings",
            GONGZHI_LOG_LEVEL="ERROR",
        )
        env.pop("DATABASE_URL", None)
        gongzhi = [sys.executable, "-m", "gongzhi"]
        started = time.monotonic()
        for step in (["migrate", "-v", "0"], ["demo", "load"]):
            done = subprocess.run(gongzhi + step, env=env, capture_output=True, text=True, cwd=ROOT)
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()
                return {"skipped": f"the demo could not be loaded: {tail[-1] if tail else '?'}"}
        loaded = round(time.monotonic() - started, 1)
        return {"load_s": loaded, **run_child(["--child", "--var-dir", var_dir], env)}
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=200, help="simulated series per kind")
    parser.add_argument("--weeks", type=int, default=30, help="weeks per simulated series")
    parser.add_argument("--var-dir", help="a platform with the demo loaded (GONGZHI_VAR_DIR)")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(demo_child(opts), ensure_ascii=False, default=str))
        return 0
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-warnings-sim-") as var_dir:
        setup_django(var_dir)  # the test's module needs Django; no database is touched
        result = {"simulated": simulated(opts)}
    result["demo"] = {"skipped": "--skip-demo"} if opts.skip_demo else demo(opts)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
