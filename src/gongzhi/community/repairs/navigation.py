"""The repairs room's menu entries (``gongzhi.core.navigation``): repairs for residents in
the register and for the staff who handle them (companies, committees, those above)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register


def _sees_repairs(viewer) -> bool:
    from gongzhi.people.members import villager

    from . import queries

    return villager(viewer.user) is not None or queries.is_staff(viewer.user)


register(
    Entry("community_repairs", _("Repairs"), "community:repairs", order=150, when=_sees_repairs),
)
