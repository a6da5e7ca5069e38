from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gongzhi.triage"
    verbose_name = _("Triage")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import services
        from .models import TriagePolicy

        post_save.connect(services.forget_policy, sender=TriagePolicy, dispatch_uid="triage-policy")
        post_delete.connect(
            services.forget_policy, sender=TriagePolicy, dispatch_uid="triage-policy-del"
        )
