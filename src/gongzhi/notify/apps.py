from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "gongzhi.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        from gongzhi.accounts.signals import reveal_limit_reached

        from .receivers import alert_bulk_reveal

        reveal_limit_reached.connect(alert_bulk_reveal, dispatch_uid="notify.bulk_reveal")
