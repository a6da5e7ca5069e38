"""Writing to the audit log from services and views.

``record(actor=, action=, ...)`` writes one row. The acting user's name and id are copied
onto the row as text, so it still says who acted after the account is deleted.

Changes caught by signals (a privilege granted in the admin, the shell or a command) do not
know who made them; a view that lets someone make such a change runs it inside
``acting(request)``, and ``current_request()`` then names the person and the address. With
no request at all the row says which command ran (``command_line()``).

The rows form a chain (issue 22, safeguard 3). ``record`` numbers each row with the next
``seq`` and stores ``row_hash = HMAC(key, canonical JSON of the row + prev_hash)``, under a
lock that lets one writer at a time extend the chain (PostgreSQL: a transaction-level
advisory lock; SQLite: its writers already take the database's one write lock at BEGIN).
``verify_rows`` walks the rows again and names the first changed row and any gap.

The hash is keyed, with a key derived from ``SECRET_KEY`` (Django's ``salted_hmac``), so
someone who can write to the database but does not hold the secret key cannot rewrite a row
and recompute the chain after it. A rotated key stays usable: rows hashed under a key now
in ``SECRET_KEY_FALLBACKS`` still verify. An export (``gongzhi audit export``) keeps the
hashes off-site; ``gongzhi audit verify --against FILE`` finds rows changed since.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

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
    named: tuple[str, str, str] | None = None,
) -> AuditLog:
    """``named``: (type, id, text) of an object that is not at hand (a deleted one, say)."""
    signed_in = actor if getattr(actor, "is_authenticated", False) else None
    entry = AuditLog(
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
    if obj is None and named is not None:
        entry.object_type, entry.object_id = named[0][:100], str(named[1])[:64]
        entry.object_repr = str(named[2])[:200]
    return _append(entry)


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


# -- the chain -------------------------------------------------------------------------------

HASH_SALT = "gongzhi.core.audit.chain"
# The advisory lock's key on PostgreSQL: any constant, the same in every process.
CHAIN_LOCK = 0x676F6E677A6869  # "gongzhi"
CONTENT = (
    "seq",
    "at",
    "actor_name",
    "actor_ref",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "fields",
    "reason",
    "ip_address",
)


def _iso(value) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def content(row) -> dict:
    """What a row's hash covers, from a model row or an exported dict."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    data = {name: get(name) for name in CONTENT}
    data["at"] = _iso(data["at"])
    data["fields"] = list(data["fields"] or [])
    data["ip_address"] = data["ip_address"] or None
    return data


def _keys() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def row_hash(row, prev_hash: str, *, secret: str | None = None) -> str:
    text = json.dumps(
        [content(row), prev_hash], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    key = secret if secret is not None else settings.SECRET_KEY
    return salted_hmac(HASH_SALT, text, secret=key, algorithm="sha256").hexdigest()


def hash_matches(row, prev_hash: str, stored: str) -> bool:
    return any(
        hmac.compare_digest(row_hash(row, prev_hash, secret=key), stored or "") for key in _keys()
    )


def _append(entry: AuditLog) -> AuditLog:
    db = router.db_for_write(AuditLog)
    with transaction.atomic(using=db):
        connection = connections[db]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        head = AuditLog.objects.using(db).order_by("-seq").values("seq", "row_hash").first()
        entry.seq = head["seq"] + 1 if head else 1
        entry.prev_hash = head["row_hash"] if head else ""
        entry.at = timezone.now()
        entry.row_hash = row_hash(entry, entry.prev_hash)
        entry.save(using=db, force_insert=True)
    return entry


@dataclass
class Verdict:
    checked: int = 0
    last_seq: int | None = None
    last_hash: str = ""
    problems: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_rows(rows, *, start_seq: int | None = 1, prev_hash: str | None = "") -> Verdict:
    """Walk ``rows`` (in ``seq`` order: model rows or exported dicts) and report each gap and
    the first row whose content or link does not match its hash. ``start_seq=None`` and
    ``prev_hash=None`` take the first row as given (an export that starts mid-chain)."""
    verdict = Verdict()
    expected, previous = start_seq, prev_hash
    for row in rows:
        get = row.get if isinstance(row, dict) else lambda name, row=row: getattr(row, name)
        seq = get("seq")
        if expected is not None and seq != expected:
            verdict.problems.append({"problem": "gap", "expected": expected, "found": seq})
        if previous is None:
            previous = get("prev_hash")
        stored = get("row_hash")
        if get("prev_hash") != previous:
            verdict.problems.append({"problem": "link", "seq": seq})
        elif not hash_matches(row, previous, stored):
            verdict.problems.append({"problem": "changed", "seq": seq})
        verdict.checked += 1
        verdict.last_seq, verdict.last_hash = seq, stored
        expected, previous = seq + 1, stored
    return verdict


def export_line(row: AuditLog) -> str:
    data = content(row)
    data.update(prev_hash=row.prev_hash, row_hash=row.row_hash)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def describe(problem: dict) -> str:
    """One problem ``verify_rows`` found, in words."""
    from django.utils.translation import gettext as _

    kind = problem["problem"]
    if kind == "gap":
        return _("Gap: expected row %(expected)s, found row %(found)s.") % problem
    if kind == "link":
        return _("Row %(seq)s does not follow the row before it.") % problem
    if kind == "changed":
        return _("Row %(seq)s was changed after it was written.") % problem
    return _("Row %(seq)s differs from the export, or is missing.") % problem
