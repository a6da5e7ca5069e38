from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "gongzhi.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation hall")

    def ready(self):
        from gongzhi.core import periodic

        def tick(now=None):
            from gongzhi.deliberation import jobs

            return jobs.tick(now=now)

        periodic.register("deliberation", tick)
