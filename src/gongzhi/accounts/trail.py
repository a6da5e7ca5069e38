"""Sign-ins, failed sign-ins, sign-outs and every change made in the admin go into the audit
log (issue 22, safeguard 3), next to django-axes' own lists of attempts.

A failed sign-in names the user name that was tried (never the password). An admin change
is caught from the admin's own history (``LogEntry``): what was added, changed or deleted,
by whom, with the admin's description of the change. The list's "delete selected" action
writes the history of several rows in one statement that sends no signal: it is replaced on
the admin site by one that records each row it deleted (one row alone is saved singly, and
caught like any change).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from gongzhi.core import audit

ADMIN_ACTIONS = {ADDITION: "admin_add", CHANGE: "admin_change", DELETION: "admin_delete"}


@receiver(user_logged_in, dispatch_uid="gongzhi_trail_login")
def _signed_in(sender, request, user, **kwargs):
    audit.record(actor=user, action="login", obj=user, request=request)


@receiver(user_logged_out, dispatch_uid="gongzhi_trail_logout")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action="logout", obj=user, request=request)


@receiver(user_login_failed, dispatch_uid="gongzhi_trail_login_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    tried = str(credentials.get("username") or "")[:150]
    audit.record(actor=None, action="login_failed", reason=f"username: {tried}", request=request)


@receiver(post_save, sender=LogEntry, dispatch_uid="gongzhi_trail_admin_change")
def _admin_changed(sender, instance: LogEntry, created=False, raw=False, **kwargs):
    if not created or raw:
        return
    content_type = instance.content_type
    # The object may be gone (a deletion): it is named from the admin's history.
    kind = f"{content_type.app_label}.{content_type.model}" if content_type is not None else ""
    audit.record(
        actor=instance.user,
        action=ADMIN_ACTIONS.get(instance.action_flag, "admin_change"),
        reason=instance.get_change_message()[:200],
        request=audit.current_request(),
        named=(kind, instance.object_id or "", instance.object_repr),
    )


def _delete_selected(modeladmin, request, queryset):
    # Named before they go. Django deletes only on the confirming post, and then answers
    # None (otherwise the confirmation page).
    gone = [(str(o.pk), str(o)[:200]) for o in queryset] if request.POST.get("post") else []
    response = delete_selected(modeladmin, request, queryset)
    if response is None and len(gone) > 1:
        kind = modeladmin.model._meta.label_lower
        for pk, text in gone:
            audit.record(
                actor=request.user,
                action="admin_delete",
                reason="delete_selected",
                request=request,
                named=(kind, pk, text),
            )
    return response


_delete_selected.allowed_permissions = delete_selected.allowed_permissions
_delete_selected.short_description = delete_selected.short_description
admin.site.add_action(_delete_selected, "delete_selected")
