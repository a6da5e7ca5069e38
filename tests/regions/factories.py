"""Small hand-made trees for fast tests: squares near 乐都 so the numbers are easy to check."""

from shapely.geometry import box

from gongzhi.regions.geometry import to_geojson
from gongzhi.regions.models import Grid, Region

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
    province = Region.objects.create(code="630000", name="青海省", level="province")
    city = Region.objects.create(code="630200", name="海东市", level="city", parent=province)
    county = Region.objects.create(code="630202", name="乐都区", level="county", parent=city)
    outline = box(LNG0, LAT0, LNG0 + grid_cols * SIZE, LAT0 + grid_rows * SIZE)
    township = Region.objects.create(
        code="630202100", name="碾伯镇", level="township", parent=county, boundary=geojson(outline)
    )
    community = Region.objects.create(
        code="630202100001",
        name="碾伯镇第1社区",
        level="community",
        parent=township,
        boundary=geojson(outline),
    )
    grids = [
        Grid.objects.create(
            code=f"630202100001-{row * grid_cols + col + 1:02d}",
            name=f"第{row * grid_cols + col + 1}网格",
            community=community,
            boundary=geojson(square(col, row)),
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
