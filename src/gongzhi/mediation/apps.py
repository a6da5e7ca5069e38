from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "gongzhi.mediation"
    label = "mediation"
    verbose_name = _("Dispute mediation")

    def ready(self):
        from gongzhi.core import periodic

        def tick(now=None):
            from gongzhi.mediation import followup

            return followup.tick(now=now)

        periodic.register("mediation", tick)
