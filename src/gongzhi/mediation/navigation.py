"""The mediation pages' menu entries (``gongzhi.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Role
from gongzhi.core.navigation import Entry, register

# Those who find and register disputes: grid workers in 排查, mediators.
FINDERS = frozenset({Role.GRID_WORKER, Role.MEDIATOR})
# Those who watch the disputes of their area: mediators, the 综治中心's staff, leaders.
WATCHERS = frozenset({Role.MEDIATOR, Role.DISPATCHER, Role.LEADER})

register(
    Entry(
        "disputes_register",
        _("Register a dispute"),
        "mediation:register",
        order=120,
        roles=FINDERS,
    ),
    Entry(
        "disputes_desk",
        _("Mediation desk"),
        "mediation:workbench",
        order=122,
        roles=frozenset({Role.MEDIATOR}),
    ),
    Entry("disputes_board", _("Dispute board"), "mediation:board", order=124, roles=WATCHERS),
    Entry("disputes_figures", _("Dispute figures"), "mediation:figures", order=126, roles=WATCHERS),
    Entry(
        "disputes_campaigns",
        _("Screening rounds"),
        "mediation:campaigns",
        order=127,
        roles=FINDERS | WATCHERS,
    ),
    Entry(
        "disputes_from_cases",
        _("Cases to disputes"),
        "mediation:convert_queue",
        order=128,
        roles=frozenset({Role.DISPATCHER, Role.LEADER}),
    ),
)
