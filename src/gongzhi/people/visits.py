"""Visits (走访): the planner, recording a visit, raising a need found, and late visits.

* ``plan(now=None)`` keeps exactly one due visit per current care membership: due a care
  level's ``visit_days`` after the last visit made (after the membership's ``since`` for the
  first), with the membership's grid worker (for an open group, failing one, the grid's
  primary worker); a due visit whose care has ended is dropped. Idempotent and safe from two
  schedulers at once: new rows are inserted with ``ON CONFLICT DO NOTHING`` against the
  partial unique constraint ``people_one_due_visit``, and the other steps are conditional
  UPDATEs.
* ``check_visit`` / ``do_record_visit``: what was found, the phone's position and time; the
  distance to the house, flagged ``far`` beyond ``far_metres()``; then the next visit is
  planned in the same transaction.
* ``do_raise_need``: a need found becomes a case (``cases`` intake, in the care group's
  ``case_category``, else 特殊人群服务) or a dispute (``mediation.services``, source
  ``VISIT``) with one tap; a second tap finds the first (idempotency keys bound to the
  visit).
* ``notify_late(now=None)``: the periodic job. The community hears of a visit on its first day
  late, the township once it is ``escalate_after_days()`` late; each is claimed by a
  conditional UPDATE of its stamp, so however many watchers run, each is sent once.

Who may record or raise: the responsible worker, whoever governs the place in the register
(its grid worker, the community, township, county) and, for a restricted group, the staff of
the units whose function the group lists. Nobody else learns the visit exists (NotFound).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case as CaseWhen
from django.db.models import F, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyproj import Geod

from gongzhi.accounts import masking
from gongzhi.accounts.models import Membership, OrganisationKind, Role
from gongzhi.core import media
from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.notify import services as notify
from gongzhi.regions.models import GridAssignment

from .access import KIND_FUNCTION, access_for, may_see_group, parse_functions
from .choices import VisitState
from .models import CareMembership, Visit

_GEOD = Geod(ellps="WGS84")
BATCH = 1000

# A need found on a visit is raised in its care group's ``case_category``; a group without
# one (or with a disabled one), and a restricted group whatever its row says, uses this
# parent, so that a case never tells its readers that someone is under correction.
NEED_CATEGORY = "特殊人群服务"


# -- settings ------------------------------------------------------------------------------


def _knob(name: str, default):
    # Read at call time so that tests and deployments can change them.
    return type(default)(getattr(settings, "GONGZHI", {}).get(name, default))


def far_metres() -> int:
    """A visit recorded further than this from the house is flagged (not refused)."""
    return _knob("PEOPLE_VISIT_FAR_M", 300)


def escalate_after_days() -> int:
    """A visit this many days late is escalated to the township."""
    return _knob("PEOPLE_VISIT_ESCALATE_DAYS", 7)


# -- the planner ---------------------------------------------------------------------------


def _primary_workers(grid_ids) -> dict[int, int]:
    """Each grid's primary worker (failing one, its first assignment)."""
    rows = (
        GridAssignment.objects.filter(grid_id__in=grid_ids, user__is_active=True)
        .order_by(
            "grid_id",
            CaseWhen(
                When(duty=GridAssignment.Duty.PRIMARY, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "id",
        )
        .values_list("grid_id", "user_id")
    )
    primary: dict[int, int] = {}
    for grid_id, user_id in rows:
        primary.setdefault(grid_id, user_id)
    return primary


def _worker_for(membership, primary: dict[int, int]) -> int | None:
    if membership.worker_id:
        return membership.worker_id
    # A restricted group's members are not the grid worker's to visit: they cannot see them.
    if membership.group.open_to_local and membership.grid_id:
        return primary.get(membership.grid_id)
    return None


def _next_visit(membership, last: dt.datetime | None, primary) -> Visit:
    start = timezone.localdate(last) if last else membership.since
    return Visit(
        membership=membership,
        resident_id=membership.resident_id,
        group_id=membership.group_id,
        grid_id=membership.grid_id,
        region_path=membership.region_path,
        due_on=start + dt.timedelta(days=membership.level.visit_days),
        worker_id=_worker_for(membership, primary),
    )


def _insert(visits: list[Visit]) -> None:
    # ON CONFLICT DO NOTHING: a membership another scheduler planned meanwhile is skipped
    # by the partial unique index people_one_due_visit, on SQLite and PostgreSQL alike.
    Visit.objects.bulk_create(visits, ignore_conflicts=True)


def plan(*, now=None, memberships=None) -> dict:
    """Drop the due visits of ended care, follow members who moved grid, and plan a visit
    for every current membership without one. ``memberships`` (a queryset) limits the run."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Visit.objects.filter(state=VisitState.DUE)
    current = CareMembership.objects.current(today)
    if memberships is not None:
        due = due.filter(membership__in=memberships)
        current = current.filter(pk__in=memberships.values("pk"))
    # Care ends on ``until`` (a resident who moves out has theirs ended that day).
    dropped = due.filter(membership__until__lte=today).update(
        state=VisitState.DROPPED, updated_at=now
    )
    moved = _follow(due, now)
    planned = 0
    missing = (
        current.exclude(visits__state=VisitState.DUE)
        .select_related("group", "level")
        .annotate(last=Max("visits__visited_at", filter=Q(visits__state=VisitState.DONE)))
        .order_by("pk")
    )
    # Keyset pages: rows planned by this run drop out of ``missing``, so no offset.
    after = 0
    while True:
        rows = list(missing.filter(pk__gt=after)[:BATCH])
        if not rows:
            break
        primary = _primary_workers({m.grid_id for m in rows if m.grid_id})
        before = Visit.objects.filter(state=VisitState.DUE, membership__in=rows).count()
        _insert([_next_visit(m, m.last, primary) for m in rows])
        planned += Visit.objects.filter(state=VisitState.DUE, membership__in=rows).count() - before
        after = rows[-1].pk
    return {"planned": planned, "dropped": dropped, "moved": moved}


def _follow(due, now) -> int:
    """Due visits whose member moved grid (or got another worker) follow the membership."""
    membership = CareMembership.objects.filter(pk=OuterRef("membership_id"))
    stale = due.filter(
        ~Q(region_path=F("membership__region_path"))
        | ~Q(grid_id=F("membership__grid_id"))
        | Q(grid__isnull=True, membership__grid__isnull=False)
        | (Q(membership__worker__isnull=False) & ~Q(worker_id=F("membership__worker_id")))
        | Q(worker__isnull=True, membership__worker__isnull=False)
    )
    rows = list(stale.select_related("membership__group")[:BATCH])
    if not rows:
        return 0
    primary = _primary_workers({v.membership.grid_id for v in rows if v.membership.grid_id})
    for visit in rows:
        m = visit.membership
        Visit.objects.filter(pk=visit.pk, state=VisitState.DUE).update(
            grid_id=Subquery(membership.values("grid_id")[:1]),
            region_path=Subquery(membership.values("region_path")[:1]),
            worker_id=_worker_for(m, primary),
            updated_at=now,
        )
    return len(rows)


# -- recording a visit ----------------------------------------------------------------------


def _visible(visit: Visit, actor) -> Visit:
    row = (
        Visit.objects.visible_to(actor)
        .select_related("group", "membership__level", "resident__household__house__building")
        .filter(pk=visit.pk)
        .first()
    )
    if row is None:
        raise NotFound("not_found", _("There is no such visit in your area."))
    return row


def _check_may_act(visit: Visit, actor) -> None:
    if actor.pk == visit.worker_id:
        return
    access = access_for(actor)
    if visit.group.open_to_local:
        allowed = access.governs(grid_id=visit.grid_id, region_path=visit.region_path)
    else:
        allowed = may_see_group(
            actor, visit.group, grid_id=visit.grid_id, region_path=visit.region_path
        )
    if not allowed:
        raise NotAllowed(
            "not_permitted",
            _("Only the responsible grid worker or the staff of this place may record visits."),
        )


def house_point(visit: Visit) -> tuple[float, float] | None:
    """Where the member lives: the house's point, else its building's."""
    house = visit.resident.household.house
    for place in (house, house.building):
        if place is not None and place.lng is not None and place.lat is not None:
            return place.lng, place.lat
    return None


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    _fwd, _back, metres = _GEOD.inv(a[0], a[1], b[0], b[1])
    return metres


@dataclass
class Recorded:
    findings: str
    needs: str
    lng: float
    lat: float
    distance_m: int | None
    far: bool
    image: object | None


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def check_visit(*, visit, actor, findings, needs, lng, lat, photo=None, now=None) -> Recorded:
    """Everything a visit record needs, every problem named at once; writes nothing."""
    visit = _visible(visit, actor)
    _check_may_act(visit, actor)
    if visit.state != VisitState.DUE:
        raise Conflict("not_due", _("This visit has already been recorded or is no longer due."))
    errors: list[ServiceError] = []
    findings, needs = _text(findings, 4000), _text(needs, 2000)
    if len(findings) < 2:
        errors.append(ServiceError("required", _("Say what you found."), "findings"))
    point = None
    try:
        point = (float(lng), float(lat))
        if not all(math.isfinite(v) for v in point) or not (
            -180 <= point[0] <= 180 and -90 <= point[1] <= 90
        ):
            raise ValueError
    except (TypeError, ValueError):
        errors.append(
            ServiceError(
                "position_required",
                _(
                    "The phone's position is needed to record a visit: allow this page to use "
                    "your location and try again."
                ),
                "position",
            )
        )
    image = None
    if photo:
        try:
            image = media.check_photo(photo)
        except ServiceError as error:
            errors.append(ServiceError(error.code, error.message, "photo"))
    if errors:
        raise ServiceError.first_of(errors)
    home = house_point(visit)
    distance = round(metres_between(point, home)) if home else None
    return Recorded(
        findings=findings,
        needs=needs,
        lng=point[0],
        lat=point[1],
        distance_m=distance,
        far=distance is not None and distance > far_metres(),
        image=image,
    )


def _store_photo(visit: Visit, image) -> str:
    full, _thumb = media.prepared(image, f"visit-{visit.pk}")
    # Stored without a public URL: pages serve it through the visit's scope.
    return default_storage.save(f"people/visits/{timezone.now():%Y/%m}/{full.name}", full)


def do_record_visit(*, visit, actor, findings, needs, lng, lat, photo=None, now=None) -> Visit:
    """Record a visit made, and plan the next one."""
    data = check_visit(
        visit=visit, actor=actor, findings=findings, needs=needs, lng=lng, lat=lat, photo=photo
    )
    now = now or timezone.now()
    stored = _store_photo(visit, data.image) if data.image is not None else ""
    try:
        with transaction.atomic():
            row = Visit.objects.select_for_update().get(pk=visit.pk)
            if row.state != VisitState.DUE:  # recorded by someone else meanwhile
                raise Conflict(
                    "not_due", _("This visit has already been recorded or is no longer due.")
                )
            row.state, row.visited_at, row.visited_by = VisitState.DONE, now, actor
            row.findings, row.needs, row.photo = data.findings, data.needs, stored
            row.lng, row.lat, row.distance_m, row.far = (
                data.lng,
                data.lat,
                data.distance_m,
                data.far,
            )
            row.save()
            plan(now=now, memberships=CareMembership.objects.filter(pk=row.membership_id))
    except Exception:
        if stored:
            default_storage.delete(stored)  # no row points at it
        raise
    return row


def photo_file(*, visit, viewer):
    """The visit's photo, opened, for a viewer who may see the visit."""
    visit = _visible(visit, viewer)
    if not visit.photo:
        raise NotFound("not_found", _("Not found."))
    return default_storage.open(visit.photo, "rb")


# -- a need becomes a case or a dispute -----------------------------------------------------

RAISE_KINDS = ("case", "dispute")


def _key(visit: Visit, kind: str) -> str:
    # Bound to the visit by the site's secret: no API client can take this key first.
    message = f"people:visit:{visit.pk}:{kind}".encode()
    return "pv-" + hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def check_raise_need(*, visit, actor, kind="case", other_party="", type_id=None) -> Visit:
    visit = _visible(visit, actor)
    _check_may_act(visit, actor)
    if kind not in RAISE_KINDS:
        raise ServiceError("invalid", _("Raise the need as a case or a dispute."), "kind")
    if visit.state != VisitState.DONE or not visit.needs:
        raise ServiceError("no_need", _("Record the visit with the need found first."), "needs")
    if kind == "dispute" and not visit.dispute_number:
        errors = []
        if len((other_party or "").strip()) < 2:
            errors.append(ServiceError("required", _("Name the other party."), "other_party"))
        if not type_id:
            errors.append(ServiceError("required", _("Choose the type of dispute."), "type"))
        if errors:
            raise ServiceError.first_of(errors)
    return visit


def do_raise_need(*, visit, actor, kind="case", other_party="", type_id=None, now=None) -> Visit:
    """Turn the need found on a visit into a case or a dispute, and link its number on the
    visit. A second tap returns the visit with the first one linked."""
    visit = check_raise_need(
        visit=visit, actor=actor, kind=kind, other_party=other_party, type_id=type_id
    )
    if kind == "case":
        if not visit.case_number:
            number = _raise_case(visit, actor)
            Visit.objects.filter(pk=visit.pk, case_number="").update(
                case_number=number, updated_at=timezone.now()
            )
    elif not visit.dispute_number:
        number = _raise_dispute(visit, actor, other_party.strip(), int(type_id), now)
        Visit.objects.filter(pk=visit.pk, dispute_number="").update(
            dispute_number=number, updated_at=timezone.now()
        )
    visit.refresh_from_db()
    return visit


def _need_category(visit: Visit):
    from gongzhi.taxonomy.models import Category

    group = visit.group
    if group.open_to_local and group.case_category_id:
        category = Category.objects.filter(pk=group.case_category_id, enabled=True).first()
        if category is not None:
            return category
    category = Category.objects.filter(full_name=NEED_CATEGORY, enabled=True).first()
    if category is not None:
        return category
    raise ServiceError(
        "no_category", _("The category for care needs is missing: ask an administrator."), "kind"
    )


def _raise_case(visit: Visit, actor) -> str:
    from gongzhi.cases.choices import Channel
    from gongzhi.cases.intake import services as intake

    house = visit.resident.household.house
    point = house_point(visit) or (visit.lng, visit.lat)
    report = intake.Report(
        channel=Channel.GRID_WORKER,
        title=_("Need found on a visit: %(text)s") % {"text": visit.needs[:20]},
        description=visit.needs,
        category=_need_category(visit),
        lng=point[0],
        lat=point[1],
        address=house.address,
        idempotency_key=_key(visit, "case"),
    )
    try:
        case, _created = intake.do_report(report=report, reporter=actor)
    except ServiceError as error:
        raise ServiceError(error.code, error.message, "kind") from None
    return case.number


def _raise_dispute(visit: Visit, actor, other_party: str, type_id: int, now) -> str:
    from gongzhi.mediation import services as mediation
    from gongzhi.mediation.choices import Side, Source

    resident = visit.resident
    data = mediation.DisputeIn(
        title=_("Found on a visit: %(text)s") % {"text": visit.needs[:20]},
        type_id=type_id,
        facts=visit.needs,
        source=Source.VISIT,
        grid_id=visit.grid_id,
        region_id=resident.region_id,
        parties=[
            mediation.PartyIn(
                side=Side.APPLICANT,
                name=resident.name,
                phone=resident.phone,
                address=resident.household.house.address,
            ),
            mediation.PartyIn(side=Side.RESPONDENT, name=other_party),
        ],
        idempotency_key=mediation.scoped_key(owner=f"visit:{visit.pk}", raw=_key(visit, "d")),
    )
    try:
        dispute = mediation.do_register(data=data, actor=actor, now=now)
    except ServiceError as error:
        field = error.field if error.field in ("type", "other_party") else "kind"
        raise ServiceError(error.code, error.message, field) from None
    return dispute.number


# -- late visits ----------------------------------------------------------------------------


def _prefixes(path: str) -> list[str]:
    """ "/63/6302/630202/" → ["/63/", "/63/6302/", "/63/6302/630202/"]."""
    codes = [c for c in path.split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def _staff(region_path: str, group, *, township: bool) -> set[int]:
    """Who is told of a late visit at ``region_path``: for an open group the community's
    staff (or, escalated, the township's heads); for a restricted group the units whose
    function the group lists that serve the place (escalated, their heads)."""
    members = Membership.objects.filter(user__is_active=True, organisation__is_active=True).exclude(
        role__in=[Role.RESIDENT, Role.GRID_WORKER]
    )
    if group.open_to_local:
        kind = OrganisationKind.TOWNSHIP if township else OrganisationKind.COMMUNITY
        members = members.filter(
            organisation__kind=kind, organisation__regions__path__in=_prefixes(region_path)
        )
    else:
        codes = parse_functions(group.functions)
        kinds = [k for k, code in KIND_FUNCTION.items() if code in codes]
        members = members.filter(
            Q(organisation__function__in=codes) | Q(organisation__kind__in=kinds),
            organisation__regions__path__in=_prefixes(region_path),
        )
    if township:
        heads = members.filter(Q(is_head=True) | Q(role=Role.LEADER))
        members = heads if heads.exists() else members
    return set(members.values_list("user_id", flat=True))


def _claim(rows, field: str, now) -> list[Visit]:
    """The visits this run stamps: another watcher may have taken some."""
    return [
        v
        for v in rows
        if Visit.objects.filter(pk=v.pk, state=VisitState.DUE, **{f"{field}__isnull": True}).update(
            **{field: now}
        )
    ]


def _tell(visits: list[Visit], *, township: bool, today: dt.date) -> None:
    items = []
    for (path, _group), rows in groupby(visits, key=lambda v: (v.region_path, v.group_id)):
        rows = list(rows)
        group = rows[0].group
        recipients = _staff(path, group, township=township)
        if not township:
            recipients |= {v.worker_id for v in rows if v.worker_id}
        lines = [
            ngettext(
                "%(name)s (%(group)s), due %(due)s, %(days)d day late",
                "%(name)s (%(group)s), due %(due)s, %(days)d days late",
                (today - v.due_on).days,
            )
            % {
                "name": masking.masked_value(v.resident, "name"),
                "group": group.name,
                "due": f"{v.due_on:%Y-%m-%d}",
                "days": (today - v.due_on).days,
            }
            for v in rows
        ]
        if township:
            title = ngettext(
                "%(n)d care visit is long overdue", "%(n)d care visits are long overdue", len(rows)
            )
        else:
            title = ngettext("%(n)d care visit is late", "%(n)d care visits are late", len(rows))
        title %= {"n": len(rows)}
        items.append(
            notify.Item(
                recipients=sorted(recipients),
                kind="visit.escalated" if township else "visit.late",
                title=title,
                body="\n".join(lines),
                link=reverse("people:visits_late"),
                data={"visits": [v.pk for v in rows]},
            )
        )
    if items:
        notify.notify_each(items)


def notify_late(*, now=None, tell: bool = True) -> dict:
    """Tell the community of each visit on its first day late, and the township of each
    visit late by ``escalate_after_days()``; each once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    steps = [
        ("late_noticed_at", today, False),
        ("escalated_at", today - dt.timedelta(days=escalate_after_days()), True),
    ]
    done = {}
    for field, before, township in steps:
        late = (
            Visit.objects.filter(state=VisitState.DUE, due_on__lt=before)
            .filter(**{f"{field}__isnull": True})
            .select_related("group", "resident")
            .order_by("region_path", "group_id", "due_on", "pk")
        )
        count = 0
        while True:
            rows = list(late[:BATCH])  # the claimed ones leave the scan
            if not rows:
                break
            with transaction.atomic():
                claimed = _claim(rows, field, now)
                if claimed and tell:
                    # In the scan's order: one message per place and group.
                    _tell(claimed, township=township, today=today)
            count += len(claimed)
            if len(rows) < BATCH:
                break
        done["escalated" if township else "late_noticed"] = count
    return done


def tick(now=None) -> dict:
    """The visits' periodic job: plan, then tell of late visits."""
    return {**plan(now=now), **notify_late(now=now)}


__all__ = [
    "check_raise_need",
    "check_visit",
    "do_raise_need",
    "do_record_visit",
    "escalate_after_days",
    "far_metres",
    "notify_late",
    "photo_file",
    "plan",
    "tick",
]
