"""The hall's menu entries (``gongzhi.core.navigation``): the hall for everyone (a
villager's village, a committee's desk on the same page), the overview of the villages for
township, county and city staff, and the figures for everyone who works in the hall."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register
from gongzhi.core.scope import scope_for

from . import members


def _oversees(viewer) -> bool:
    scope = scope_for(viewer.user)
    return scope.everything or bool(members.oversight_paths(scope))


def _reads_figures(viewer) -> bool:
    scope = scope_for(viewer.user)
    return scope.everything or bool(members.staff_paths(scope))


register(
    Entry("deliberation", _("Deliberation hall"), "deliberation:home", order=140),
    Entry(
        "deliberation_overview",
        _("Villages' deliberation"),
        "deliberation:overview",
        order=141,
        when=_oversees,
    ),
    Entry(
        "deliberation_figures",
        _("Deliberation figures"),
        "deliberation:figures",
        order=142,
        when=_reads_figures,
    ),
)
