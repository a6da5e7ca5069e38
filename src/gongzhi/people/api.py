"""The people part of the JSON API (mounted at /api/v1/people by ``gongzhi.api``).

GET  /people/buildings                buildings in the caller's register: filters, pages
GET  /people/buildings/{id}           one building with its houses
GET  /people/houses                   houses in the caller's register: filters, pages
GET  /people/houses/{id}              one house, owner masked, with its households
POST /people/houses/{id}/reveal       the owner's real data, audited
GET  /people/households               households: filters, pages
GET  /people/households/{id}          one household with its residents (masked)
GET  /people/residents                residents (masked), with the care groups the caller sees
POST /people/residents                register one (``services.do_add_resident``)
GET  /people/residents/{id}           one resident (masked), their groups and stays
POST /people/residents/{id}/reveal    the resident's real data, audited
GET  /people/care                     care-group memberships (``access.care_scope_q``)
GET  /people/visits/due               visits due (``Visit.objects.visible_to``)
GET  /people/groups                   the care groups (reference rows) the caller may see
GET  /people/figures                  the figures of an area (``people.figures``)

Every read starts from ``<Model>.objects.visible_to(request.user)`` — the pages' querysets
— so a record outside it is "not found", as a missing one. Names, ID numbers and phones are
masked in every answer; only the reveals show them, and each field shown is audited. A
resident's groups are only those the caller's work needs (a grid worker is never told who
is under community correction).
"""

import datetime as dt
from typing import Annotated, Literal

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.accounts import masking
from gongzhi.core.api import Day, ErrorOut, Pages
from gongzhi.core.db import MAX_ID
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.regions.models import Grid, Region

from . import figures as computed
from . import services
from .choices import HouseUse, Registration, Relation, VisitState
from .models import (
    Building,
    CareGroup,
    CareLevel,
    CareMembership,
    House,
    Household,
    Resident,
    Visit,
)

