"""Build a user's Scope from their memberships (see gongzhi.core.scope).

* ``organisation_paths``: the subtrees of the units the user belongs to.
* ``region_paths``: the regions those units serve (and everything below them).
* ``territory_paths``: the places whose affairs the user *governs* — the regions of their
  governments, command centres, township offices and community committees, plus, for a grid
  worker, the communities of the grids assigned to them. A department (or a justice office,
  a police station, a firm) serves a region but governs only its own business, so its
  regions are not territory.
* administrators (superusers, or members with the administrator role) see everything.
"""

from django.db.models import Prefetch

from gongzhi.core.scope import Post, Scope
from gongzhi.regions.models import Region

from .models import Membership, OrganisationKind, Role

GOVERNING_KINDS = frozenset(
    {
        OrganisationKind.GOVERNMENT,
        OrganisationKind.COMMAND_CENTRE,
        OrganisationKind.TOWNSHIP,
        OrganisationKind.COMMUNITY,
    }
)


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by an ancestor path, so queries stay short."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def build_scope(user) -> Scope:
    memberships = list(
        Membership.objects.filter(user=user, organisation__is_active=True)
        .select_related("organisation")
        # Only the paths: a region row also carries its whole boundary.
        .prefetch_related(
            Prefetch("organisation__regions", queryset=Region.objects.only("id", "path"))
        )
    )
    roles = {m.role for m in memberships}
    if user.is_superuser or Role.ADMINISTRATOR in roles:
        return Scope(
            user_id=user.pk, everything=True, roles=frozenset(roles | {Role.ADMINISTRATOR})
        )
    region_paths: set[str] = set()
    organisation_paths: set[str] = set()
    territory_paths: set[str] = set()
    posts: list[Post] = []
    for membership in memberships:
        organisation = membership.organisation
        served = {r.path for r in organisation.regions.all()}
        posts.append(
            Post(
                membership.role,
                organisation.kind,
                organisation.path,
                tuple(sorted(served)),
                organisation.function,
            )
        )
        organisation_paths.add(organisation.path)
        region_paths |= served
        if organisation.kind in GOVERNING_KINDS or membership.role == Role.GRID_WORKER:
            territory_paths |= served
    if Role.GRID_WORKER in roles:
        from gongzhi.regions.models import GridAssignment

        grid_paths = set(
            GridAssignment.objects.filter(user=user, grid__is_active=True).values_list(
                "grid__region_path", flat=True
            )
        )
        territory_paths |= grid_paths
        region_paths |= grid_paths
    return Scope(
        user_id=user.pk,
        region_paths=_minimal(region_paths),
        organisation_paths=_minimal(organisation_paths),
        territory_paths=_minimal(territory_paths),
        roles=frozenset(roles or {Role.RESIDENT}),
        posts=tuple(posts),
    )
