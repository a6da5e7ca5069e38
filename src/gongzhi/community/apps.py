from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "gongzhi.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self):
        from gongzhi.core import periodic, push

        from . import hooks
        from .patrols import live

        hooks.connect()
        # The leader's board hears of patrols in the areas the viewer staffs or leads teams in.
        push.register_topic(live.TOPIC, paths=live.paths)

        def tick(now=None):
            from gongzhi.community import jobs

            return jobs.tick(now=now)

        periodic.register("community", tick)
