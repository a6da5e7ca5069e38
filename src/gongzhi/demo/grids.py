"""Deterministic demo townships, communities and grids that tile real county outlines.

Each level is a Voronoi partition of seed points inside its parent, clipped to the parent:
the cells cover the parent with no gaps and no overlaps whatever the parent's shape.
Coordinates are kept at full precision: rounding them would open centimetre slivers along
every clipped edge. Two rounds of Lloyd relaxation even out the cell sizes. Every
unit draws from its own generator seeded by (SEED, its code), so one county's output never
depends on another's and the same codes always get the same shapes.

Places are named as 海东's are: a 街道's are communities (…第N社区); a 镇's first two are
the town's communities, its others villages; a 乡's are all villages. A village's name
(李家庄村, 红崖村, …) is drawn from its code and kept unique within its county, so a
hotline address naming it finds one place; names decide urban or village
(``people.members.is_urban``) and so which meeting rules a place follows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPoint

from gongzhi.regions.geometry import polygonal

SEED = 630200
COMMUNITIES_PER_TOWNSHIP = (4, 8)  # inclusive range
GRIDS_PER_COMMUNITY = (2, 5)
LLOYD_ROUNDS = 2
TOWNSHIPS_FILE = Path(__file__).resolve().parent / "data" / "haidong_townships.json"
TOWN_COMMUNITIES = 2  # a 镇's first places are the town's communities
# Village names of the 河湟 valleys: plain stems, and a family's name with the lie of its
# land (李家庄, 马家湾, …). Stems that are also township names are left out.
VILLAGE_STEMS = (
    "东沟 西山 上庄 下寨 红崖 古城 新庄 中庄 大庄 河滩 阳坡 沙沟 红庄 白崖 柳湾 杏园 水磨 "
    "边墙 峡口 岗沟 山城 河西 河东 北庄 南庄 前营 后营 上寨 联合 团结 红光 双塔 土官 "
    "老鸦 白马寺 七里店 大峡 小峡 哈家嘴 沙塘 卯寨 碾湾 下河 上河"
).split()
VILLAGE_FAMILIES = (
    "李家 马家 祁家 王家 张家 赵家 刘家 陈家 杨家 韩家 冶家 朱家 何家 徐家 吴家 周家 "
    "孙家 胡家 郭家 高家 罗家 谢家 鲁家 辛家 汪家 童家 苏家 白家 石家 米家 魏家 晁家"
).split()
VILLAGE_LIE = "庄 湾 沟 台 堡 寨 坪"


@dataclass
class Unit:
    code: str
    name: str
    level: str  # "township", "community" or "grid"
    parent_code: str
    geometry: object
    extra: dict = field(default_factory=dict)


def township_names() -> dict[str, list[str]]:
    """County adcode → its township names, from the data file."""
    data = json.loads(TOWNSHIPS_FILE.read_text(encoding="utf-8"))
    return {code: c["townships"] for code, c in data["counties"].items()}


def township_codes(county_code: str, names: list[str]) -> list[str]:
    """镇 get 100, 101, …; 乡 (incl. ethnic 乡) get 200, 201, … — the national pattern."""
    towns = iter(range(100, 200))
    others = iter(range(200, 400))
    return [f"{county_code}{next(towns if n.endswith('镇') else others):03d}" for n in names]


def _rng(code: str) -> np.random.Generator:
    return np.random.default_rng([SEED, int(code.replace("-", ""))])


def _sample_inside(geom, n: int, rng: np.random.Generator) -> np.ndarray:
    xmin, ymin, xmax, ymax = geom.bounds
    shapely.prepare(geom)
    found = np.empty((0, 2))
    while len(found) < n:
        xy = rng.random((max(4 * n, 16), 2)) * [xmax - xmin, ymax - ymin] + [xmin, ymin]
        found = np.vstack([found, xy[shapely.contains_xy(geom, xy[:, 0], xy[:, 1])]])
    return found[:n]


def _cells(seeds: np.ndarray, geom) -> list:
    if len(seeds) == 1:
        return [geom]
    diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=geom, ordered=True)
    return [polygonal(c) for c in shapely.intersection(shapely.get_parts(diagram), geom)]


def partition(geom, n: int, rng: np.random.Generator) -> list:
    """Split ``geom`` into ``n`` cells, ordered north-west first (so 第1 is at the top)."""
    seeds = _sample_inside(geom, n, rng)
    for _ in range(LLOYD_ROUNDS):
        cells = _cells(seeds, geom)
        seeds = np.array(
            [
                (c.centroid if c.contains(c.centroid) else c.point_on_surface()).coords[0]
                for c in cells
            ]
        )
    order = np.lexsort((seeds[:, 0], -np.round(seeds[:, 1], 2)))
    cells = _cells(seeds, geom)
    return [cells[i] for i in order]


def village_stems(township_names: list[str]) -> list[str]:
    """Every village stem, those that name one of the county's townships left out."""
    taken = {n.removesuffix("镇").removesuffix("乡") for n in township_names}
    families = [f + lie for lie in VILLAGE_LIE.split() for f in VILLAGE_FAMILIES]
    return [s for s in VILLAGE_STEMS + families if s not in taken]


def is_village(township_name: str, number: int) -> bool:
    """A 乡's places are villages; a 镇's after its town's communities; a 街道's none."""
    if township_name.endswith("街道"):
        return False
    return not township_name.endswith("镇") or number > TOWN_COMMUNITIES


def place_name(code: str, township_name: str, number: int, stems: list[str], used: set) -> str:
    """The community's or village's name. A village takes the stem its code draws (its own
    generator: the shapes' draws stay as they were), the next free one if the county has
    it already."""
    if not is_village(township_name, number):
        return f"{township_name}第{number}社区"
    start = int(np.random.default_rng([SEED, int(code), 1]).integers(len(stems)))
    for k in range(len(stems)):
        stem = stems[(start + k) % len(stems)]
        if stem not in used:
            used.add(stem)
            return f"{stem}村"
    return f"{township_name}第{number}村"  # more villages than stems: never in 海东


def generate_county(county_code: str, county_geom, names: list[str]) -> list[Unit]:
    """Townships (real names), communities and grids for one county, parents first."""
    units: list[Unit] = []
    t_codes = township_codes(county_code, names)
    stems, used = village_stems(names), set()
    for t_code, t_name, t_geom in zip(
        t_codes, names, partition(county_geom, len(names), _rng(county_code)), strict=True
    ):
        units.append(Unit(t_code, t_name, "township", county_code, t_geom))
        rng = _rng(t_code)
        n_comm = int(rng.integers(COMMUNITIES_PER_TOWNSHIP[0], COMMUNITIES_PER_TOWNSHIP[1] + 1))
        for i, c_geom in enumerate(partition(t_geom, n_comm, rng), start=1):
            c_code = f"{t_code}{i:03d}"
            c_name = place_name(c_code, t_name, i, stems, used)
            units.append(Unit(c_code, c_name, "community", t_code, c_geom))
            c_rng = _rng(c_code)
            n_grid = int(c_rng.integers(GRIDS_PER_COMMUNITY[0], GRIDS_PER_COMMUNITY[1] + 1))
            for k, g_geom in enumerate(partition(c_geom, n_grid, c_rng), start=1):
                households = int(c_rng.integers(80, 400))
                extra = {
                    "households": households,
                    "population": int(households * (2.8 + c_rng.random())),
                }
                units.append(
                    Unit(f"{c_code}-{k:02d}", f"{c_name}第{k}网格", "grid", c_code, g_geom, extra)
                )
    return units
