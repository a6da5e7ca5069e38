"""The people app's menu entries (``gongzhi.core.navigation``).

Who sees the register is decided by the places a user governs (``Scope.territory_paths``,
already read for the page, so the menu costs no query), and who sees the care groups also
by a unit's care function (a justice office, a police station), read only for the roles
such units' staff hold."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Role
from gongzhi.core.navigation import Entry, register
from gongzhi.core.scope import scope_for

from .access import access_for
from .queries import reads_people

# The roles of those who govern places (grid workers, community, township and county
# staff, command centres) and of care-function units' staff (handlers, leaders).
PEOPLE_ROLES = frozenset(
    {Role.GRID_WORKER, Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.ADMINISTRATOR}
)


def governs_places(viewer) -> bool:
    scope = scope_for(viewer.user)
    return scope.everything or bool(scope.territory_paths)


def sees_people(viewer) -> bool:
    """The register's staff, and the staff of a unit whose care function a group lists."""
    if governs_places(viewer):
        return True
    return bool(access_for(viewer.user).functions) and reads_people(viewer.user)


def imports_residents(viewer) -> bool:
    """Community or village staff and above, as ``imports.may_import`` (not imported here:
    it loads openpyxl)."""
    access = access_for(viewer.user)
    return access.everything or bool(access.governed_paths)


register(
    Entry(
        "people_houses",
        _("Houses"),
        "people:houses",
        order=140,
        roles=PEOPLE_ROLES,
        when=governs_places,
    ),
    Entry(
        "people_residents",
        _("Residents"),
        "people:residents",
        order=141,
        roles=PEOPLE_ROLES,
        when=sees_people,
    ),
    Entry(
        "people_groups",
        _("Care groups"),
        "people:groups",
        order=142,
        roles=PEOPLE_ROLES,
        when=sees_people,
    ),
    Entry(
        "people_visits",
        _("Visits due"),
        "people:visits",
        order=143,
        roles=frozenset({Role.GRID_WORKER}),
    ),
    Entry(
        "people_visits_late",
        _("Late visits"),
        "people:visits_late",
        order=144,
        roles=PEOPLE_ROLES - {Role.GRID_WORKER},
        when=sees_people,
    ),
    Entry(
        "people_checkins",
        _("Daily check-ins"),
        "people:checkins",
        order=145,
        roles=PEOPLE_ROLES,
        when=governs_places,
    ),
    Entry(
        "people_figures",
        _("People figures"),
        "people:figures",
        order=146,
        roles=PEOPLE_ROLES,
        when=sees_people,
    ),
    Entry(
        "people_map",
        _("People map"),
        "people:map",
        order=147,
        roles=PEOPLE_ROLES,
        when=sees_people,
    ),
    Entry(
        "people_import",
        _("Import residents"),
        "people:import",
        order=148,
        roles=PEOPLE_ROLES - {Role.GRID_WORKER},
        when=imports_residents,
    ),
)
