"""Services of the accounts app: revealing masked personal data, audited.

Personal data is masked by default (see ``masking``). Showing a real value is an explicit
action — a POST, never a page load — that goes through ``reveal()``:

* ``check_can_unmask(viewer=, obj=, fields=)`` raises ``PermissionDenied`` unless the viewer
  may see every one of the fields of that object (policy table below, plus scope);
* ``do_unmask(viewer=, obj=, fields=, request=)`` writes an ``unmask`` audit entry and returns
  the real values;
* ``reveal(...)`` does both, and audits a refused attempt as ``unmask_denied``.

Another app makes its model revealable by declaring ``sensitive_fields = {field: kind}`` on
it; the generic view ``accounts:reveal_personal_data``, the template tag ``{% reveal_button %}``
(``gongzhi_masking`` library) and the admin mixin ``MaskedFieldsAdminMixin`` then work
for it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongzhi.core import audit
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
    Role.LAWYER: frozenset(masking.KINDS),
    Role.LEADER: frozenset(),
    Role.RESIDENT: frozenset(),
}

# Units whose work needs a person's full identity whatever the member's role: a legal-aid
# centre checks the applicant's ID, age and address; a notary office identifies the party.
UNMASK_BY_UNIT_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.LEGAL_AID_CENTRE: frozenset(masking.KINDS),
    OrganisationKind.NOTARY_OFFICE: frozenset(masking.KINDS),
}

UNMASK = "unmask"
UNMASK_DENIED = "unmask_denied"


def unmaskable_kinds(viewer) -> frozenset[str]:
    """The kinds of personal data ``viewer``'s roles allow them to unmask."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return frozenset()
    scope = scope_for(viewer)
    kinds: set[str] = set()
    for role in scope.roles:
        kinds |= UNMASK_POLICY.get(role, frozenset())
    for post in scope.posts:
        kinds |= UNMASK_BY_UNIT_KIND.get(post.kind, frozenset())
    return frozenset(kinds)


def _is_own_record(viewer, obj) -> bool:
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
    if _is_own_record(viewer, obj):
        return fields
    declared = masking.sensitive_fields(obj)
    allowed = unmaskable_kinds(viewer)
    refused = [f for f in fields if declared[f] not in allowed]
    if refused:
        raise PermissionDenied(f"your role may not see {', '.join(refused)}")
    if not _is_visible(viewer, obj):
        raise PermissionDenied("this record is outside your scope")
    return fields


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
        checked = check_can_unmask(viewer=viewer, obj=obj, fields=fields)
    except PermissionDenied:
        if getattr(viewer, "is_authenticated", False):
            audit.record(
                actor=viewer,
                action=UNMASK_DENIED,
                obj=obj,
                fields=[f for f in (fields or []) if isinstance(f, str)][:10],
                request=request,
            )
        raise
    return do_unmask(viewer=viewer, obj=obj, fields=checked, request=request, reason=reason)


def masked_values(obj, fields: Iterable[str] | None = None) -> dict[str, str]:
    """``{field: masked value}`` for display."""
    names = list(fields or masking.sensitive_fields(obj))
    return {f: masking.masked_value(obj, f) for f in names}
