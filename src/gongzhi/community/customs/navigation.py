"""The customs room's menu entries (``gongzhi.core.navigation``): registrations for every
signed-in person (a resident's own, staff their area's), the figures for staff."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register


def _reads_figures(viewer) -> bool:
    from .queries import reads_figures

    return reads_figures(viewer.user)


register(
    Entry(
        "community_customs", _("Weddings and funerals (移风易俗)"), "community:customs", order=186
    ),
    Entry(
        "community_customs_figures",
        _("移风易俗 figures"),
        "community:customs_figures",
        order=187,
        when=_reads_figures,
    ),
)
