"""The 海东 demo: regions and grids, organisations and people, categories, and
half a year of cases.

Each app seeds its own part (``<app>/demo_seed.py``); this module runs them in order in
one transaction. Every part is idempotent, so loading twice changes nothing.
"""

from django.db import transaction

from gongzhi.accounts import demo_seed as people
from gongzhi.cases import demo_seed as cases
from gongzhi.regions import demo_seed as regions
from gongzhi.taxonomy import demo_seed as categories


def load(*, stdout=None) -> dict:
    with transaction.atomic():
        region_counts = regions.load(stdout=stdout)
        logins = people.load(stdout=stdout)
        categories.load(stdout=stdout)
        case_counts = cases.load(stdout=stdout)
    return {"regions": region_counts, "logins": logins, "cases": case_counts}
