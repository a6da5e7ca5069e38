from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = _("Organisations and people")

    def ready(self):
        from . import (
            access,  # noqa: F401  (the access stamp moves with roles, exemptions, devices)
            privileges,  # noqa: F401  (connects the audit of privilege changes)
            sessions,  # noqa: F401  (the idle clock starts at sign-in)
            trail,  # noqa: F401  (sign-ins and admin changes into the audit log)
        )
