"""Services of the accounts app: revealing masked personal data, audited.

Personal data is masked by default (see ``masking``). Showing a real value is an explicit
action — a POST, never a page load — that goes through ``reveal()``:

* ``check_can_unmask(viewer=, obj=, fields=)`` raises ``PermissionDenied`` unless the viewer
  may see every one of the fields of that object (policy table below, plus scope);
* ``do_unmask(viewer=, obj=, fields=, request=)`` writes an ``unmask`` audit entry and returns
  the real values;
* ``reveal(...)`` does both, and audits a refused attempt as ``unmask_denied``.

Seeing someone else's data also needs a reason (``check_reason``: two Chinese characters or
four letters at least) and stays under a rate per person (``RATE_NAME``, 20 per 10 minutes
unless configured); the first reveal over the rate alerts the administrators once. An
account's ID number is for its owner and the administrators only, members of units outside
the government see nothing of accounts, and the grants a role or a unit has for its legal
work (a lawyer, a legal-aid centre, a notary office) hold only for the records of that work
(the ``legal`` app).

Another app makes its model revealable by declaring ``sensitive_fields = {field: kind}`` on
it; the generic view ``accounts:reveal_personal_data``, the template tag ``{% reveal_button %}``
(``gongzhi_masking`` library) and the admin mixin ``MaskedFieldsAdminMixin`` then work
for it unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.core import audit, ratelimit
from gongzhi.core.errors import NotAllowed
from gongzhi.core.scope import scope_for

from . import masking
from .models import OrganisationKind, Role

# Which kinds of personal data each role may unmask (beyond a person's own data, which
# everyone may see). Administrators may see everything; the others only what their work
# needs: call a requester back, meet the parties of a dispute, file a legal-aid case.
UNMASK_POLICY: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(masking.KINDS),
    Role.DISPATCHER: frozenset({masking.NAME, masking.MOBILE}),
    Role.HOTLINE_OPERATOR: frozenset({masking.NAME, masking.MOBILE}),
    Role.HANDLER: frozenset({masking.NAME, masking.MOBILE}),
    Role.GRID_WORKER: frozenset({masking.NAME, masking.MOBILE, masking.ADDRESS}),
    Role.MEDIATOR: frozenset({masking.NAME, masking.MOBILE, masking.ADDRESS}),
    Role.LAWYER: frozenset(masking.KINDS),  # for the records of legal work only (WORK_APPS)
    Role.LEADER: frozenset(),
    Role.RESIDENT: frozenset(),
}

# Units whose work needs a person's full identity whatever the member's role: a legal-aid
# centre checks the applicant's ID, age and address; a notary office identifies the party.
UNMASK_BY_UNIT_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.LEGAL_AID_CENTRE: frozenset(masking.KINDS),
    OrganisationKind.NOTARY_OFFICE: frozenset(masking.KINDS),
}

# Grants that hold only for the records of one kind of work: a lawyer sees an aid applicant's
# ID number, never a township official's.
WORK_APPS: dict[str, str] = {
    Role.LAWYER: "legal",
    OrganisationKind.LEGAL_AID_CENTRE: "legal",
    OrganisationKind.NOTARY_OFFICE: "legal",
}

# Accounts (staff and residents who sign in): a colleague may call one back as the policy
# allows, but an account's ID number is for its owner and the administrators only, and the
# members of units outside the government (a law firm, a property company …) see nothing
# of an account: their work is with the people of their cases, not with officials.
ACCOUNT_RECORDS = frozenset({"accounts.user"})
ACCOUNT_KINDS_FOR_ADMINISTRATORS = frozenset({masking.ID_NUMBER})
EXTERNAL_UNITS = frozenset(
    {
        OrganisationKind.LAW_FIRM,
        OrganisationKind.LEGAL_AID_CENTRE,
        OrganisationKind.NOTARY_OFFICE,
        OrganisationKind.PROPERTY_COMPANY,
    }
)

UNMASK = "unmask"
UNMASK_DENIED = "unmask_denied"

RATE_NAME = "reveal"
DEFAULT_RATE = "20/10m"
BULK_REVEAL = "security.bulk_reveal"
# A reason must say something: "回访" (two characters that each carry a word) or four
# letters or digits; the same character repeated is no reason.
MIN_REASON_WEIGHT = 4


class RevealRefused(NotAllowed, PermissionDenied):
    """A reveal refused for how it was asked (no reason, too many): a ``ServiceError`` for
    the API's structured answer, and a ``PermissionDenied`` for callers that catch only that."""

    def __init__(self, code: str, message: str, field: str | None = None, *, status: int = 403):
        super().__init__(code, message, field)
        self.status = status


