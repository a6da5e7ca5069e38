"""A small but real 海东 region tree for tests: the same shape the regions loader makes."""

from gongzhi.regions.models import Region, RegionLevel
from tests.factories import GridFactory, RegionFactory

TREE = {
    ("630000", "青海省", RegionLevel.PROVINCE): {
        ("630200", "海东市", RegionLevel.CITY): {
            ("630202", "乐都区", RegionLevel.COUNTY): {
                ("630202001", "碾伯街道", RegionLevel.TOWNSHIP): {
                    ("630202001001", "西关社区", RegionLevel.COMMUNITY): 3,
                    ("630202001002", "东关社区", RegionLevel.COMMUNITY): 2,
                },
                ("630202101", "高庙镇", RegionLevel.TOWNSHIP): {
                    ("630202101201", "高庙村", RegionLevel.COMMUNITY): 1,
                },
            },
            ("630203", "平安区", RegionLevel.COUNTY): {
                ("630203100", "平安镇", RegionLevel.TOWNSHIP): {
                    ("630203100001", "东村", RegionLevel.COMMUNITY): 2,
                },
            },
        },
        ("630100", "西宁市", RegionLevel.CITY): {
            ("630102", "城东区", RegionLevel.COUNTY): {},
        },
    },
}


def build_tree() -> dict[str, Region]:
    """Create the tree; return regions by code (grids are ``<community code>-G<n>``, without
    boundaries, as is every region here)."""
    regions: dict[str, Region] = {}

    def walk(children: dict, parent: Region | None) -> None:
        for (code, name, level), below in children.items():
            region = RegionFactory(code=code, name=name, level=level, parent=parent)
            regions[code] = region
            if isinstance(below, int):
                for n in range(1, below + 1):
                    GridFactory(
                        code=f"{code}-G{n}",
                        name=f"{name}第{n}网格",
                        community=region,
                        boundary=None,
                    )
            else:
                walk(below, region)

    walk(TREE, None)
    return regions
