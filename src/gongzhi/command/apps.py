from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "gongzhi.command"
    label = "command"
    verbose_name = _("Command centre")

    def ready(self):
        from gongzhi.core import periodic

        from . import jobs, signals  # noqa: F401 (signals: the rollups hear cases change)

        # Stale days recounted within a tick; the warning test each night; the monthly
        # reports on the month's first working day (each job decides if it is its time).
        periodic.register("command.rollups", jobs.rollups)
        periodic.register("command.early_warnings", jobs.early_warnings)
        periodic.register("command.reports", jobs.reports)