def _reason_weight(reason: str) -> int:
    letters = [c for c in reason if c.isalnum()]
    if len(set(letters)) < 2:
        return 0
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in letters)  # CJK and beyond: a word each


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if _reason_weight(reason) < MIN_REASON_WEIGHT:
        raise RevealRefused(
            "reason_required",
            _("Say why you need to see this personal data (at least two Chinese characters)."),
            "reason",
            status=400,
        )
    return reason


def reveal_rate() -> str:
    return ratelimit.rate(RATE_NAME) or os.environ.get("GONGZHI_RATE_LIMIT_REVEAL", DEFAULT_RATE)


def administrators():
    from .models import User

    return User.objects.filter(
        Q(is_superuser=True) | Q(memberships__role=Role.ADMINISTRATOR), is_active=True
    ).distinct()


def security_administrators():
    """Who hears of a security event (三员分立: the security administrators); where none is
    appointed yet, the administrators, so that no alert goes unheard."""
    from .models import User

    appointed = User.objects.filter(
        memberships__role=Role.SECURITY_ADMIN,
        memberships__organisation__is_active=True,
        is_active=True,
    ).distinct()
    return appointed if appointed.exists() else administrators()


def _alert_bulk_reveal(viewer, rate: str) -> None:
    # The notify app sits above accounts: it listens for this signal and tells the
    # security administrators (``notify.receivers``).
    from .signals import reveal_limit_reached

    reveal_limit_reached.send(sender=type(viewer), viewer=viewer, rate=rate, kind=BULK_REVEAL)


