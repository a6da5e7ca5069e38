from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "gongzhi.legal"
    label = "legal"
    verbose_name = _("Public legal services")

    def ready(self):
        from gongzhi.core import periodic

        def tick(now=None):
            from gongzhi.legal import jobs

            return jobs.tick(now=now)

        periodic.register("legal", tick)
