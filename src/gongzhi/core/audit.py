"""Writing to the audit log from services and views."""

from django.db import models

from .clientip import client_address
from .models import AuditLog


def client_ip(request) -> str | None:
    if request is None:
        return None
    return client_address(request) or None


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    fields=(),
    reason: str = "",
    request=None,
) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        fields=list(fields),
        reason=reason[:200],
        ip_address=client_ip(request),
    )
