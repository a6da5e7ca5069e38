"""Small hand-made trees for fast tests: squares near 乐都 so the numbers are easy to check.

The rows are made by ``tests.factories``; this module only lays them out.
"""

from shapely.geometry import box

from gongzhi.regions.geometry import to_geojson
from gongzhi.regions.models import RegionLevel
from tests.factories import GridFactory, RegionFactory

LNG0, LAT0 = 102.40, 36.48
SIZE = 0.01  # ~900 m east-west, ~1.1 km north-south


def square(col, row, size=SIZE):
    return box(
        LNG0 + col * size, LAT0 + row * size, LNG0 + (col + 1) * size, LAT0 + (row + 1) * size
    )


def geojson(geom):
    return to_geojson(geom)


def make_tree(grid_cols=2, grid_rows=2):
    """province → city → county → township → community, grids tiling the community."""
    province = RegionFactory(code="630000", name="青海省", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="630200", name="海东市", level=RegionLevel.CITY, parent=province)
    county = RegionFactory(code="630202", name="乐都区", level=RegionLevel.COUNTY, parent=city)
    outline = box(LNG0, LAT0, LNG0 + grid_cols * SIZE, LAT0 + grid_rows * SIZE)
    township = RegionFactory(
        code="630202100",
        name="碾伯镇",
        level=RegionLevel.TOWNSHIP,
        parent=county,
        shape=outline,
    )
    community = RegionFactory(
        code="630202100001",
        name="碾伯镇第1社区",
        level=RegionLevel.COMMUNITY,
        parent=township,
        shape=outline,
    )
    grids = [
        GridFactory(
            code=f"630202100001-{row * grid_cols + col + 1:02d}",
            name=f"第{row * grid_cols + col + 1}网格",
            community=community,
            shape=square(col, row),
        )
        for row in range(grid_rows)
        for col in range(grid_cols)
    ]
    return {
        "province": province,
        "city": city,
        "county": county,
        "township": township,
        "community": community,
        "grids": grids,
    }
