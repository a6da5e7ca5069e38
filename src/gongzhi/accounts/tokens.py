"""API tokens: issued (the token shown once), checked on each request, revoked.

A token is 32 random bytes, so a plain SHA-256 of it is as good as a slow password hash
and lets a request find its row through a unique index. Issuing and revoking are written
to the audit log (never the token itself).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.core import audit

from .models import ApiToken, User

PREFIX = "gz_"
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def fill_new_key(token: ApiToken) -> str:
    """Give an unsaved token a fresh key; returns the key, which is stored only hashed."""
    raw = PREFIX + secrets.token_urlsafe(32)
    token.prefix, token.key_hash = raw[:10], _hash(raw)
    return raw


def record_issue(*, token: ApiToken, actor=None, request=None) -> None:
    """Audit a token just issued: by whom (or which command), acting as whom, until when."""
    until = token.expires_at.isoformat() if token.expires_at else "never expires"
    reason = f"acts as {token.user.get_username()}; {until}"
    if actor is None and request is None:
        reason = f"{reason}; {audit.command_line()}"
    audit.record(actor=actor, action="token_issue", obj=token, reason=reason, request=request)


def do_issue(
    *,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    actor=None,
    request=None,
) -> tuple[ApiToken, str]:
    """Create a token acting as ``user``; returns the row and the token (shown once)."""
    token = ApiToken(name=name.strip()[:100] or "api", user=user, expires_at=expires_at)
    raw = fill_new_key(token)
    with transaction.atomic():
        token.save()
        record_issue(token=token, actor=actor, request=request)
    return token, raw


def do_revoke(*, token: ApiToken, actor=None, request=None) -> None:
    if token.revoked_at is None:
        with transaction.atomic():
            revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            if revoked:
                reason = audit.command_line() if actor is None and request is None else ""
                audit.record(
                    actor=actor, action="token_revoke", obj=token, reason=reason, request=request
                )


def token_for(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token (with its user) for ``raw``, or None: unknown, revoked, expired, or
    its user was deactivated."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    now = now or timezone.now()
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at <= now)
        or not token.user.is_active
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
