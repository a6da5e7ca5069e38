from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "gongzhi.command"
    label = "command"
    verbose_name = _("Command centre")

    def ready(self):
        from gongzhi.cases import stats
        from gongzhi.core import periodic

        from . import jobs, rates_source, signals  # noqa: F401 (signals: rollups hear cases)

        # The rates page and API count from the rollups where they can say the same.
        stats.register_source(rates_source.rollup_rates)

        # Stale days recounted within a tick; the warning test each night; the monthly
        # reports on the month's first working day (each job decides if it is its time).
        periodic.register("command.rollups", jobs.rollups)
        periodic.register("command.early_warnings", jobs.early_warnings)
        periodic.register("command.reports", jobs.reports)
