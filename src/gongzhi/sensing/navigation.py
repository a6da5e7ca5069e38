"""The sensing app's menu entries (``gongzhi.core.navigation``).

Who sees them is the app's one rule (``access``): administrators, the duty staff of a place
and the staff of units that own a camera or sensor. The roles are asked first, so a resident's or a grid worker's
page costs no query for these entries."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Role
from gongzhi.core.navigation import Entry, register

from .queries import sees_sensing as _sees

# Residents and grid workers see no camera; the rule decides for everyone else.
SENSING_ROLES = frozenset(Role.values) - {Role.RESIDENT, Role.GRID_WORKER}
# Who keeps watch at the duty console (as ``views.console.CONSOLE_ROLES``).
DUTY_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMINISTRATOR})


def sees_sensing(viewer) -> bool:
    return _sees(viewer.user)


register(
    Entry(
        "sensing_console",
        _("Duty console"),
        "sensing:console",
        order=159,
        roles=DUTY_ROLES,
        when=sees_sensing,
        testid="nav-sensing-console",
    ),
    Entry(
        "sensing_cameras",
        _("Cameras"),
        "sensing:cameras",
        order=160,
        roles=SENSING_ROLES,
        when=sees_sensing,
    ),
    Entry(
        "sensing_devices",
        _("Sensors"),
        "sensing:devices",
        order=161,
        roles=SENSING_ROLES,
        when=sees_sensing,
    ),
    Entry(
        "sensing_map",
        _("Sensing map"),
        "sensing:map",
        order=162,
        roles=SENSING_ROLES,
        when=sees_sensing,
    ),
    Entry(
        "sensing_figures",
        _("Sensing figures"),
        "sensing:figures",
        order=163,
        roles=SENSING_ROLES,
        when=sees_sensing,
    ),
)
