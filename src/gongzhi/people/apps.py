from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "gongzhi.people"
    label = "people"
    verbose_name = _("People and houses")

    def ready(self):
        from gongzhi.core import periodic

        def visits(now=None):
            from gongzhi.people import visits

            return visits.tick(now=now)

        def checkins(now=None):
            from gongzhi.people import checkins

            return checkins.tick(now=now)

        periodic.register("people.visits", visits)
        periodic.register("people.checkins", checkins)
