"""The points room's menu entries (``gongzhi.core.navigation``): 我的积分 for a resident of
the register, the points desk for a village's committee."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register
from gongzhi.people import members


def _resident_or_committee(viewer) -> bool:
    from . import queries

    return members.villager(viewer.user) is not None or bool(queries.kept_regions(viewer.user))


register(
    Entry(
        "community_points", _("Points"), "community:points", order=156, when=_resident_or_committee
    ),
)
