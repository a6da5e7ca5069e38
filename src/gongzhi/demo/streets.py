"""The demo's street gazetteer: a few main streets in the seat of each of 海东's counties, so
that a hotline address such as "碾伯镇西大街12号" is put on the map.

The streets' names are the kind each town has (大街 through the old town, 路 for newer roads);
their lines are generated inside the town's first community (the demo's communities are
synthetic, ``demo.grids``) from its centre outwards, house numbers rising away from it.
``load(stdout=None) -> dict`` goes through ``regions.gazetteer.import_geojson``: loading twice
changes nothing.
"""

from __future__ import annotations

from shapely.geometry import LineString, mapping, shape

from gongzhi.regions import gazetteer
from gongzhi.regions.models import Region, RegionLevel

SOURCE = "Demo data: street names of the kind the town has; lines generated (synthetic)"
LENGTH_DEG = 0.012  # about 1 km each way from the centre
E, W, N, S = (1, 0), (-1, 0), (0, 1), (0, -1)

# (county code, township) → [(street, other names, direction, through the centre?, last no.)]
STREETS: dict[tuple[str, str], list[tuple]] = {
    ("630202", "碾伯镇"): [
        ("西大街", ["碾伯西大街"], W, False, 160),
        ("东大街", ["碾伯东大街"], E, False, 160),
        ("南大街", [], S, False, 120),
        ("北大街", [], N, False, 120),
        ("古城大街", ["古城街"], (1, 1), True, 240),
    ],
    ("630203", "平安镇"): [
        ("平安大道", ["平安大街"], E, True, 300),
        ("府前街", [], N, False, 90),
    ],
    ("630222", "川口镇"): [
        ("川垣大街", [], E, True, 260),
        ("东垣路", [], N, False, 120),
    ],
    ("630223", "威远镇"): [
        ("鼓楼街", ["鼓楼大街"], E, True, 200),
        ("威远路", [], N, True, 180),
    ],
    ("630224", "巴燕镇"): [("巴燕路", [], E, True, 180)],
    ("630225", "积石镇"): [("积石大街", [], E, True, 220)],
}


def _line(area, centre, direction, through: bool):
    dx, dy = direction
    norm = (dx * dx + dy * dy) ** 0.5
    dx, dy = dx / norm * LENGTH_DEG, dy / norm * LENGTH_DEG
    start = (centre.x - dx, centre.y - dy) if through else (centre.x, centre.y)
    inside = LineString([start, (centre.x + dx, centre.y + dy)]).intersection(area)
    parts = getattr(inside, "geoms", [inside])
    parts = [p for p in parts if p.geom_type == "LineString" and not p.is_empty]
    if not parts:
        return {"type": "Point", "coordinates": [round(centre.x, 6), round(centre.y, 6)]}
    line = max(parts, key=lambda p: p.length)
    return {
        "type": "LineString",
        "coordinates": [[round(x, 6), round(y, 6)] for x, y, *_z in mapping(line)["coordinates"]],
    }


def features() -> list[dict]:
    out = []
    for (county, township_name), streets in STREETS.items():
        township = Region.objects.filter(
            level=RegionLevel.TOWNSHIP, name=township_name, parent__code=county
        ).first()
        community = (
            township.children.filter(level=RegionLevel.COMMUNITY).order_by("code").first()
            if township
            else None
        )
        if community is None or not community.boundary:
            continue
        area = shape(community.boundary)
        centre = area.representative_point()
        for name, aliases, direction, through, last in streets:
            out.append(
                {
                    "type": "Feature",
                    "geometry": _line(area, centre, direction, through),
                    "properties": {
                        "name": name,
                        "aliases": aliases,
                        "region": community.code,
                        "from": 1,
                        "to": last,
                    },
                }
            )
    return out


def load(*, stdout=None) -> dict:
    counts = gazetteer.import_geojson(
        {"type": "FeatureCollection", "features": features()}, source=SOURCE, synthetic=True
    )
    if stdout is not None:
        stdout.write(f"streets: {counts['created']} added, {counts['updated']} updated\n")
    return counts
