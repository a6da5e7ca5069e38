"""海东 demo command centre: the police's public-safety figures of every township, and the
command centre's own jobs run once over the demo's history.

``load(stdout=None) -> dict`` (run by ``gongzhi demo load`` after the cases):

* **Public-safety figures.** For each township of 海东 and each month of the demo's history
  (the months the last ``DEMO_DAYS`` days touch, up to the last full month: the police
  send a month's figures after it ends), plausible counts (seeded random): criminal cases
  about 2 to 15 a month (more in towns and subdistricts), public-order cases two to three
  times that, a little more in summer; telecom fraud and theft within the criminal cases.
  They are written into the police's template and imported through ``command.safety``'s
  own import, so the demo exercises the real path. **Idempotent by presence**: when any
  figure exists, nothing is imported.
* **The command centre's jobs**: the rollups, eight weeks of nightly warning tests, last
  month's reports.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gongzhi.command import safety
from gongzhi.command.models import PublicSafetyFigure
from gongzhi.demo.cases import DEMO_DAYS
from gongzhi.regions.models import Region, RegionLevel

SEED = 20261206
CITY = "630200"  # 海东市
WARNING_NIGHTS = 56


def demo_months(today: dt.date | None = None) -> list[dt.date]:
    today = today or timezone.localdate()
    first = (today - dt.timedelta(days=DEMO_DAYS)).replace(day=1)
    last = safety.add_months(today.replace(day=1), -1)
    return safety.months_between(first, last)


def _figures(township: Region, month: dt.date, rng: random.Random) -> dict:
    urban = township.name.endswith(("街道", "镇"))
    base = rng.uniform(6, 14) if urban else rng.uniform(2, 7)
    summer = 1.2 if month.month in (6, 7, 8) else 1.0
    criminal = max(0, round(rng.gauss(base * summer, base * 0.25)))
    public_order = max(0, round(criminal * rng.uniform(2.0, 3.2) + rng.randint(0, 4)))
    fraud = rng.randint(0, criminal // 3) if criminal >= 3 else 0
    theft = rng.randint(0, (criminal - fraud) // 2) if criminal - fraud >= 2 else 0
    return {
        "month": f"{month:%Y-%m}",
        "code": township.code,
        "name": township.name,
        "criminal": criminal,
        "public_order": public_order,
        "fraud": fraud,
        "theft": theft,
    }


def public_safety(*, stdout=None) -> dict:
    """The figures, once: imported from a filled-in template, as the police's would be."""
    if PublicSafetyFigure.objects.exists():
        return {}
    city = Region.objects.filter(code=CITY).first()
    if city is None:
        return {}
    townships = list(
        Region.objects.filter(level=RegionLevel.TOWNSHIP, path__startswith=city.path).order_by(
            "code"
        )
    )
    rng = random.Random(SEED)
    rows = [_figures(t, m, rng) for m in demo_months() for t in townships]
    if not rows:
        return {}
    content = safety.template_workbook(rows)
    result = safety.do_import(
        content=content, actor=None, source_name="海东市公安局月度治安数据.xlsx"
    )
    if stdout:
        stdout.write(
            f"public-safety figures: {result.rows} rows "
            f"({len(townships)} townships × {len(result.months)} months)\n"
        )
    return result.as_dict()


def _jobs(*, stdout=None) -> dict:
    """The command centre's jobs over the demo's history: the rollups counted from the
    records, the warning test run for each night of the last eight weeks (as the nightly
    job would have), and last month's reports."""
    from gongzhi.command import early_warnings, reports, rollups

    done = {"rollups": rollups.rebuild()}
    today = timezone.localdate()
    warned = [
        early_warnings.run(day=today - dt.timedelta(days=back))["created"]
        for back in range(WARNING_NIGHTS, 0, -1)
    ]
    done["early_warnings"] = {"nights": WARNING_NIGHTS, "created": sum(warned)}
    done["reports"] = reports.produce(month=None)
    if stdout:
        stdout.write(
            f"command centre: rollups rebuilt, {sum(warned)} early warnings, "
            f"{done['reports'].get('made', 0)} monthly reports\n"
        )
    return done


def load(*, stdout=None) -> dict:
    return {"public_safety": public_safety(stdout=stdout), **_jobs(stdout=stdout)}
