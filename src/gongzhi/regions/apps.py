from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "gongzhi.regions"
    label = "regions"
    verbose_name = _("Regions and grids")

    def ready(self) -> None:
        from . import signals  # noqa: F401
