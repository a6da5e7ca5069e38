"""The community app's front entries: "社区" for everyone with a place in it (residents in
the register, committee and oversight staff, property companies' staff) and the figures for
staff with an area."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register

from . import figures, queries


def _has_place(viewer) -> bool:
    return queries.has_place(viewer.user)


def _reads_figures(viewer) -> bool:
    return figures.may_read(viewer.user)


register(
    Entry("community", _("Community"), "community:home", order=150, when=_has_place),
    Entry(
        "community_figures",
        _("Community figures"),
        "community:figures",
        order=151,
        when=_reads_figures,
    ),
)
