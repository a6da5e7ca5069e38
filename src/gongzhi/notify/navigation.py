"""The notifications' menu entry, beside the user's name, with its unread count
(``gongzhi.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import USER, Entry, register

register(
    Entry(
        "notifications",
        _("Notifications"),
        "notify:inbox",
        order=10,
        badge="notify:unread_count",
        menu=USER,
    )
)
