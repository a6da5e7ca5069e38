"""What the overview page shows: the viewer's part of the platform, counted."""

from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import Organisation, User
from gongzhi.accounts.roles import STAFF_DESK
from gongzhi.cases.choices import OPEN_STATES, State
from gongzhi.cases.models import Case
from gongzhi.cases.queries import CALLBACK_LIST_QUERY, awaiting_callback_q
from gongzhi.cases.stats import rates
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, Region, RegionLevel
from gongzhi.taxonomy.models import Category


def _queue_links(scope) -> dict:
    """Where each case figure leads: the queue, filtered to the cases it counts (for those
    who have the queue; others see the figures only)."""
    if not scope.everything and not scope.roles & STAFF_DESK:
        return {}
    queue = reverse("cases:queue")
    today = timezone.localdate().isoformat()
    open_states = urlencode([("state", s) for s in State.values if s in OPEN_STATES])
    return {
        "today": f"{queue}?{urlencode({'date_from': today, 'date_to': today})}",
        "open": f"{queue}?{open_states}",
        "overdue": f"{queue}?{open_states}&overdue=on",
        "callback": f"{queue}?{CALLBACK_LIST_QUERY}",
    }


def overview(*, viewer) -> dict:
    scope = scope_for(viewer)
    regions = Region.objects.visible_to(viewer)
    # order_by(): the model's default ordering would otherwise split the GROUP BY per row.
    counts = regions.order_by().values_list("level").annotate(n=Count("id"))
    by_level = dict(counts.values_list("level", "n"))
    grids = Grid.objects.visible_to(viewer).filter(is_active=True)
    level_rows = [
        {"level": level, "label": label, "count": by_level.get(level, 0)}
        for level, label in RegionLevel.choices
        if by_level.get(level)
    ]
    cases = Case.objects.visible_to(viewer)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    # The last 30 days from a midnight, today included: the rollups count whole days.
    month = rates(viewer=viewer, group_by="all", start=today - timedelta(days=29))
    return {
        "scope": scope,
        "links": _queue_links(scope),
        "cases_today": cases.filter(created_at__gte=today).count(),
        "cases_open": cases.open().count(),
        "cases_overdue": cases.open().filter(is_overdue=True).count(),
        "cases_awaiting_callback": cases.filter(awaiting_callback_q()).count(),
        "rates_30d": month[0] if month else None,
        "level_rows": level_rows,
        "grid_count": grids.count(),
        "staffed_grid_count": grids.filter(assignments__isnull=False).distinct().count(),
        "organisation_count": Organisation.objects.visible_to(viewer)
        .filter(is_active=True)
        .count(),
        "people_count": User.objects.visible_to(viewer).filter(is_active=True).count(),
        "category_count": Category.objects.filter(enabled=True, level=1).count(),
        "top_regions": regions.filter(level__in=[RegionLevel.CITY, RegionLevel.COUNTY]).order_by(
            "path"
        )[:20],
    }
