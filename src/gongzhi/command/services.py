"""What the overview page shows: the viewer's part of the platform, counted."""

from django.db.models import Count

from gongzhi.accounts.models import Organisation, User
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, Region, RegionLevel
from gongzhi.taxonomy.models import Category


def overview(*, viewer) -> dict:
    scope = scope_for(viewer)
    regions = Region.objects.visible_to(viewer)
    by_level = dict(regions.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    grids = Grid.objects.visible_to(viewer).filter(is_active=True)
    level_rows = [
        {"level": level, "label": label, "count": by_level.get(level, 0)}
        for level, label in RegionLevel.choices
        if by_level.get(level)
    ]
    return {
        "scope": scope,
        "level_rows": level_rows,
        "grid_count": grids.count(),
        "staffed_grid_count": grids.filter(assignments__isnull=False).distinct().count(),
        "organisation_count": Organisation.objects.visible_to(viewer)
        .filter(is_active=True)
        .count(),
        "people_count": User.objects.visible_to(viewer).filter(is_active=True).count()
        if hasattr(User.objects, "visible_to")
        else None,
        "category_count": Category.objects.filter(enabled=True, level=1).count(),
        "top_regions": regions.filter(level__in=[RegionLevel.CITY, RegionLevel.COUNTY]).order_by(
            "path"
        )[:20],
    }
