"""The command centre's menu entries (``gongzhi.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register

register(Entry("overview", _("Overview"), "home", order=10, desk="staff"))
