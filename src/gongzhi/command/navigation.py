"""The command centre's menu entries (``gongzhi.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Role
from gongzhi.accounts.roles import STAFF_DESK
from gongzhi.core.navigation import Entry, register

from . import safety

# The screen comes first for those who watch the wall; the figures follow the case desks
# (rates, hotspots), whose users come for the queue first.
# Who watches the wall, reads the warnings and the monthly reports: leaders and the
# command centre's staff (dispatchers), with administrators.
COMMAND_ROLES = frozenset({Role.LEADER, Role.DISPATCHER, Role.ADMINISTRATOR})

register(
    Entry("overview", _("Overview"), "home", order=10, desk="staff"),
    Entry("screen", _("Big screen"), "command:screen", order=11, roles=COMMAND_ROLES),
    Entry("analytics", _("Analytics"), "command:analytics", order=101, roles=STAFF_DESK),
    Entry(
        "early_warnings",
        _("Early warnings"),
        "command:early_warnings",
        order=112,
        roles=COMMAND_ROLES,
    ),
    Entry("reports", _("Monthly reports"), "command:reports", order=113, roles=COMMAND_ROLES),
    Entry(
        "safety",
        _("Public-safety figures"),
        "command:safety",
        order=114,
        when=lambda viewer: safety.may_view(viewer.user),
    ),
)
