"""Build a user's Scope from their memberships (see gongzhi.core.scope)."""

from gongzhi.core.scope import Scope

from .models import Membership, Role


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
        .prefetch_related("organisation__regions")
    )
    roles = {m.role for m in memberships}
    if user.is_superuser or Role.ADMINISTRATOR in roles:
        return Scope(
            user_id=user.pk, everything=True, roles=frozenset(roles | {Role.ADMINISTRATOR})
        )
    region_paths: set[str] = set()
    organisation_paths: set[str] = set()
    for membership in memberships:
        organisation_paths.add(membership.organisation.path)
        region_paths.update(r.path for r in membership.organisation.regions.all())
    return Scope(
        user_id=user.pk,
        region_paths=_minimal(region_paths),
        organisation_paths=_minimal(organisation_paths),
        roles=frozenset(roles or {Role.RESIDENT}),
    )
