"""三员分立 (等保 2.0 level 3): three administrators, none able to do the others' work.

================  =====================================================================
duty              what the admin lets them do
================  =====================================================================
system            configuration and reference data: every model but the two lists below
security          accounts, memberships (roles), API tokens, Open311 keys, two-factor
                  devices and exemptions, lockouts; groups only to read
audit             the audit log and the sign-in records, to read (and ``gongzhi audit
                  verify`` / ``export`` on the server)
================  =====================================================================

A duty comes from a role in an active membership (``ROLE_DUTY``). The admin's permissions of
the three are computed here (``DutiesBackend``) from the table, not kept in groups, so that
the security administrator, who manages accounts, cannot give anyone (themselves included) a
permission outside a duty. Someone holding two duties holds none (fail closed): the
membership form refuses the second one. The superuser is for installation only: it creates the
first three administrators and is then put away (README).
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import Permission

from .models import Membership, Role

SYSTEM, SECURITY, AUDIT = "system", "security", "audit"
ROLE_DUTY = {Role.ADMINISTRATOR: SYSTEM, Role.SECURITY_ADMIN: SECURITY, Role.AUDIT_ADMIN: AUDIT}
DUTY_ROLES = frozenset(ROLE_DUTY)

ALL = ("view", "add", "change", "delete")
VIEW = ("view",)
# model label → the actions the duty may take on it
SECURITY_MODELS: dict[str, tuple[str, ...]] = {
    "accounts.user": ALL,
    "accounts.membership": ALL,
    "accounts.apitoken": ALL,
    "accounts.twofactorexemption": ALL,
    "open311.open311client": ALL,
    "otp_totp.totpdevice": ("view", "delete"),
    "otp_static.staticdevice": ("view", "delete"),
    "axes.accessattempt": ("view", "delete"),  # a lockout is lifted by deleting it
    "auth.group": VIEW,
}
AUDIT_MODELS: dict[str, tuple[str, ...]] = {
    "core.auditlog": VIEW,
    "axes.accesslog": VIEW,
    "axes.accessfailurelog": VIEW,
}
# Nobody's duty: the machinery underneath (only the superuser, at installation).
NOBODYS = frozenset(
    {"auth.permission", "contenttypes.contenttype", "sessions.session", "admin.logentry"}
)


def _label(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.content_type.model}"


def permissions_for(duty: str) -> frozenset[str]:
    """The ``app_label.codename`` permissions of one duty."""
    found = set()
    reserved = set(SECURITY_MODELS) | set(AUDIT_MODELS) | NOBODYS
    for permission in Permission.objects.select_related("content_type"):
        label = _label(permission)
        action = permission.codename.split("_", 1)[0]
        if duty == SYSTEM:
            allowed = label not in reserved
        else:
            table = SECURITY_MODELS if duty == SECURITY else AUDIT_MODELS
            allowed = action in table.get(label, ())
        if allowed:
            found.add(f"{permission.content_type.app_label}.{permission.codename}")
    return frozenset(found)


def duties_of(user) -> frozenset[str]:
    """The user's duty (one at most): none for two or more, which is a misconfiguration."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    found = getattr(user, "_gongzhi_duties", None)
    if found is None:
        roles = set(
            Membership.objects.filter(
                user=user, organisation__is_active=True, role__in=DUTY_ROLES
            ).values_list("role", flat=True)
        )
        duties = {ROLE_DUTY[r] for r in roles}
        found = frozenset(duties) if len(duties) == 1 else frozenset()
        user._gongzhi_duties = found
    return found


def conflicting_duty(*, user, role: str, exclude_pk=None) -> str | None:
    """The duty role ``user`` already holds that giving them ``role`` would clash with."""
    if role not in DUTY_ROLES or user is None or user.pk is None:
        return None
    others = Membership.objects.filter(user=user, role__in=DUTY_ROLES).exclude(role=role)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.values_list("role", flat=True).first()


class DutiesBackend(BaseBackend):
    """Grants the admin permissions of the user's duty; authenticates nobody."""

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not getattr(user_obj, "is_active", False):
            return set()
        if user_obj.is_anonymous:
            return set()
        cached = getattr(user_obj, "_gongzhi_duty_perms", None)
        if cached is None:
            cached = frozenset().union(*(permissions_for(d) for d in duties_of(user_obj)))
            user_obj._gongzhi_duty_perms = cached
        return set(cached)

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
