from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import navigation, periodic, push

        # Each app's menu entries, from its own navigation.py (core names no app).
        navigation.autodiscover()
        # Live messages are for the screens open now: a day's are kept for reconnects.
        periodic.register("core.push", push.prune)
