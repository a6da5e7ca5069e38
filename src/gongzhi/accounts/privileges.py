"""Every grant or loss of the highest privileges is written to the audit log, whichever way
it was made: the admin, ``gongzhi createsuperuser``, a shell, a data import.

The privileges are a user's ``is_superuser`` and ``is_staff`` flags (the admin's doors) and an
``administrator`` membership. Signals see every save through the ORM, so no path is left
out; the admin runs its views inside ``audit.acting(request)`` (see ``admin.AuditedAdminMixin``)
so that the row names who made the change.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from gongzhi.core import audit

from .models import Membership, Role, User

GRANT = "privilege_grant"
REVOKE = "privilege_revoke"
FLAGS = ("is_superuser", "is_staff")


@receiver(pre_save, sender=User, dispatch_uid="gongzhi_privileges_user_before")
def _user_before(sender, instance: User, raw=False, update_fields=None, **kwargs):
    if update_fields is not None and not set(update_fields) & set(FLAGS):
        instance._privileges_before = None  # a sign-in's last_login, say: nothing to compare
        return
    if raw or instance.pk is None:
        instance._privileges_before = dict.fromkeys(FLAGS, False)
        return
    before = User.objects.filter(pk=instance.pk).values(*FLAGS).first()
    instance._privileges_before = before or dict.fromkeys(FLAGS, False)


@receiver(post_save, sender=User, dispatch_uid="gongzhi_privileges_user_after")
def _user_after(sender, instance: User, raw=False, **kwargs):
    before = getattr(instance, "_privileges_before", None)
    if raw or before is None:
        return
    gained = [f for f in FLAGS if getattr(instance, f) and not before[f]]
    lost = [f for f in FLAGS if before[f] and not getattr(instance, f)]
    if gained:
        audit.record_here(action=GRANT, obj=instance, fields=gained)
    if lost:
        audit.record_here(action=REVOKE, obj=instance, fields=lost)
    instance._privileges_before = {f: getattr(instance, f) for f in FLAGS}


@receiver(pre_save, sender=Membership, dispatch_uid="gongzhi_privileges_membership_before")
def _membership_before(sender, instance: Membership, raw=False, **kwargs):
    before = None
    if not raw and instance.pk is not None:
        before = Membership.objects.filter(pk=instance.pk).values("role", "user_id").first()
    instance._role_before = before


@receiver(post_save, sender=Membership, dispatch_uid="gongzhi_privileges_membership_after")
def _membership_after(sender, instance: Membership, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_role_before", None)
    was_admin = before is not None and before["role"] == Role.ADMINISTRATOR
    is_admin = instance.role == Role.ADMINISTRATOR
    moved = before is not None and before["user_id"] != instance.user_id
    reason = f"membership {instance.pk} in {instance.organisation_id}"
    if was_admin and (not is_admin or moved):
        former = User.objects.filter(pk=before["user_id"]).first()
        audit.record_here(action=REVOKE, obj=former, fields=[Role.ADMINISTRATOR], reason=reason)
    if is_admin and (not was_admin or moved):
        audit.record_here(
            action=GRANT, obj=instance.user, fields=[Role.ADMINISTRATOR], reason=reason
        )


@receiver(post_delete, sender=Membership, dispatch_uid="gongzhi_privileges_membership_gone")
def _membership_gone(sender, instance: Membership, **kwargs):
    if instance.role != Role.ADMINISTRATOR:
        return
    former = User.objects.filter(pk=instance.user_id).first()  # None when the user is deleted
    audit.record_here(
        action=REVOKE,
        obj=former,
        fields=[Role.ADMINISTRATOR],
        reason=f"membership {instance.pk} of user {instance.user_id} removed",
    )


@receiver(post_delete, sender=User, dispatch_uid="gongzhi_privileges_user_gone")
def _user_gone(sender, instance: User, **kwargs):
    audit.record_here(action="user_delete", obj=instance, reason=f"user {instance.pk} deleted")
