"""Writing to the audit log from services and views.

``record(actor=, action=, ...)`` writes one row. The acting user's name and id are copied
onto the row as text, so it still says who acted after the account is deleted.

Changes caught by signals (a privilege granted in the admin, the shell or a command) do not
know who made them; a view that lets someone make such a change runs it inside
``acting(request)``, and ``current_request()`` then names the person and the address. With
no request at all the row says which command ran (``command_line()``).
"""

from __future__ import annotations

import contextvars
import os
import sys
from contextlib import contextmanager

from django.db import models

from .clientip import client_address
from .models import AuditLog

_request: contextvars.ContextVar = contextvars.ContextVar("gongzhi_audit_request", default=None)


def client_ip(request) -> str | None:
    if request is None:
        return None
    return client_address(request) or None


@contextmanager
def acting(request):
    """Within this block, changes caught by signals are recorded as ``request.user``'s."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


def current_request():
    return _request.get()


def command_line() -> str:
    """What ran outside a request, for the reason of a row with no actor."""
    program = os.path.basename(sys.argv[0]) if sys.argv else "python"
    verb = next((a for a in sys.argv[1:] if not a.startswith("-")), "")
    return f"outside a request: {program} {verb}".strip()[:200]


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    fields=(),
    reason: str = "",
    request=None,
) -> AuditLog:
    signed_in = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        actor=signed_in,
        actor_name=signed_in.get_username()[:150] if signed_in is not None else "",
        actor_ref=str(signed_in.pk) if signed_in is not None else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        fields=list(fields),
        reason=reason[:200],
        ip_address=client_ip(request),
    )


def record_here(*, action: str, obj: models.Model | None = None, fields=(), reason: str = ""):
    """``record`` for a change caught by a signal: the actor is the person of the current
    request (see ``acting``), or nobody, with the command that ran as the reason."""
    request = current_request()
    actor = getattr(request, "user", None)
    if request is None:
        reason = "; ".join(filter(None, [reason, command_line()]))
    return record(
        actor=actor, action=action, obj=obj, fields=fields, reason=reason, request=request
    )
