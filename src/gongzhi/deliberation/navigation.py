"""The hall's menu entries (``gongzhi.core.navigation``): the hall for everyone (a
villager's village, a committee's desk, a township's overview)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.navigation import Entry, register

register(Entry("deliberation", _("Deliberation hall"), "deliberation:home", order=140))
