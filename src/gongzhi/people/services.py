"""The register and its care groups: add and change houses, households and residents,
enrol residents in care groups, reveal personal data. The only module other apps import;
pages, the import and the API call these with keyword-only arguments.

``check_*`` validates and checks access and writes nothing; ``do_*`` checks again and
writes in one transaction. Input problems are ``ServiceError``s naming their field (all of
them at once, ``ServiceError.first_of``); a record outside the user's area is ``NotFound``,
an action their role may not take ``NotAllowed``, a record that moved on ``Conflict``.

Who may write: whoever governs the place in the register (``access.PeopleAccess.governs``:
the grid's worker, the community, township and county staff, administrators). Units that
see a resident only through a care group (a justice office, a police station) read, and
enrol in the groups they may see; they do not edit the register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import masking
from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.regions.models import Grid, GridAssignment, Region, RegionLevel

from . import validation as v
from .access import access_for, may_see_group
from .choices import HouseUse, LeftReason, Registration, Relation, VisitState
from .models import (
    Building,
    CareGroup,
    CareLevel,
    CareMembership,
    CheckInPlan,
    House,
    Household,
    Placed,
    Resident,
    Stay,
    Visit,
)

# -- input -------------------------------------------------------------------------------------


@dataclass
class BuildingIn:
    name: str
    address: str
    grid_id: int | None = None
    region_id: int | None = None
    lng: float | None = None
    lat: float | None = None
    floors: int | None = None


@dataclass
class HouseIn:
    address: str
    building_id: int | None = None
    grid_id: int | None = None
    region_id: int | None = None
    lng: float | None = None
    lat: float | None = None
    use: str = HouseUse.OWN
    area: str | Decimal | None = None
    owner_name: str = ""
    owner_id_number: str = ""
    owner_phone: str = ""


@dataclass
class HouseholdIn:
    house_id: int | None
    number: str = ""
    kind: str = Registration.REGISTERED


@dataclass
class StayIn:
    """A stay in a rented house: from ``since`` (the day they moved in, if not given) until
    ``until`` (required), in ``house_id`` (the household's house, if not given)."""

    until: dt.date | None = None
    since: dt.date | None = None
    house_id: int | None = None
    landlord_note: str = ""


@dataclass
class ResidentIn:
    name: str
    id_number: str
    household_id: int | None
    phone: str = ""
    relation: str = Relation.OTHER
    kind: str = Registration.REGISTERED
    moved_in: dt.date | None = None
    # A tenant's or lodger's stay (required for ``Relation.TENANT``).
    stay: StayIn | None = None


# -- shared checks -----------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _governs(actor, record) -> bool:
    return access_for(actor).governs(grid_id=record.grid_id, region_path=record.region_path)


def _check_writable(actor, record, queryset) -> None:
    """A record the actor may change: NotFound outside their view, NotAllowed when they see
    it only through a care group."""
    if not queryset.visible_to(actor).filter(pk=record.pk).exists():
        raise NotFound("not_found", _("There is no such record in your area."))
    if not _governs(actor, record):
        raise NotAllowed(
            "not_permitted", _("Only the staff of this place may change the register.")
        )


def _check_point(lng, lat, errors: list[ServiceError]) -> tuple[float | None, float | None]:
    if lng in (None, "") and lat in (None, ""):
        return None, None
    try:
        lng, lat = float(lng), float(lat)
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValueError
    except (TypeError, ValueError):
        errors.append(ServiceError("invalid_point", _("The position is not valid."), "point"))
        return None, None
    return lng, lat


def _check_place(
    actor, *, grid_id, region_id, lng, lat, errors: list[ServiceError]
) -> tuple[Region | None, Grid | None]:
    """The community and grid of a new building or house: the grid named, else the grid
    holding the point, else the community named; within the actor's register."""
    grid = None
    if grid_id:
        grid = Grid.objects.filter(pk=grid_id, is_active=True).select_related("community").first()
        if grid is None:
            errors.append(ServiceError("invalid", _("Choose one of the grids."), "grid"))
            return None, None
    elif lng is not None:
        from gongzhi.regions import lookup

        hit = lookup.locate(lng, lat)
        if hit is not None:
            grid = Grid.objects.select_related("community").filter(pk=hit.grid_id).first()
    if grid is not None:
        region = grid.community
    elif region_id:
        region = Region.objects.filter(pk=region_id, level=RegionLevel.COMMUNITY).first()
        if region is None:
            errors.append(ServiceError("invalid", _("Choose a community or village."), "region"))
            return None, None
    else:
        errors.append(ServiceError("required", _("Say which grid it is in."), "grid"))
        return None, None
    if not access_for(actor).governs(grid_id=grid.pk if grid else None, region_path=region.path):
        errors.append(v.out_of_scope_error("grid"))
    return region, grid


# -- buildings, houses, households ---------------------------------------------------------------


def check_building(*, data: BuildingIn, actor) -> dict:
    errors: list[ServiceError] = []
    name = v.clean_text(data.name)
    if not name or len(name) > 100:
        errors.append(ServiceError("required", _("Give the building a name or number."), "name"))
    address = v.check_address(data.address, errors, message=_("Give the building's address."))
    lng, lat = _check_point(data.lng, data.lat, errors)
    region, grid = _check_place(
        actor, grid_id=data.grid_id, region_id=data.region_id, lng=lng, lat=lat, errors=errors
    )
    floors = data.floors
    if floors not in (None, "") and not (1 <= int(floors) <= 200):
        errors.append(ServiceError("invalid", _("A building has 1 to 200 floors."), "floors"))
    if errors:
        raise ServiceError.first_of(errors)
    return {
        "name": name,
        "address": address,
        "lng": lng,
        "lat": lat,
        "floors": int(floors) if floors not in (None, "") else None,
        "region": region,
        "grid": grid,
        "region_path": region.path,
    }


def do_add_building(*, data: BuildingIn, actor) -> Building:
    return Building.objects.create(**check_building(data=data, actor=actor))


def check_building_update(*, building: Building, data: BuildingIn, actor) -> dict:
    """A correction of a building (its name, address, floors, point, grid): the same rules
    as a new one, by whoever governs it."""
    _check_writable(actor, building, Building.objects)
    return check_building(data=data, actor=actor)


def do_update_building(*, building: Building, data: BuildingIn, actor) -> Building:
    """Correct a building. Moved to another grid or community, its houses go with it, and
    their households and residents, in the same transaction (a house in a building is
    always where its building is)."""
    fields = check_building_update(building=building, data=data, actor=actor)
    with transaction.atomic():
        row = Building.objects.select_for_update().get(pk=building.pk)
        old = (row.region_id, row.grid_id, row.region_path)
        for name, value in fields.items():
            setattr(row, name, value)
        row.save()
        if _moved(row, old):
            _move_houses(House.objects.filter(building=row), row, old)
    return row


def check_house(*, data: HouseIn, actor) -> dict:
    errors: list[ServiceError] = []
    address = v.check_address(data.address, errors)
    lng, lat = _check_point(data.lng, data.lat, errors)
    building = None
    if data.building_id:
        building = Building.objects.visible_to(actor).filter(pk=data.building_id).first()
        if building is None:
            errors.append(ServiceError("invalid", _("Choose a building in your area."), "building"))
    if building is not None:
        # A house in a building is where the building is: a grid left empty is the
        # building's, another grid is a mistake to point out rather than to guess at.
        region, grid = building.region, building.grid
        if data.grid_id and data.grid_id != building.grid_id:
            errors.append(
                ServiceError(
                    "building_elsewhere",
                    _("This building is in another grid: choose its grid or another building."),
                    "building",
                )
            )
        if lng is None:
            lng, lat = building.lng, building.lat
        if not _governs(actor, building):
            errors.append(v.out_of_scope_error("building"))
    else:
        region, grid = _check_place(
            actor, grid_id=data.grid_id, region_id=data.region_id, lng=lng, lat=lat, errors=errors
        )
    if data.use not in HouseUse.values:
        errors.append(ServiceError("invalid", _("Choose what the house is used for."), "use"))
    area = None
    if data.area not in (None, ""):
        try:
            area = Decimal(str(data.area)).quantize(Decimal("0.01"))
            if not (0 < area < 100_000):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(ServiceError("invalid", _("The floor area is not valid."), "area"))
    owner_id = ""
    if (data.owner_id_number or "").strip():
        parsed = v.check_id_number(data.owner_id_number, errors, "owner_id_number")
        owner_id = parsed.number if parsed is not None else ""
    owner_phone = v.check_phone(data.owner_phone, errors, "owner_phone")
    if errors:
        raise ServiceError.first_of(errors)
    return {
        "building": building,
        "address": address,
        "lng": lng,
        "lat": lat,
        "use": data.use,
        "area": area,
        "owner_name": v.clean_text(data.owner_name)[:100],
        "owner_id_number": owner_id,
        "owner_phone": owner_phone,
        "region": region,
        "grid": grid,
        "region_path": region.path,
    }


def do_add_house(*, data: HouseIn, actor) -> House:
    return House.objects.create(**check_house(data=data, actor=actor))


def check_house_update(*, house: House, data: HouseIn, actor) -> dict:
    """A correction of a house (its use, address, area, owner, grid): the same rules as a
    new one, by whoever governs it."""
    _check_writable(actor, house, House.objects)
    return check_house(data=data, actor=actor)


def _carry_place(residents, place: Placed, old: tuple) -> None:
    """The residents follow their house or household to its new place (``old`` is where it
    was: region, grid, path), with what is copied from them for scoping: current care, due
    visits, open daily check-ins. Past care and visits stay where they happened."""
    where = {"grid_id": place.grid_id, "region_path": place.region_path}
    ids = residents.values("pk")
    Resident.objects.filter(pk__in=ids).update(
        region_id=place.region_id, updated_at=timezone.now(), **where
    )
    CareMembership.objects.current().filter(resident__in=ids).update(**where)
    Visit.objects.filter(resident__in=ids, state=VisitState.DUE).update(**where)
    CheckInPlan.objects.filter(resident__in=ids, ended_on__isnull=True).update(**where)
    if old[1] != place.grid_id:
        _reassign_workers(ids, place.grid_id)


def _grid_worker_id(grid_id: int | None) -> int | None:
    """The grid's worker: a full-time one first (as ``check_enrol`` picks)."""
    if grid_id is None:
        return None
    return (
        GridAssignment.objects.filter(grid_id=grid_id, user__is_active=True)
        .order_by(*_primary_first())
        .values_list("user_id", flat=True)
        .first()
    )


def _reassign_workers(ids, grid_id: int | None) -> None:
    """People who moved grid get that grid's worker: the old grid's worker can no longer
    see them. A worker who also works the new grid keeps them. Only open groups have a grid
    worker (a restricted group's members are not the grid's to visit); due visits follow
    their care's worker, open daily check-ins the grid's."""
    new = _grid_worker_id(grid_id)
    kept = GridAssignment.objects.filter(grid_id=grid_id or 0).values("user_id")
    now = timezone.now()
    # ``exclude`` also takes the rows with no worker: they get the new grid's.
    CareMembership.objects.current().filter(resident__in=ids, group__open_to_local=True).exclude(
        worker__in=kept
    ).update(worker_id=new, updated_at=now)
    worker = CareMembership.objects.filter(pk=OuterRef("membership_id")).values("worker_id")
    Visit.objects.filter(resident__in=ids, state=VisitState.DUE, group__open_to_local=True).update(
        worker_id=Subquery(worker[:1]), updated_at=now
    )
    CheckInPlan.objects.filter(resident__in=ids, ended_on__isnull=True).exclude(
        worker__in=kept
    ).update(worker_id=new, updated_at=now)


def _moved(row: Placed, old: tuple) -> bool:
    return (row.region_id, row.grid_id, row.region_path) != old


def _move_houses(houses, place: Placed, old: tuple) -> None:
    """Houses (and their households and residents) to a building's or a house's place."""
    now = timezone.now()
    where = {
        "region_id": place.region_id,
        "grid_id": place.grid_id,
        "region_path": place.region_path,
    }
    houses.update(updated_at=now, **where)
    ids = houses.values("pk")
    Household.objects.filter(house__in=ids).update(updated_at=now, **where)
    _carry_place(Resident.objects.filter(household__house__in=ids), place, old)


def do_update_house(*, house: House, data: HouseIn, actor) -> House:
    """Correct a house. Moved to another grid or community, its households and residents
    go with it in the same transaction."""
    fields = check_house_update(house=house, data=data, actor=actor)
    with transaction.atomic():
        row = House.objects.select_for_update().get(pk=house.pk)
        old = (row.region_id, row.grid_id, row.region_path)
        for name, value in fields.items():
            setattr(row, name, value)
        row.save()
        if _moved(row, old):
            _move_houses(House.objects.filter(pk=row.pk), row, old)
    return row


def check_household(*, data: HouseholdIn, actor, household: Household | None = None) -> dict:
    errors: list[ServiceError] = []
    house = (
        House.objects.visible_to(actor).filter(pk=data.house_id).first() if data.house_id else None
    )
    if house is None:
        errors.append(ServiceError("required", _("Choose a house in your area."), "house"))
    elif not _governs(actor, house):
        errors.append(v.out_of_scope_error("house"))
    count = len(errors)
    number = v.check_household_number(data.number, errors)
    taken = len(errors) == count and house is not None and number
    same = house.households.filter(number=number) if taken else None
    if same is not None and household is not None:
        same = same.exclude(pk=household.pk)  # a household keeps its own number
    if same is not None and same.exists():
        errors.append(
            ServiceError(
                "duplicate_number",
                _("This house already has a household with that number."),
                "number",
            )
        )
    if data.kind not in Registration.values:
        errors.append(ServiceError("invalid", _("Choose registered or migrant household."), "kind"))
    if errors:
        raise ServiceError.first_of(errors)
    return {"house": house, "number": number, "kind": data.kind}


def do_add_household(*, data: HouseholdIn, actor) -> Household:
    fields = check_household(data=data, actor=actor)
    household = Household(**fields)
    household.place_from(fields["house"])
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError:
        raise ServiceError(
            "duplicate_number",
            _("This house already has a household with that number."),
            "number",
        ) from None
    return household


def do_update_household(*, household: Household, data: HouseholdIn, actor) -> Household:
    """Correct a household's number or registration, or move it to another house (its
    residents go with it)."""
    _check_writable(actor, household, Household.objects)
    fields = check_household(data=data, actor=actor, household=household)
    duplicate = ServiceError(
        "duplicate_number", _("This house already has a household with that number."), "number"
    )
    with transaction.atomic():
        row = Household.objects.select_for_update().get(pk=household.pk)
        old = (row.region_id, row.grid_id, row.region_path)
        for name, value in fields.items():
            setattr(row, name, value)
        row.place_from(fields["house"])
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise duplicate from None
        if _moved(row, old):
            _carry_place(Resident.objects.filter(household=row), row, old)
    return row


# -- residents -----------------------------------------------------------------------------------


def _duplicate_error(existing: Resident, actor) -> ServiceError:
    """Names the household the number is registered in: its number and masked address when
    the actor may see it, only its community when not."""
    household = existing.household
    return v.duplicate_id_error(
        visible=Resident.objects.visible_to(actor).filter(pk=existing.pk).exists(),
        household=str(household),
        address=masking.mask_address(household.house.address),
        place=existing.region.name,
    )


def _find_duplicate(number: str, resident: Resident | None) -> Resident | None:
    found = Resident.objects.current().filter(id_number=number)
    if resident is not None:
        found = found.exclude(pk=resident.pk)
    return found.select_related("household__house", "region").first()


def check_resident(*, data: ResidentIn, actor, resident: Resident | None = None) -> dict:
    """Everything a new (or changed) resident needs, every problem named at once."""
    errors: list[ServiceError] = []
    name = v.check_name(data.name, errors)
    parsed = v.check_id_number(data.id_number, errors)
    if parsed is not None and (resident is None or resident.is_current):
        existing = _find_duplicate(parsed.number, resident)
        if existing is not None:
            errors.append(_duplicate_error(existing, actor))
    phone = v.check_phone(data.phone, errors)
    household = None
    if data.household_id:
        household = (
            Household.objects.visible_to(actor)
            .filter(pk=data.household_id)
            .select_related("house")
            .first()
        )
    if household is None:
        errors.append(ServiceError("required", _("Choose a household in your area."), "household"))
    elif not _governs(actor, household):
        errors.append(v.out_of_scope_error("household"))
    if data.relation not in Relation.values:
        errors.append(ServiceError("invalid", _("Choose the relation to the head."), "relation"))
    elif data.relation == Relation.HEAD and household is not None and household.head_id:
        head_is_other = household.head_id != (resident.pk if resident else None)
        if (
            head_is_other
            and Resident.objects.filter(pk=household.head_id, moved_out__isnull=True).exists()
        ):
            errors.append(v.head_taken_error())
    if data.kind not in Registration.values:
        errors.append(ServiceError("invalid", _("Choose registered or migrant."), "kind"))
    moved_in = data.moved_in or (resident.moved_in if resident else _today())
    v.check_moved_in(
        moved_in,
        born=parsed.birth_date if parsed is not None else None,
        today=_today(),
        errors=errors,
    )
    stay = None
    if data.stay is not None or data.relation == Relation.TENANT:
        stay = _check_stay(data.stay or StayIn(), moved_in, household, actor, errors)
    if errors:
        raise ServiceError.first_of(errors)
    return {
        "name": name,
        "id_number": parsed.number,
        "sex": parsed.sex,
        "birth_date": parsed.birth_date,
        "phone": phone,
        "household": household,
        "relation": data.relation,
        "kind": data.kind,
        "moved_in": moved_in,
        "stay": stay,
    }


def _check_stay(stay: StayIn, moved_in, household, actor, errors) -> dict | None:
    """A stay always ends, after it starts."""
    since = stay.since or moved_in
    count = len(errors)
    v.check_stay_end(stay.until, since=since, errors=errors)
    house = household.house if household is not None else None
    if stay.house_id and (house is None or stay.house_id != house.pk):
        house = House.objects.visible_to(actor).filter(pk=stay.house_id).first()
        if house is None:
            errors.append(ServiceError("invalid", _("Choose a house in your area."), "stay_house"))
    if len(errors) > count or house is None:
        return None
    return {
        "house": house,
        "since": since,
        "until": stay.until,
        "landlord_note": v.clean_text(stay.landlord_note)[:200],
    }


def do_add_resident(*, data: ResidentIn, actor) -> Resident:
    """Register a resident in a household (and their stay, for a tenant)."""
    fields = check_resident(data=data, actor=actor)
    stay = fields.pop("stay")
    with transaction.atomic():
        # One writer per household at a time: two people cannot both become its head.
        household = Household.objects.select_for_update().get(pk=fields.pop("household").pk)
        resident = Resident(**fields, household=household, created_by=actor)
        resident.place_from(household)
        _save_unique(resident, actor)
        if resident.relation == Relation.HEAD:
            household.head = resident
            household.save(update_fields=["head", "updated_at"])
        if stay is not None:
            Stay.objects.create(resident=resident, **stay)
    return resident


def _save_unique(resident: Resident, actor) -> None:
    """Save; a number registered meanwhile by someone else is the same refusal as before."""
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        existing = _find_duplicate(resident.id_number, resident if resident.pk else None)
        if existing is None:
            raise
        raise _duplicate_error(existing, actor) from None


def do_update_resident(*, resident: Resident, data: ResidentIn, actor) -> Resident:
    """Correct a resident's data or move them to another household (their care
    memberships follow them to the new grid). A stay given is added as a new stay."""
    _check_writable(actor, resident, Resident.objects)
    fields = check_resident(data=data, actor=actor, resident=resident)
    stay = fields.pop("stay")
    with transaction.atomic():
        row = Resident.objects.select_for_update().get(pk=resident.pk)
        new_household = Household.objects.select_for_update().get(pk=fields.pop("household").pk)
        old_household_id, old_grid_id = row.household_id, row.grid_id
        for name, value in fields.items():
            setattr(row, name, value)
        row.household = new_household
        row.place_from(new_household)
        _save_unique(row, actor)
        if old_household_id != new_household.pk or row.relation != Relation.HEAD:
            Household.objects.filter(pk=old_household_id, head=row).update(head=None)
        if row.relation == Relation.HEAD:
            new_household.head = row
            new_household.save(update_fields=["head", "updated_at"])
        CareMembership.objects.filter(resident=row).update(
            grid_id=row.grid_id, region_path=row.region_path
        )
        if old_grid_id != row.grid_id:
            _reassign_workers(Resident.objects.filter(pk=row.pk).values("pk"), row.grid_id)
        if stay is not None:
            Stay.objects.create(resident=row, **stay)
    return row


def do_move_out(
    *, resident: Resident, actor, on: dt.date | None = None, reason: str = LeftReason.MOVED
) -> Resident:
    """The resident no longer lives here: they stay on record, their care ends that day,
    their stay ends, and the household loses its head if it was them."""
    _check_writable(actor, resident, Resident.objects)
    on = on or _today()
    if reason not in LeftReason.values:
        raise ServiceError("invalid", _("Choose why they left."), "left_reason")
    with transaction.atomic():
        row = Resident.objects.select_for_update().get(pk=resident.pk)
        if row.moved_out is not None:
            raise Conflict("moved_out", _("This resident has already moved out."))
        if on > _today() or on < row.moved_in:
            raise ServiceError(
                "invalid",
                _("The day they left must be between the day they moved in and today."),
                "moved_out",
            )
        row.moved_out, row.left_reason = on, reason
        row.save(update_fields=["moved_out", "left_reason", "updated_at"])
        CareMembership.objects.filter(resident=row, until__isnull=True).update(until=on)
        CareMembership.objects.filter(resident=row, until__gt=on).update(until=on)
        row.stays.filter(since__lt=on, until__gt=on).update(until=on)
        Household.objects.filter(head=row).update(head=None)
        # Their daily check-in link stops working and its open alerts close; their due
        # visits are dropped by the planner once the care has ended.
        for plan in row.checkin_plans.select_for_update().filter(ended_on__isnull=True):
            plan.ended_on = max(on, plan.started_on)
            plan.save(update_fields=["ended_on", "updated_at"])
            plan.alerts.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    return row


# -- care groups ---------------------------------------------------------------------------------


def check_enrol(
    *,
    resident: Resident,
    group: CareGroup,
    actor,
    level: CareLevel | None = None,
    since: dt.date | None = None,
    worker=None,
) -> dict:
    # A unit whose function the group lists enrols the people of the places it serves (a
    # justice office takes in a person sentenced to community correction): the group's rule,
    # not the register, decides.
    if not may_see_group(actor, group, grid_id=resident.grid_id, region_path=resident.region_path):
        if not Resident.objects.visible_to(actor).filter(pk=resident.pk).exists():
            raise NotFound("not_found", _("There is no such resident in your area."))
        raise NotAllowed("not_permitted", _("Your role may not put people in this group."))
    if not resident.is_current:
        raise Conflict("moved_out", _("This resident has moved out."))
    errors: list[ServiceError] = []
    if not group.enabled:
        errors.append(ServiceError("invalid", _("This group is no longer in use."), "group"))
    level = level or group.default_level
    if level is None or not level.enabled:
        errors.append(ServiceError("required", _("Choose a care level."), "level"))
    since = since or _today()
    if since > _today():
        errors.append(ServiceError("invalid", _("The start cannot be in the future."), "since"))
    if CareMembership.objects.current().filter(resident=resident, group=group).exists():
        errors.append(
            ServiceError("already", _("This resident is already in this group."), "group")
        )
    if worker is not None:
        if not group.open_to_local:
            errors.append(
                ServiceError(
                    "invalid",
                    _("A grid worker may not see this group's members, so cannot care for them."),
                    "worker",
                )
            )
        elif not GridAssignment.objects.filter(user=worker, grid_id=resident.grid_id).exists():
            errors.append(
                ServiceError("invalid", _("Choose a grid worker of the resident's grid."), "worker")
            )
    elif group.open_to_local and resident.grid_id:
        # The grid's own worker cares for the members of open groups unless told otherwise.
        assignment = (
            GridAssignment.objects.filter(grid_id=resident.grid_id)
            .select_related("user")
            .order_by(*_primary_first())
            .first()
        )
        worker = assignment.user if assignment else None
    if errors:
        raise ServiceError.first_of(errors)
    return {"level": level, "since": since, "worker": worker}


def _primary_first():
    return [
        Case(
            When(duty=GridAssignment.Duty.PRIMARY, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "id",
    ]


def do_enrol(
    *,
    resident: Resident,
    group: CareGroup,
    actor,
    level: CareLevel | None = None,
    since: dt.date | None = None,
    note: str = "",
    worker=None,
) -> CareMembership:
    """Put a resident in a care group, at the group's default level unless another is
    given, with the grid worker responsible (the grid's own, for an open group)."""
    fields = check_enrol(
        resident=resident, group=group, actor=actor, level=level, since=since, worker=worker
    )
    try:
        with transaction.atomic():
            return CareMembership.objects.create(
                resident=resident,
                group=group,
                note=v.clean_text(note)[:2000],
                grid_id=resident.grid_id,
                region_path=resident.region_path,
                enrolled_by=actor,
                **fields,
            )
    except IntegrityError:
        raise ServiceError(
            "already", _("This resident is already in this group."), "group"
        ) from None


def do_end_care(
    *, membership: CareMembership, actor, on: dt.date | None = None, note: str = ""
) -> CareMembership:
    """End a membership (the resident no longer needs the group's care) from ``on``."""
    if not CareMembership.objects.visible_to(actor).filter(pk=membership.pk).exists():
        raise NotFound("not_found", _("There is no such care record in your area."))
    on = on or _today()
    with transaction.atomic():
        row = CareMembership.objects.select_for_update().get(pk=membership.pk)
        if row.until is not None and row.until <= _today():
            raise Conflict("ended", _("This care has already ended."))
        if on < row.since or on > _today():
            raise ServiceError(
                "invalid",
                _("The end must be between the start and today."),
                "until",
            )
        row.until = on
        note = v.clean_text(note)
        if note:
            row.note = f"{row.note}\n{note}".strip()[:4000]
        row.save(update_fields=["until", "note", "updated_at"])
    return row


# -- personal data -------------------------------------------------------------------------------


def _reveal(viewer, obj, request, reason: str) -> dict[str, str]:
    from gongzhi.accounts.services import reveal, unmaskable_kinds

    kinds = unmaskable_kinds(viewer)
    # A role that may unmask nothing asks for everything: the refusal is audited too.
    fields = [f for f, kind in obj.sensitive_fields.items() if kind in kinds] or None
    try:
        return reveal(viewer=viewer, obj=obj, fields=fields, request=request, reason=reason)
    except PermissionDenied:
        raise NotAllowed("not_permitted", _("Your role may not see this personal data.")) from None


def reveal_resident(*, viewer, resident: Resident, request=None) -> dict[str, str]:
    """The resident's real name, ID number and phone, as far as the viewer's role may
    unmask them (a grid worker: name and phone), every field audited."""
    if not Resident.objects.visible_to(viewer).filter(pk=resident.pk).exists():
        raise NotFound("not_found", _("There is no such resident in your area."))
    return _reveal(viewer, resident, request, reason=f"household {resident.household_id}")


def reveal_house_owner(*, viewer, house: House, request=None) -> dict[str, str]:
    """The house owner's real name, ID number and phone, as ``reveal_resident``."""
    if not House.objects.visible_to(viewer).filter(pk=house.pk).exists():
        raise NotFound("not_found", _("There is no such house in your area."))
    return _reveal(viewer, house, request, reason=f"house {house.pk}")


__all__ = [
    "BuildingIn",
    "HouseIn",
    "HouseholdIn",
    "ResidentIn",
    "StayIn",
    "check_building",
    "check_building_update",
    "check_enrol",
    "check_house",
    "check_household",
    "check_house_update",
    "check_resident",
    "do_add_building",
    "do_add_house",
    "do_add_household",
    "do_add_resident",
    "do_end_care",
    "do_update_building",
    "do_enrol",
    "do_move_out",
    "do_update_household",
    "do_update_house",
    "do_update_resident",
    "reveal_house_owner",
    "reveal_resident",
]
