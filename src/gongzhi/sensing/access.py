"""Who sees which cameras, devices, readings, alarms and events: one rule.

* **Administrators** see everything.
* **The duty staff of a place** — dispatchers and leaders of a command centre (综治中心) or
  of a township (whose 综治中心 is the township's own office) — see every camera and device
  in the regions their unit serves, whoever owns it: they watch the place.
* **The owner's staff** — anyone but a resident in the unit that owns a camera or device,
  or in a unit above it (a bureau over its police stations) — see it wherever it is. An
  owner unit sees only its own: a 城管 handler does not see the 公安 cameras of their
  county.

Grid workers, departments that own nothing and residents see none. Cameras and devices
carry their region path and owner, so the rule is a filter on the row's own columns;
readings, alarms and events are seen with their camera or device (``scope_q(prefix=...)``).
"""

from __future__ import annotations

from functools import cached_property, reduce
from operator import or_

from django.db.models import Q

from gongzhi.accounts.models import Organisation, OrganisationKind, Role
from gongzhi.core.scope import scope_for

DUTY_KINDS = frozenset({OrganisationKind.COMMAND_CENTRE, OrganisationKind.TOWNSHIP})
DUTY_ROLES = frozenset({Role.DISPATCHER, Role.LEADER})

NOTHING = Q(pk__in=[])
ANYTHING = Q(pk__isnull=False)


class SensingAccess:
    """``everything``, the region paths watched as duty staff, and the units whose cameras
    and devices are the user's (read from the database only when first asked: the menu
    decides for duty staff without it)."""

    def __init__(self, *, everything=False, duty_paths=(), unit_paths=()):
        self.everything = everything
        self.duty_paths: tuple[str, ...] = tuple(duty_paths)
        self.unit_paths: tuple[str, ...] = tuple(unit_paths)

    @cached_property
    def owner_ids(self) -> frozenset[int]:
        if not self.unit_paths:
            return frozenset()
        units = reduce(or_, (Q(path__startswith=p) for p in self.unit_paths))
        return frozenset(Organisation.objects.filter(units).values_list("pk", flat=True))

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.duty_paths or self.owner_ids)

    def sees(self, *, region_path: str, owner_id: int | None) -> bool:
        return (
            self.everything
            or any(region_path.startswith(p) for p in self.duty_paths)
            or owner_id in self.owner_ids
        )


def _minimal(paths) -> tuple[str, ...]:
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def access_for(user) -> SensingAccess:
    """The user's access, built once per user object (a request keeps its user) from the
    scope's posts: no query of its own."""
    if user is None or not getattr(user, "is_authenticated", False):
        return SensingAccess()
    cached = getattr(user, "_gongzhi_sensing_access", None)
    if cached is not None:
        return cached
    scope = scope_for(user)
    if scope.everything:
        access = SensingAccess(everything=True)
    else:
        posts = [p for p in scope.posts if p.role != Role.RESIDENT]
        duty = (p.served for p in posts if p.role in DUTY_ROLES and p.kind in DUTY_KINDS)
        access = SensingAccess(
            duty_paths=_minimal(path for served in duty for path in served),
            unit_paths=_minimal(p.path for p in posts),
        )
    user._gongzhi_sensing_access = access
    return access


def scope_q(user, *, prefix: str = "") -> Q:
    """The rule as a condition on a camera's or device's ``region_path`` and ``owner``
    (``prefix="camera__"`` for an event, ``"device__"`` for a reading or an alarm)."""
    access = access_for(user)
    if access.everything:
        return ANYTHING
    condition = reduce(
        or_, (Q(**{f"{prefix}region_path__startswith": p}) for p in access.duty_paths), NOTHING
    )
    if access.owner_ids:
        condition |= Q(**{f"{prefix}owner_id__in": sorted(access.owner_ids)})
    return condition


def may_manage(user, *, region_path: str, owner_id: int | None) -> bool:
    """Whether ``user`` may register or change a camera or device at this place with this
    owner: administrators, the place's duty staff, and the owner's staff for their own (a
    unit registers nothing it would not then see)."""
    return access_for(user).sees(region_path=region_path, owner_id=owner_id)
