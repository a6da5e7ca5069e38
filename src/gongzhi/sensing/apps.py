from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensingConfig(AppConfig):
    name = "gongzhi.sensing"
    label = "sensing"
    verbose_name = _("Cameras and sensors")

    def ready(self):
        from gongzhi.core import periodic

        def tick(now=None):
            # Offline marking, camera maintenance cases, alarms without a case, old readings.
            from gongzhi.sensing import alarms

            return alarms.tick(now=now)

        periodic.register("sensing", tick)
