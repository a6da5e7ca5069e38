from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "gongzhi.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")