router = Router(tags=["people"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}

UseName = Literal[tuple(HouseUse.values)]  # type: ignore[valid-type]
KindName = Literal[tuple(Registration.values)]  # type: ignore[valid-type]
RelationName = Literal[tuple(Relation.values)]  # type: ignore[valid-type]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# --- shared -------------------------------------------------------------------------------


def _masked(obj) -> dict[str, str]:
    return {name: masking.masked_value(obj, name) for name in masking.sensitive_fields(obj)}


def _region_path(code: str) -> str:
    path = Region.objects.filter(code=code.strip()).values_list("path", flat=True).first()
    if path is None:
        raise ServiceError("unknown_region", _("There is no region with this code."), "region")
    return path


def _grid_id(code: str) -> int:
    found = Grid.objects.filter(code=code.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise ServiceError("unknown_grid", _("There is no grid with this code."), "grid")
    return found


class PlaceFilter(Schema):
    grid: str | None = Field(None, max_length=30, description="grid code")
    region: str | None = Field(None, max_length=12, description="region code; places within it")


def _placed(rows, f: PlaceFilter, prefix: str = ""):
    if f.grid:
        rows = rows.filter(**{f"{prefix}grid_id": _grid_id(f.grid)})
    if f.region:
        rows = rows.filter(**{f"{prefix}region_path__startswith": _region_path(f.region)})
    return rows


class _Rows:
    """The paginator's view of a queryset: counted, sliced, each record shaped as a row."""

    def __init__(self, queryset, shape, prefetch=()):
        self.queryset, self.shape, self.prefetch = queryset, shape, prefetch

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window):
        page = self.queryset[window]
        if self.prefetch:
            page = page.prefetch_related(*self.prefetch)
        return [self.shape(row) for row in page]


class PlaceOut(Schema):
    region: str = Field(description="code of the community or village")
    region_name: str
    grid: str | None = Field(description="grid code")
    grid_name: str | None


def _place(record) -> dict:
    return {
        "region": record.region_code,
        "region_name": record.region_name,
        "grid": record.grid_code,
        "grid_name": record.grid_name,
    }


def _with_place(queryset):
    # Codes and names by a join, not the rows: regions and grids carry their boundaries.
    return queryset.annotate(
        region_code=F("region__code"),
        region_name=F("region__name"),
        grid_code=F("grid__code"),
        grid_name=F("grid__name"),
    )


# --- houses -------------------------------------------------------------------------------


class HouseFilter(PlaceFilter):
    use: UseName | None = None
    q: str | None = Field(None, max_length=60, description="part of the address")


class HouseRow(PlaceOut):
    id: int
    address: str
    building: str | None
    use: str
    use_label: str
    lng: float | None
    lat: float | None
    area: float | None = Field(description="m²")
    owner_name: str = Field(description="masked")
    owner_id_number: str = Field(description="masked")
    owner_phone: str = Field(description="masked")


def _house(h: House) -> dict:
    return {
        "id": h.pk,
        **_place(h),
        "address": h.address,
        "building": h.building.name if h.building_id else None,
        "use": h.use,
        "use_label": str(HouseUse.label_of(h.use)),
        "lng": h.lng,
        "lat": h.lat,
        "area": float(h.area) if h.area is not None else None,
        **_masked(h),
    }


def _houses(user):
    return _with_place(House.objects.visible_to(user).select_related("building"))


@router.get("/houses", response={200: list[HouseRow], **ERRORS}, summary="List houses")
@paginate(Pages)
def list_houses(request, filters: Query[HouseFilter]):
    """The houses in the caller's register (their grids, or the places their unit governs)."""
    rows = _placed(_houses(request.user), filters)
    if filters.use:
        rows = rows.filter(use=filters.use)
    if filters.q and filters.q.strip():
        rows = rows.filter(address__icontains=filters.q.strip())
    return _Rows(rows.order_by("region_path", "address", "id"), _house)


class HouseholdRow(PlaceOut):
    id: int
    house: int
    number: str
    kind: str
    kind_label: str
    head: str | None = Field(description="masked name of the head")
    residents: int = Field(description="current residents")


def _household(h: Household) -> dict:
    return {
        "id": h.pk,
        **_place(h),
        "house": h.house_id,
        "number": h.number,
        "kind": h.kind,
        "kind_label": str(Registration.label_of(h.kind)),
        "head": masking.masked_value(h.head, "name") if h.head_id else None,
        "residents": h.current_residents,
    }


class HouseDetail(HouseRow):
    households: list[HouseholdRow]


def _found(queryset, pk: int, what: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound("not_found", _("There is no such %(what)s in your area.") % {"what": what})
    return found


def _households(user):
    current = Q(residents__moved_out__isnull=True)
    return _with_place(
        Household.objects.visible_to(user)
        .select_related("head")
        .annotate(current_residents=Count("residents", filter=current))
    )


@router.get("/houses/{int:house_id}", response={200: HouseDetail, **ERRORS}, summary="A house")
def house_detail(request, house_id: int):
    house = _found(_houses(request.user), house_id, _("house"))
    households = _households(request.user).filter(house=house).order_by("number", "id")
    return {**_house(house), "households": [_household(h) for h in households]}


class RevealedOwner(Schema):
    owner_name: str | None = None
    owner_id_number: str | None = None
    owner_phone: str | None = None


@router.post(
    "/houses/{int:house_id}/reveal",
    response={200: RevealedOwner, **ERRORS},
    summary="Reveal the owner's personal data",
)
def reveal_house_owner(request, house_id: int):
    """The owner's real data that the caller's role may see, every field audited."""
    house = _found(House.objects.all(), house_id, _("house"))
    return services.reveal_house_owner(viewer=request.user, house=house, request=request)


# --- buildings ----------------------------------------------------------------------------


class BuildingFilter(PlaceFilter):
    q: str | None = Field(None, max_length=60, description="part of the name or address")


class BuildingRow(PlaceOut):
    id: int
    name: str
    address: str
    floors: int | None
    lng: float | None
    lat: float | None
    houses: int = Field(description="houses in the building")


def _building(b: Building) -> dict:
    return {
        "id": b.pk,
        **_place(b),
        "name": b.name,
        "address": b.address,
        "floors": b.floors,
        "lng": b.lng,
        "lat": b.lat,
        "houses": b.house_count,
    }


def _buildings(user):
    return _with_place(Building.objects.visible_to(user).annotate(house_count=Count("houses")))


@router.get("/buildings", response={200: list[BuildingRow], **ERRORS}, summary="List buildings")
@paginate(Pages)
def list_buildings(request, filters: Query[BuildingFilter]):
    """The buildings in the caller's register (their grids, or the places their unit governs)."""
    rows = _placed(_buildings(request.user), filters)
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        rows = rows.filter(Q(name__icontains=text) | Q(address__icontains=text))
    return _Rows(rows.order_by("region_path", "address", "name", "id"), _building)


class BuildingDetail(BuildingRow):
    house_list: list[HouseRow] = Field(description="its houses (owners masked)")


@router.get(
    "/buildings/{int:building_id}", response={200: BuildingDetail, **ERRORS}, summary="A building"
)
def building_detail(request, building_id: int):
    building = _found(_buildings(request.user), building_id, _("building"))
    houses = _houses(request.user).filter(building=building).order_by("address", "id")
    return {**_building(building), "house_list": [_house(h) for h in houses]}


# --- households ---------------------------------------------------------------------------


class HouseholdFilter(PlaceFilter):
    house: Id | None = None
    kind: KindName | None = None


@router.get("/households", response={200: list[HouseholdRow], **ERRORS}, summary="List households")
@paginate(Pages)
def list_households(request, filters: Query[HouseholdFilter]):
    rows = _placed(_households(request.user), filters)
    if filters.house:
        rows = rows.filter(house_id=filters.house)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return _Rows(rows.order_by("region_path", "number", "id"), _household)


# --- residents ----------------------------------------------------------------------------


class CareOut(Schema):
    id: int
    group: str
    group_name: str
    level: str
    level_name: str
    since: dt.date
    until: dt.date | None


def _care(m: CareMembership) -> dict:
    return {
        "id": m.pk,
        "group": m.group.code,
        "group_name": m.group.name,
        "level": m.level.code,
        "level_name": m.level.name,
        "since": m.since,
        "until": m.until,
    }


class ResidentRow(PlaceOut):
    id: int
    household: int
    name: str = Field(description="masked")
    id_number: str = Field(description="masked")
    phone: str = Field(description="masked")
    sex: str
    age: int
    relation: str
    kind: str
    kind_label: str
    moved_in: dt.date
    moved_out: dt.date | None
    care: list[CareOut] = Field(description="the current groups the caller may see")


def _resident(r: Resident) -> dict:
    return {
        "id": r.pk,
        **_place(r),
        "household": r.household_id,
        **_masked(r),
        "sex": r.sex,
        "age": r.age_on(timezone.localdate()),
        "relation": r.relation,
        "kind": r.kind,
        "kind_label": str(Registration.label_of(r.kind)),
        "moved_in": r.moved_in,
        "moved_out": r.moved_out,
        "care": [_care(m) for m in getattr(r, "visible_care", [])],
    }


def _residents(user):
    return _with_place(Resident.objects.visible_to(user).with_care(user))


class HouseholdDetail(HouseholdRow):
    members: list[ResidentRow] = Field(description="current residents the caller may see")


@router.get(
    "/households/{int:household_id}",
    response={200: HouseholdDetail, **ERRORS},
    summary="A household",
)
def household_detail(request, household_id: int):
    household = _found(_households(request.user), household_id, _("household"))
    members = _residents(request.user).current().filter(household=household)
    return {**_household(household), "members": [_resident(r) for r in members]}


class ResidentFilter(PlaceFilter):
    household: Id | None = None
    kind: KindName | None = None
    group: str | None = Field(None, max_length=40, description="care group code")
    current: bool = Field(True, description="false: also those who moved out")


@router.get("/residents", response={200: list[ResidentRow], **ERRORS}, summary="List residents")
@paginate(Pages)
def list_residents(request, filters: Query[ResidentFilter]):
    """Residents in the caller's register, and those whose care the caller's work needs."""
    rows = _placed(_residents(request.user), filters)
    if filters.current:
        rows = rows.current()
    if filters.household:
        rows = rows.filter(household_id=filters.household)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.group:
        group = CareGroup.objects.filter(code=filters.group.strip()).first()
        if group is None:
            raise ServiceError("unknown_group", _("There is no such care group."), "group")
        rows = rows.in_group(request.user, group)  # empty for a group the caller may not see
    return _Rows(rows.order_by("household_id", "id"), _resident)


class StayOut(Schema):
    house: int
    since: dt.date
    until: dt.date


class ResidentDetail(ResidentRow):
    stays: list[StayOut]


def _resident_detail(user, resident_id: int) -> dict:
    resident = _found(_residents(user), resident_id, _("resident"))
    stays = resident.stays.order_by("-since").values("house_id", "since", "until")
    return {
        **_resident(resident),
        "stays": [
            {"house": s["house_id"], "since": s["since"], "until": s["until"]} for s in stays
        ],
    }


@router.get(
    "/residents/{int:resident_id}", response={200: ResidentDetail, **ERRORS}, summary="A resident"
)
def resident_detail(request, resident_id: int):
    return _resident_detail(request.user, resident_id)


class StayIn(Schema):
    until: Day = Field(description="the day the stay ends")
    since: Day | None = Field(None, description="the first day (the day they moved in)")
    house: Id | None = Field(None, description="the house (the household's, if not given)")
    landlord_note: str = Field("", max_length=200)


class ResidentIn(Schema):
    name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=30, description="18-character resident ID number")
    household: Id | None = None
    phone: str = Field("", max_length=30)
    relation: RelationName = Relation.OTHER
    kind: KindName = Registration.REGISTERED
    moved_in: Day | None = Field(None, description="the day they moved in (today)")
    stay: StayIn | None = Field(None, description="a tenant's stay (required for a tenant)")


@router.post("/residents", response={201: ResidentDetail, **ERRORS}, summary="Register a resident")
def add_resident(request, payload: ResidentIn):
    """Register a resident in a household of the caller's area, with the same checks as
    the register's pages: a bad or duplicate ID number, a household outside the caller's
    area, a tenant without the end of their stay are refused (400, every problem under
    ``errors``) and nothing is written."""
    stay = payload.stay
    data = services.ResidentIn(
        name=payload.name,
        id_number=payload.id_number,
        household_id=payload.household,
        phone=payload.phone,
        relation=payload.relation,
        kind=payload.kind,
        moved_in=payload.moved_in,
        stay=services.StayIn(
            until=stay.until,
            since=stay.since,
            house_id=stay.house,
            landlord_note=stay.landlord_note,
        )
        if stay is not None
        else None,
    )
    resident = services.do_add_resident(data=data, actor=request.user)
    return Status(201, _resident_detail(request.user, resident.pk))


class RevealedResident(Schema):
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None


@router.post(
    "/residents/{int:resident_id}/reveal",
    response={200: RevealedResident, **ERRORS},
    summary="Reveal a resident's personal data",
)
def reveal_resident(request, resident_id: int):
    """The resident's real data that the caller's role may see (a grid worker: name and
    phone; the ID number only for roles that need it), every field audited."""
    resident = _found(Resident.objects.all(), resident_id, _("resident"))
    return services.reveal_resident(viewer=request.user, resident=resident, request=request)


# --- care -----------------------------------------------------------------------------------


class CareFilter(PlaceFilter):
    group: str | None = Field(None, max_length=40, description="care group code")
    current: bool = Field(True, description="false: also memberships that ended")


class CareRow(CareOut):
    resident: int
    resident_name: str = Field(description="masked")
    grid: str | None
    worker: str | None = Field(description="masked name of the responsible grid worker")


def _care_row(m: CareMembership) -> dict:
    return {
        **_care(m),
        "resident": m.resident_id,
        "resident_name": masking.masked_value(m.resident, "name"),
        "grid": m.grid_code,
        "worker": m.worker.masked_name if m.worker_id else None,
    }


@router.get("/care", response={200: list[CareRow], **ERRORS}, summary="Care-group memberships")
@paginate(Pages)
def list_care(request, filters: Query[CareFilter]):
    """The memberships the caller may see: a group open to the local register in the
    caller's places, a restricted group only for a unit whose function it lists."""
    rows = (
        CareMembership.objects.visible_to(request.user)
        .select_related("group", "level", "resident", "worker")
        .annotate(grid_code=F("grid__code"))
    )
    rows = _placed(rows, filters)
    if filters.current:
        rows = rows.current()
    if filters.group:
        rows = rows.filter(group__code=filters.group.strip())
    return _Rows(rows.order_by("group__order", "since", "id"), _care_row)


class VisitFilter(PlaceFilter):
    mine: bool | None = Field(None, description="true: the caller's own visits")
    late: bool | None = Field(None, description="true: only those past their day")
    due_by: Day | None = Field(None, description="due on or before this day")


class VisitRow(Schema):
    id: int
    resident: int
    resident_name: str = Field(description="masked")
    group: str
    group_name: str
    grid: str | None
    due_on: dt.date
    late: bool
    worker: str | None = Field(description="masked name")


def _visit(v: Visit) -> dict:
    return {
        "id": v.pk,
        "resident": v.resident_id,
        "resident_name": masking.masked_value(v.resident, "name"),
        "group": v.group.code,
        "group_name": v.group.name,
        "grid": v.grid_code,
        "due_on": v.due_on,
        "late": v.due_on < timezone.localdate(),
        "worker": v.worker.masked_name if v.worker_id else None,
    }


@router.get("/visits/due", response={200: list[VisitRow], **ERRORS}, summary="Visits due")
@paginate(Pages)
def visits_due(request, filters: Query[VisitFilter]):
    """The visits still to make that the caller may see, the soonest due first."""
    rows = (
        Visit.objects.visible_to(request.user)
        .filter(state=VisitState.DUE)
        .select_related("resident", "group", "worker")
        .annotate(grid_code=F("grid__code"))
    )
    rows = _placed(rows, filters)
    if filters.mine:
        rows = rows.filter(worker=request.user)
    today = timezone.localdate()
    if filters.late is not None:
        rows = rows.filter(due_on__lt=today) if filters.late else rows.filter(due_on__gte=today)
    if filters.due_by:
        rows = rows.filter(due_on__lte=filters.due_by)
    return _Rows(rows.order_by("due_on", "id"), _visit)


class GroupOut(Schema):
    code: str
    name: str
    colour: str
    level: str | None = Field(description="code of the default care level")
    visit_days: int | None


@router.get("/groups", response={200: list[GroupOut], **ERRORS}, summary="Care groups")
def care_groups(request):
    """The enabled care groups whose members the caller may see or count."""
    levels = {lv.pk: lv for lv in CareLevel.objects.all()}
    out = []
    for g in computed.countable_groups(request.user):
        level = levels.get(g.default_level_id)
        out.append(
            {
                "code": g.code,
                "name": g.name,
                "colour": g.colour,
                "level": level.code if level else None,
                "visit_days": level.visit_days if level else None,
            }
        )
    return out


# --- figures --------------------------------------------------------------------------------


class FiguresFilter(Schema):
    region: str | None = Field(None, max_length=12, description="region code (drill down)")
    start: Day | None = Field(None, description="first day of the period (30 days back)")
    end: Day | None = Field(None, description="last day of the period (today)")


class FigureRow(Schema):
    key: str | int | None = Field(description="region path or grid id")
    label: str
    code: str = Field(description="region or grid code, to drill into")
    population: int
    registered: int
    migrant: int
    houses: int
    houses_by_use: dict[str, int]
    groups: dict[str, int] = Field(description="members by group code: counts only")
    visits: int = Field(description="visits due in the period, made or late")
    on_time: int
    made_late: int
    overdue: int
    on_time_rate: float | None
    plan_days: int = Field(
        description="days of daily check-in plans in the period, up to yesterday"
    )
    kept: int
    kept_rate: float | None


class MonthRow(Schema):
    month: str
    visits: int
    on_time: int
    on_time_rate: float | None
    plan_days: int
    kept: int
    kept_rate: float | None


class FiguresOut(Schema):
    region: str | None = Field(description="the area's code; null: all of the caller's")
    region_name: str | None
    start: dt.date
    end: dt.date
    rows: list[FigureRow]
    total: FigureRow
    months: list[MonthRow]


def _figure_row(row: dict, groups) -> dict:
    return {
        **{k: v for k, v in row.items() if not k.startswith(("use_", "group_"))},
        "key": row["key"],
        "label": str(row["label"]),
        "houses_by_use": {u: row[f"use_{u}"] for u in HouseUse.values},
        "groups": {g.code: row[f"group_{g.code}"] for g in groups},
    }


@router.get("/figures", response={200: FiguresOut, **ERRORS}, summary="Figures of an area")
def people_figures(request, filters: Query[FiguresFilter]):
    """Population (registered, migrant), houses by use, members of each care group the
    caller may count (leaders: how many, never who), visits on time and check-ins kept, by
    place (an area's townships, communities or grids) and month."""
    data = computed.figures(
        user=request.user, region=filters.region, start=filters.start, end=filters.end
    )
    groups = data["groups"]
    return {
        "region": data["area"]["code"] if data["area"] else None,
        "region_name": data["area"]["name"] if data["area"] else None,
        "start": data["start"],
        "end": data["end"],
        "rows": [_figure_row(r, groups) for r in data["rows"]],
        "total": _figure_row(data["total"], groups),
        "months": data["months"],
    }
