"""The access stamp (``User.access_stamp``): moved whenever what decides a user's second
sign-in step changes, so that ``otp.TwoFactorMiddleware`` asks a session it let in without
one again on its next request rather than up to ``otp.RECHECK_SECONDS`` later."""

from __future__ import annotations

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership, Organisation, TwoFactorExemption, User


def bump(**where) -> None:
    # An UPDATE, not a save: the user's own signals (the privilege audit) are not for this.
    User.objects.filter(**where).update(access_stamp=F("access_stamp") + 1)


def _by_user(sender, instance, **kwargs):
    if instance.user_id is not None:
        bump(pk=instance.user_id)


def _by_organisation(sender, instance, **kwargs):
    # An organisation made active again gives its members their roles back.
    bump(memberships__organisation=instance)


for model in (Membership, TwoFactorExemption, TOTPDevice, StaticDevice):
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        uid = f"gongzhi_access_{model.__name__}_{name}"
        signal.connect(_by_user, sender=model, dispatch_uid=uid)
post_save.connect(_by_organisation, sender=Organisation, dispatch_uid="gongzhi_access_organisation")
