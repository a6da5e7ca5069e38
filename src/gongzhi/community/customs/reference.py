"""The customs room's reference rows and their defaults (seeded by its migration; tests and
the demo call ``ensure_seeded``, which adds what is missing and changes nothing else).

The defaults are 海东市's, for every village under it: figures typical of Qinghai's 村规民约
and 红白理事会章程 (婚事 at most 20 tables and 2 days, 丧事 at most 3 days, a cash gift at
most 200 yuan for a wedding and 100 for a funeral). They are defaults only: a township,
county or village writes its own row on the rules page and the most specific one applies.
"""

from __future__ import annotations

CITY_CODE = "630200"  # 海东市
DEFAULTS = [
    # kind, tables, guests, gift (yuan), days, note
    ("wedding", 20, 200, 200, 2, "海东市移风易俗倡议：婚事新办，不超过20桌、2天，礼金不超过200元"),
    ("funeral", 15, 150, 100, 3, "海东市移风易俗倡议：丧事简办，不超过3天、15桌，礼金不超过100元"),
]


def seed(rule_model, region_model) -> int:
    """Add the city's default rows that are missing (none before the city exists)."""
    city = region_model.objects.filter(code=CITY_CODE).first()
    if city is None:
        return 0
    added = 0
    for kind, tables, guests, gift, days, note in DEFAULTS:
        _, created = rule_model.objects.get_or_create(
            region=city,
            kind=kind,
            defaults={
                "region_path": city.path,
                "max_tables": tables,
                "max_guests": guests,
                "max_gift": gift,
                "max_days": days,
                "note": note,
            },
        )
        added += created
    return added


def ensure_seeded() -> None:
    from gongzhi.regions.models import Region

    from ..models import CustomRule

    seed(CustomRule, Region)
