"""The desks that other apps' menu entries name, and the administration entry
(``gongzhi.core.navigation``). An app below accounts (regions) cannot import the roles, so
it names a desk registered here."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register, register_desk

from .duties import DUTY_ROLES
from .roles import is_staff

# "staff": anyone who is more than a resident (not Django's is_staff, which opens the admin).
register_desk("staff", lambda viewer: is_staff(viewer.roles))

register(
    Entry(
        "admin",
        _("Administration"),
        "admin:index",
        order=1000,
        # The admin's door: is_staff, or one of the three administrators (admin_site; the
        # viewer's roles are read once per page already).
        when=lambda viewer: viewer.user.is_staff or bool(viewer.roles & DUTY_ROLES),
    )
)
