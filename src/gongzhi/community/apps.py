from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "gongzhi.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self):
        from gongzhi.core import periodic

        from . import hooks

        hooks.connect()

        def tick(now=None):
            from gongzhi.community import jobs

            return jobs.tick(now=now)

        periodic.register("community", tick)
