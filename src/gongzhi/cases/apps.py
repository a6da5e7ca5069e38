from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gongzhi.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from gongzhi.cases.workflow import reference

        reference.connect_signals()
