from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gongzhi.triage"
    verbose_name = _("Triage")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from gongzhi.regions.models import Grid, Region

        from . import gazetteer, services
        from .models import TriagePolicy

        for model in (Region, Grid):
            for signal in (post_save, post_delete):
                signal.connect(
                    gazetteer.invalidate_on_commit,
                    sender=model,
                    dispatch_uid=f"triage-gazetteer-{signal is post_save}-{model.__name__}",
                )

        from gongzhi.core import periodic

        def tick(now=None):
            # Queue a retraining from the dispatchers' decisions when the policy says.
            from . import jobs

            return jobs.tick(now=now)

        periodic.register("triage", tick)

        post_save.connect(services.forget_policy, sender=TriagePolicy, dispatch_uid="triage-policy")
        post_delete.connect(
            services.forget_policy, sender=TriagePolicy, dispatch_uid="triage-policy-del"
        )
