"""The volunteers room's menu entries (``gongzhi.core.navigation``): my volunteering for
everyone signed in, the desk for the committees and those who oversee them."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register

from .services import staff_area


def _staff(viewer) -> bool:
    everything, paths = staff_area(viewer.user)
    return everything or bool(paths)


register(
    Entry("community_volunteers", _("Volunteering"), "community:volunteers", order=173),
    Entry(
        "community_volunteer_desk",
        _("Volunteers' desk"),
        "community:volunteer_desk",
        order=174,
        when=_staff,
    ),
)
