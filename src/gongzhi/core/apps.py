from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import navigation

        # Each app's menu entries, from its own navigation.py (core names no app).
        navigation.autodiscover()
