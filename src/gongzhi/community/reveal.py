"""Names and phones on the community rooms' staff lists (who has not read a notice, the
points desk's households, the 移风易俗 registrations).

They are masked by default. The staff of the place whose role may unmask names and phones
(``accounts.services.UNMASK_POLICY``: a handler or grid worker, not a leader) can ask for
them, and every person shown is written to the audit log (action ``unmask``, as the
volunteers' desk does per volunteer); a refused request is logged as ``unmask_denied``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.accounts import masking
from gongzhi.accounts.services import UNMASK, UNMASK_DENIED, unmaskable_kinds
from gongzhi.core import audit
from gongzhi.core.errors import NotAllowed
from gongzhi.core.scope import scope_for
from gongzhi.people import members

FIELDS = ("name", "phone")
NEEDS = frozenset({masking.NAME, masking.MOBILE})


def may_reveal(user, region_path: str | None) -> bool:
    """Staff of the place (its committee, or those overseeing it) whose role may unmask
    names and phones (``region_path=None``: the role alone, for a list with nobody in it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not NEEDS <= unmaskable_kinds(user):
        return False
    if region_path is None:
        return True
    scope = scope_for(user)
    return scope.everything or members.covers(members.staff_paths(scope), region_path)


def check_reveal(*, request, region_path: str | None, obj=None, reason: str = "") -> None:
    """Refuse (403, audited) unless ``may_reveal``."""
    if may_reveal(request.user, region_path):
        return
    if getattr(request.user, "is_authenticated", False):
        audit.record(
            actor=request.user,
            action=UNMASK_DENIED,
            obj=obj,
            fields=list(FIELDS),
            reason=reason,
            request=request,
        )
    raise NotAllowed(
        "not_permitted", _("Your role may not see the names and phones of this place."), "reveal"
    )


def record(request, people, *, reason: str) -> None:
    """One audit row per person whose name and phone were shown."""
    for person in people:
        if person is None:
            continue
        audit.record(
            actor=request.user,
            action=UNMASK,
            obj=person,
            fields=list(FIELDS),
            reason=reason,
            request=request,
        )


def opened(request, rows, *, head, reason: str) -> set[int]:
    """The pks of ``rows`` (each with a ``region_path``) the viewer may see by name, each
    head shown (``head(row)``) audited once; refused (403, audited) when none is: a
    leader, a resident, someone outside the places."""
    found = {r.pk for r in rows if may_reveal(request.user, r.region_path)}
    if not found:
        first = rows[0] if rows else None
        check_reveal(
            request=request,
            region_path=first.region_path if first is not None else None,
            obj=first,
            reason=reason,
        )
    people = {}
    for r in rows:
        person = head(r) if r.pk in found else None
        if person is not None:
            people[person.pk] = person
    record(request, people.values(), reason=reason)
    return found


def shown(person, *, reveal: bool) -> tuple[str, str]:
    """(name, phone) of a household's head, masked unless revealed."""
    if person is None:
        return "", ""
    if reveal:
        return person.name, person.phone
    return masking.mask_name(person.name), masking.mask_mobile(person.phone)
