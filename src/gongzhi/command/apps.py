from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "gongzhi.command"
    label = "command"
    verbose_name = _("Command centre")
