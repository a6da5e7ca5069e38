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

        def font(now=None):
            # The agreement PDFs' font is cut from the system's Noto face once (10–20 s):
            # the watcher does it when the platform starts, not a mediator's first click.
            from gongzhi.mediation import printing

            try:
                return {"font": printing.cached_cut().name}
            except printing.FontMissing as missing:
                return {"font": str(missing)}

        periodic.register("mediation", tick)
        periodic.register("mediation-font", font)
