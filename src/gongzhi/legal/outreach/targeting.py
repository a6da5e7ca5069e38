"""Who an article is for: the residents whose profile (``ResidentProfile``) lies in one of
the targeted regions and, when groups are targeted, belongs to one of them (no group: all);
and the rule that 普法 staff target only their own area."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.scope import scope_for

from ..models import ResidentProfile
from ..staff import covers, outreach_paths


def staff_paths(user) -> tuple[str, ...]:
    return outreach_paths(scope_for(user)) if getattr(user, "is_authenticated", False) else ()


def require_staff(user) -> tuple[str, ...]:
    paths = staff_paths(user)
    if not paths:
        raise NotAllowed("not_outreach_staff", _("Only law popularisation staff may do this."))
    return paths


def owner_path(paths: tuple[str, ...], regions) -> str:
    """The staff's area that holds every targeted region (the narrowest such), or an error
    naming the first region outside the user's area."""
    regions = list(regions)
    if not regions:
        raise ServiceError("no_regions", _("Choose at least one region to send it to."), "regions")
    for region in regions:
        if not covers(paths, region.path):
            raise NotAllowed(
                "region_outside_area",
                _("%(region)s is outside your area: you may only target your own area.")
                % {"region": region.name},
                "regions",
            )
    holding = [p for p in paths if all(r.path.startswith(p) for r in regions)]
    if not holding:
        raise ServiceError(
            "regions_apart",
            _("Target regions of one of your areas at a time."),
            "regions",
        )
    return max(holding, key=len)


def recipients(article):
    """The profiles (user id, region path) of the residents the article is for."""
    paths = list(article.regions.values_list("path", flat=True))
    if not paths:
        return ResidentProfile.objects.none()
    where = Q(pk__in=[])
    for p in paths:
        where |= Q(region_path__startswith=p)
    profiles = ResidentProfile.objects.filter(where, user__is_active=True)
    group_ids = list(article.groups.values_list("pk", flat=True))
    if group_ids:
        profiles = profiles.filter(groups__in=group_ids).distinct()
    return profiles.values_list("user_id", "region_path")
