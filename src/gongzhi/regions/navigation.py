"""The regions' menu entries (``gongzhi.core.navigation``). The "staff" desk is named by
accounts, which sits above regions and knows the roles."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register

register(Entry("regions", _("Regions and grids"), "regions:index", order=120, desk="staff"))
