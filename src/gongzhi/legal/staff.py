"""Who does what in the legal services, read from the user's posts (``core.scope.Post``):
no extra roles, the unit's kind says the work.

- The county's 法律援助中心 (an organisation of kind ``legal_aid_centre``): its handlers
  review applications, its leader (the director) decides them and assigns lawyers.
- The 司法局 (a department with the function ``SFJ``, or a ``justice_office`` serving a
  county or a city): hears objections to refusals; its staff also write 普法 articles. A township's 司法所 (``justice_office`` serving a
  township) writes 普法 for its township.
- A lawyer or 基层法律服务工作者 (role ``lawyer``): handles the aid assigned to them and
  answers the questions routed to them (as a village's adviser or on duty at the centre).
- A notary office (``notary_office``): its staff see its bookings.

Every function takes a ``Scope`` and returns the region paths where the user does that work
(empty: nowhere), so that a queryset is filtered with ``region_path__startswith``.
"""

from __future__ import annotations

from functools import lru_cache

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.core.scope import Scope

STAFF_ROLES = frozenset({Role.HANDLER, Role.LEADER})


def _served(scope: Scope, kind: str, roles=STAFF_ROLES) -> tuple[str, ...]:
    paths = {
        p for post in scope.posts if post.kind == kind and post.role in roles for p in post.served
    }
    return tuple(sorted(paths))


def aid_reviewer_paths(scope: Scope) -> tuple[str, ...]:
    """Where the user reviews legal-aid applications (handlers and the director)."""
    return _served(scope, OrganisationKind.LEGAL_AID_CENTRE)


def aid_director_paths(scope: Scope) -> tuple[str, ...]:
    """Where the user decides applications and assigns lawyers (the centre's leader)."""
    return _served(scope, OrganisationKind.LEGAL_AID_CENTRE, frozenset({Role.LEADER}))


# The function code of a county's or city's 司法局 among its departments.
JUSTICE_FUNCTION = "SFJ"


@lru_cache(maxsize=4096)
def _county_or_above(region_path: str) -> bool:
    """Whether a region (by path) is a county, a city or a province: levels never change."""
    from gongzhi.regions.models import Region, RegionLevel

    high = {RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY}
    return Region.objects.filter(path=region_path, level__in=high).exists()


def _bureau(post) -> bool:
    """Whether a post is in a 司法局: a department with the justice function, or a justice
    office serving a county or a city (not a township's 司法所)."""
    if post.kind == OrganisationKind.DEPARTMENT:
        return post.function == JUSTICE_FUNCTION
    if post.kind == OrganisationKind.JUSTICE_OFFICE:
        return any(_county_or_above(p) for p in post.served)
    return False


def _bureau_posts(scope: Scope):
    return [post for post in scope.posts if post.role in STAFF_ROLES and _bureau(post)]


def justice_bureau_paths(scope: Scope) -> tuple[str, ...]:
    """Where the user hears objections to refusals of aid (the county's 司法局)."""
    return tuple(sorted({p for post in _bureau_posts(scope) for p in post.served}))


def outreach_paths(scope: Scope) -> tuple[str, ...]:
    """Where the user writes and sends 普法: a 司法局's staff for its county or city, a
    township 司法所's for its township; administrators everywhere."""
    if scope.everything:
        return ("/",)
    paths = set(_served(scope, OrganisationKind.JUSTICE_OFFICE))
    paths |= {p for post in _bureau_posts(scope) for p in post.served}
    return tuple(sorted(paths))


def notary_office_paths(scope: Scope) -> tuple[str, ...]:
    """The organisation paths of the notary offices the user works in."""
    return tuple(
        sorted(
            post.path
            for post in scope.posts
            if post.kind == OrganisationKind.NOTARY_OFFICE and post.role in STAFF_ROLES
        )
    )


def is_lawyer(scope: Scope) -> bool:
    return Role.LAWYER in scope.roles


def covers(paths: tuple[str, ...], region_path: str) -> bool:
    return any(region_path.startswith(p) for p in paths)
