"""The cases' menu entries (``gongzhi.core.navigation``): where each desk works."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Role
from gongzhi.accounts.roles import CALLBACK_ROLES, HOTLINE_ROLES, REPORTING_ROLES, STAFF_DESK
from gongzhi.core.navigation import Entry, register

from .queries import CALLBACK_LIST_QUERY
from .workflow.relations import handling_units

# Who decides a case's category when triage is unsure.
TRIAGE_DESK = frozenset({Role.DISPATCHER, Role.ADMINISTRATOR})


def _reports(viewer) -> bool:
    return bool(viewer.roles & REPORTING_ROLES) or not viewer.roles


def _has_inbox(viewer) -> bool:
    if Role.HANDLER in viewer.roles:
        return True
    if Role.LEADER not in viewer.roles:
        return False
    # A government's leaders supervise; only a unit that handles cases has an inbox.
    return any(subtree for _path, subtree in handling_units(viewer.user))


register(
    Entry("report", _("Report a problem"), "cases:report", order=20, when=_reports),
    Entry("hotline", _("Hotline intake"), "cases:hotline", order=30, roles=HOTLINE_ROLES),
    Entry("queue", _("Case queue"), "cases:queue", order=40, roles=STAFF_DESK),
    # Those who call reporters back (回访) on the phone: the queue, filtered for it.
    Entry(
        "callbacks",
        _("Callback list"),
        "cases:queue",
        order=50,
        roles=CALLBACK_ROLES,
        query=CALLBACK_LIST_QUERY,
        testid="nav-callbacks",
    ),
    Entry("triage", _("Category check"), "cases:triage_queue", order=60, roles=TRIAGE_DESK),
    Entry("inbox", _("Unit inbox"), "cases:inbox", order=70, when=_has_inbox),
    Entry("tasks", _("My tasks"), "cases:tasks", order=80, roles=frozenset({Role.GRID_WORKER})),
    Entry("map", _("Case map"), "cases:map", order=90, desk="staff"),
    Entry("rates", _("Rates"), "cases:rates", order=100, desk="staff"),
    Entry("hotspots", _("Hotspots"), "cases:hotspots", order=110, roles=STAFF_DESK),
)
