"""The patrols room's menu entries (``gongzhi.core.navigation``): the routes for everyone
who walks or keeps them; the live board for team leaders and staff."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register

from . import queries


def _walks(viewer) -> bool:
    return queries.routes(viewer.user).exists()


def _leads(viewer) -> bool:
    return queries.leads(viewer.user)


register(
    Entry("community_patrols", _("Patrols"), "community:patrol_routes", order=176, when=_walks),
    Entry(
        "community_patrol_board",
        _("Today's patrols"),
        "community:patrol_board",
        order=177,
        when=_leads,
    ),
)
