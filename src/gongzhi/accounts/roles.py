"""Who is who: the groups of roles that pages, the API and the menu ask about, and the one
way to read a user's roles.

A user's roles are those of their active memberships; a superuser is an administrator too,
and a user with no membership is a resident. ``roles_of`` reads them from the user's scope
(``gongzhi.core.scope.scope_for``, built once per request's user), which a page needs
anyway; ``member_roles`` reads only the roles, in one query, for callers that need no scope
(reporting through the API).
"""

from __future__ import annotations

from gongzhi.core.scope import scope_for

from .models import Membership, Role

# The desks that work the case queue, the overview and the hotspots.
STAFF_DESK = frozenset({Role.DISPATCHER, Role.HOTLINE_OPERATOR, Role.LEADER, Role.ADMINISTRATOR})
# The desks of the units that sign for and handle cases (their inbox).
UNIT_DESK = frozenset({Role.HANDLER, Role.LEADER})
# Those who type a caller's report in at the 12345 hotline.
HOTLINE_ROLES = frozenset({Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.ADMINISTRATOR})
# Those who call reporters back (回访) on the phone.
CALLBACK_ROLES = frozenset({Role.HOTLINE_OPERATOR, Role.DISPATCHER})
# Those who report problems themselves: residents and grid workers on patrol.
REPORTING_ROLES = frozenset({Role.RESIDENT, Role.GRID_WORKER})


def roles_of(user) -> set[str]:
    """The user's roles, from their scope (empty for an anonymous visitor)."""
    return set(scope_for(user).roles)  # administrators' scope already names their role


def member_roles(user) -> set[str]:
    """The same roles as ``roles_of``, in one query and without building the scope."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    roles = set(
        Membership.objects.filter(user=user, organisation__is_active=True).values_list(
            "role", flat=True
        )
    )
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return roles or {Role.RESIDENT}


def is_staff(roles) -> bool:
    """Anyone who is more than a resident: they have an overview, the map and the rates."""
    return bool(set(roles) - {Role.RESIDENT})


def memberships_of(user) -> list:
    """The user's memberships with their units, read once and kept on the user object (like
    its scope): every step a person takes asks on whose behalf they acted."""
    found = getattr(user, "_gongzhi_memberships", None)
    if found is None:
        found = list(user.memberships.select_related("organisation"))
        user._gongzhi_memberships = found
    return found
