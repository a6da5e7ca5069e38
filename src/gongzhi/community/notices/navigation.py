"""The notices room's menu entries (``gongzhi.core.navigation``): a resident's notices,
and the sent notices for staff who write them."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register

from . import services


def _resident(viewer) -> bool:
    return services.household_of(viewer.user) is not None


def _staff(viewer) -> bool:
    return services.is_staff(viewer.user)


register(
    Entry("community_notices", _("Notices"), "community:notices", order=153, when=_resident),
    Entry(
        "community_notices_sent",
        _("Sent notices"),
        "community:notices_sent",
        order=154,
        when=_staff,
    ),
)