def check_rate(viewer) -> None:
    """Count one reveal of ``viewer``'s; refuse it over the rate, alerting once a period."""
    parsed = ratelimit.parse(reveal_rate())
    if parsed is None:
        return
    hits, retry_after = ratelimit.hit(RATE_NAME, f"user:{viewer.pk}", parsed.period)
    if hits <= parsed.limit:
        return
    if hits == parsed.limit + 1:
        _alert_bulk_reveal(viewer, reveal_rate())
    raise RevealRefused(
        "reveal_rate_limited",
        _("You have seen a lot of personal data in a short time: try again in %(n)d minutes.")
        % {"n": max(1, -(-retry_after // 60))},
        status=429,
    )


def unmaskable_kinds(viewer, obj=None) -> frozenset[str]:
    """The kinds of personal data ``viewer``'s roles allow them to unmask (of ``obj``, when
    given: grants bound to a kind of work count only for that work's records)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return frozenset()
    scope = scope_for(viewer)
    app = obj._meta.app_label if obj is not None else None

    def applies(grantor: str) -> bool:
        return app is None or WORK_APPS.get(grantor, app) == app

    kinds: set[str] = set()
    for role in scope.roles:
        if applies(role):
            kinds |= UNMASK_POLICY.get(role, frozenset())
    for post in scope.posts:
        if applies(post.kind):
            kinds |= UNMASK_BY_UNIT_KIND.get(post.kind, frozenset())
    return frozenset(kinds)


def is_own_record(viewer, obj) -> bool:
    return obj._meta.label_lower == viewer._meta.label_lower and obj.pk == viewer.pk


def _is_visible(viewer, obj) -> bool:
    scope = scope_for(viewer)
    if scope.everything:
        return True
    manager = type(obj)._default_manager
    if not hasattr(manager, "visible_to"):
        return False  # an unscoped model: only administrators may unmask its data
    return manager.visible_to(viewer).filter(pk=obj.pk).exists()


def _normalise_fields(obj, fields: Iterable[str] | None) -> list[str]:
    declared = masking.sensitive_fields(obj)
    wanted = list(dict.fromkeys(fields or declared))  # keep order, drop repeats
    unknown = [f for f in wanted if f not in declared]
    if unknown or not wanted:
        raise PermissionDenied(f"not personal data of {type(obj).__name__}: {unknown}")
    return wanted


def can_unmask(*, viewer, obj, fields: Iterable[str] | None = None) -> bool:
    try:
        check_can_unmask(viewer=viewer, obj=obj, fields=fields)
    except PermissionDenied:
        return False
    return True


def check_can_unmask(*, viewer, obj, fields: Iterable[str] | None = None) -> list[str]:
    """The fields to reveal, if ``viewer`` may see them all; else ``PermissionDenied``."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        raise PermissionDenied("log in to see personal data")
    fields = _normalise_fields(obj, fields)
    if is_own_record(viewer, obj):
        return fields
    declared = masking.sensitive_fields(obj)
    if obj._meta.label_lower in ACCOUNT_RECORDS:
        _check_account_record(viewer, [declared[f] for f in fields])
    allowed = unmaskable_kinds(viewer, obj)
    refused = [f for f in fields if declared[f] not in allowed]
    if refused:
        raise PermissionDenied(f"your role may not see {', '.join(refused)}")
    if not _is_visible(viewer, obj):
        raise PermissionDenied("this record is outside your scope")
    return fields


def _check_account_record(viewer, kinds: list[str]) -> None:
    scope = scope_for(viewer)
    if scope.everything:
        return
    if ACCOUNT_KINDS_FOR_ADMINISTRATORS.intersection(kinds):
        raise PermissionDenied("an account's ID number is for administrators only")
    if all(post.kind in EXTERNAL_UNITS for post in scope.posts):
        raise PermissionDenied("units outside the government may not see accounts' data")


def check_can_reveal(*, viewer, obj, fields: Iterable[str] | None = None, reason: str = ""):
    """``check_can_unmask`` plus what a reveal of someone else's data needs: a reason, and
    the viewer under their rate (counted here). Returns (fields, reason)."""
    fields = check_can_unmask(viewer=viewer, obj=obj, fields=fields)
    if is_own_record(viewer, obj):
        return fields, (reason or "").strip()
    reason = check_reason(reason)
    check_rate(viewer)
    return fields, reason


def do_unmask(*, viewer, obj, fields: list[str], request=None, reason: str = "") -> dict[str, str]:
    """Write the audit entry and return ``{field: real value}``. Call after the check."""
    with transaction.atomic():
        audit.record(
            actor=viewer, action=UNMASK, obj=obj, fields=fields, reason=reason, request=request
        )
    return {f: getattr(obj, f) or "" for f in fields}


def reveal(
    *, viewer, obj, fields: Iterable[str] | None = None, request=None, reason: str = ""
) -> dict[str, str]:
    """Check, audit and return the real values of ``fields`` (all declared ones if None)."""
    try:
        checked, reason = check_can_reveal(viewer=viewer, obj=obj, fields=fields, reason=reason)
    except PermissionDenied as refusal:
        if getattr(viewer, "is_authenticated", False):
            audit.record(
                actor=viewer,
                action=UNMASK_DENIED,
                obj=obj,
                fields=[f for f in (fields or []) if isinstance(f, str)][:10],
                reason=getattr(refusal, "code", "") or (reason or "").strip(),
                request=request,
            )
        raise
    return do_unmask(viewer=viewer, obj=obj, fields=checked, request=request, reason=reason)


def masked_values(obj, fields: Iterable[str] | None = None) -> dict[str, str]:
    """``{field: masked value}`` for display."""
    names = list(fields or masking.sensitive_fields(obj))
    return {f: masking.masked_value(obj, f) for f in names}
