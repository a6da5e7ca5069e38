"""移风易俗: the only module other code calls to write this room's records.

- ``do_register``: a household registers a wedding or funeral with its village's 红白理事会
  (a resident for their own household, the committee for any household of the village).
  The caps are checked and every figure above one is saved as a warning: never a block.
- ``do_step``: the council's table (acknowledge, hold, cancel; ``workflow``).
- ``do_save_rule``: the committee sets its village's caps (oversight staff theirs).

Everything is validated before anything is written; bad input raises ``ServiceError``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.people import members
from gongzhi.regions.models import Region, RegionLevel

from ..choices import CeremonyKind
from ..models import Ceremony, CustomRule
from . import rules
from .workflow import FLOW

FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
# Bounds that refuse typing slips, far above any village's ceremony.
LIMITS = {"days": (1, 30), "guests": (0, 10_000), "tables": (0, 1_000), "gift": (0, 1_000_000)}
CAP_LIMITS = {
    "max_tables": 1_000,
    "max_guests": 10_000,
    "max_gift": 1_000_000,
    "max_days": 30,
}


@dataclass
class Registration:
    household_id: object
    kind: object
    date: object
    days: object = 1
    guests: object = None
    tables: object = None
    gift: object = 0
    place: str = ""
    note: str = ""


def _int(value, field, label, low, high) -> int:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip()) if value not in (None, "") else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        raise ServiceError(
            "required", _("Give %(label)s as a whole number.") % {"label": label}, field
        )
    if not low <= number <= high:
        raise ServiceError(
            "out_of_range",
            _("%(label)s must be between %(low)d and %(high)d.")
            % {"label": label, "low": low, "high": high},
            field,
        )
    return number


def _date(value) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise ServiceError("required", _("Give the date (YYYY-MM-DD)."), "date")
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ServiceError("out_of_range", _("The date must be between 2000 and 2099."), "date")
    return value


def _text(value, field, label, max_length) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ServiceError("invalid", _("%(label)s must be text.") % {"label": label}, field)
    if len(text) > max_length:
        raise ServiceError(
            "too_long",
            _("%(label)s is too long (at most %(n)d characters).")
            % {"label": label, "n": max_length},
            field,
        )
    return text


def registrable_households(actor):
    """The households this person may register for: their own, and every household of
    the villages whose committee they are on."""
    from gongzhi.people.models import Household

    scope = scope_for(actor)
    if scope.everything:
        return Household.objects.all()
    from django.db.models import Q

    q = Q(pk__in=[])
    for path in members.committee_paths(scope):
        q |= Q(region_path__startswith=path)
    me = members.villager(actor)
    if me is not None:
        q |= Q(pk=me.household_id)
    return Household.objects.filter(q)


def check_register(*, actor, registration: Registration) -> dict:
    """The cleaned fields of a registration, with its warnings; raises for bad input."""
    r = registration
    kind = r.kind if r.kind in CeremonyKind.values else None
    if kind is None:
        raise ServiceError("invalid", _("Choose a wedding or a funeral."), "kind")
    date = _date(r.date)
    figures = {
        "days": _int(r.days, "days", _("the number of days"), *LIMITS["days"]),
        "guests": _int(r.guests, "guests", _("the number of guests"), *LIMITS["guests"]),
        "tables": _int(r.tables, "tables", _("the number of tables"), *LIMITS["tables"]),
        "gift": _int(r.gift, "gift", _("the largest cash gift"), *LIMITS["gift"]),
    }
    place = _text(r.place, "place", _("the place"), 200)
    note = _text(r.note, "note", _("the note"), 2000)
    try:
        household_id = int(r.household_id)
    except (TypeError, ValueError):
        household_id = None
    household = (
        registrable_households(actor).filter(pk=household_id).first()
        if household_id is not None
        else None
    )
    if household is None:
        # A household out of the person's reach is "no such household", as a missing one.
        raise ServiceError("invalid", _("There is no such household."), "household")
    rule = rules.rule_for(household.region_path, kind)
    return {
        "household": household,
        "kind": kind,
        "date": date,
        "place": place,
        "note": note,
        **figures,
        "warnings": rules.warnings_for(rule, **figures),
    }


def do_register(*, actor, registration: Registration, now=None) -> Ceremony:
    cleaned = check_register(actor=actor, registration=registration)
    household = cleaned.pop("household")
    with transaction.atomic():
        ceremony = Ceremony(
            household=household,
            region_id=household.region_id,
            region_path=household.region_path,
            registered_by=actor,
            **cleaned,
        )
        ceremony.save()
        if now is not None:  # the demo's history, registered in the past
            Ceremony.objects.filter(pk=ceremony.pk).update(created_at=now, updated_at=now)
        FLOW.record(
            ceremony,
            "register",
            actor=actor,
            now=now or timezone.now(),
            tell=False,
            data={"warnings": len(ceremony.warnings)},
        )
    return ceremony


def visible(actor):
    """What a person sees: their area's registrations as staff, their own household's as a
    resident (a household's plans are its own business, not the neighbours')."""
    from django.db.models import Q

    scope = scope_for(actor)
    if scope.everything:
        return Ceremony.objects.all()
    q = Q(pk__in=[])
    for path in members.staff_paths(scope):
        q |= Q(region_path__startswith=path)
    me = members.villager(actor)
    if me is not None:
        q |= Q(household_id=me.household_id)
    return Ceremony.objects.filter(q)


def get_ceremony(*, actor, pk) -> Ceremony:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    found = (
        visible(actor).select_related("region", "household", "registered_by").filter(pk=pk).first()
        if pk
        else None
    )
    if found is None:
        raise NotFound("not_found", _("The registration does not exist."))
    return found


def do_step(*, actor, pk, action: str, note: str = "", expected_state=None, now=None):
    ceremony = get_ceremony(actor=actor, pk=pk)  # scoping first: out of reach is not found
    return FLOW.transition(
        pk=ceremony.pk,
        action=action,
        actor=actor,
        expected_state=expected_state,
        now=now,
        note=note,
    )


# -- the rules ---------------------------------------------------------------------------


def may_edit_rules(actor, region) -> bool:
    """The committee for its village; township, county and city staff for their area
    (a row for a township or county applies to all its villages)."""
    scope = scope_for(actor)
    if scope.everything:
        return True
    if region.level == RegionLevel.COMMUNITY and members.covers(
        members.committee_paths(scope), region.path
    ):
        return True
    return members.covers(members.oversight_paths(scope), region.path)


def editable_regions(actor):
    scope = scope_for(actor)
    if scope.everything:
        return Region.objects.all()
    from django.db.models import Q

    q = Q(pk__in=[])
    for path in members.committee_paths(scope):
        q |= Q(path__startswith=path, level=RegionLevel.COMMUNITY)
    for path in members.oversight_paths(scope):
        q |= Q(path__startswith=path)
    return Region.objects.filter(q)


def rules_in_view(actor, region):
    """The rows that bear on a region: its own and those above it (its township's, county's,
    the city's), most specific first."""
    rows = CustomRule.objects.filter(region_path__in=rules.ancestors(region.path)).select_related(
        "region"
    )
    return sorted(rows, key=lambda r: (-len(r.region_path), r.kind))


def do_save_rule(
    *,
    actor,
    region_id,
    kind,
    max_tables=None,
    max_guests=None,
    max_gift=None,
    max_days=None,
    note="",
    enabled=True,
    now=None,
) -> CustomRule:
    """Create or change the region's row for a kind (an empty cap: none)."""
    if kind not in CeremonyKind.values:
        raise ServiceError("invalid", _("Choose a wedding or a funeral."), "kind")
    try:
        region = Region.objects.filter(pk=int(region_id)).first()
    except (TypeError, ValueError):
        region = None
    if region is None:
        raise ServiceError("invalid", _("There is no such region."), "region")
    if not may_edit_rules(actor, region):
        raise NotAllowed(
            "not_permitted", _("You may not set the rules of %(region)s.") % {"region": region.name}
        )
    labels = {
        "max_tables": _("the cap on tables"),
        "max_guests": _("the cap on guests"),
        "max_gift": _("the cap on the cash gift"),
        "max_days": _("the cap on days"),
    }
    given = {
        "max_tables": max_tables,
        "max_guests": max_guests,
        "max_gift": max_gift,
        "max_days": max_days,
    }
    caps = {}
    for field, value in given.items():
        if value in (None, ""):
            caps[field] = None
        else:
            low = 1 if field == "max_days" else 0
            caps[field] = _int(value, field, labels[field], low, CAP_LIMITS[field])
    note = _text(note, "note", _("the note"), 200)
    with transaction.atomic():
        row, _created = CustomRule.objects.select_for_update().get_or_create(
            region=region,
            kind=kind,
            defaults={"region_path": region.path, **caps, "note": note, "enabled": bool(enabled)},
        )
        if not _created:
            for field, value in caps.items():
                setattr(row, field, value)
            row.note, row.enabled = note, bool(enabled)
            row.save()
    return row
