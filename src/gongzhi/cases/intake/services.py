"""Intake and the reads around it. Views and the API call these; state changes go
through ``workflow.transition``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

import shapely
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import masking
from gongzhi.accounts.validators import normalise_phone
from gongzhi.cases import channels, live, media, notes
from gongzhi.cases.choices import FINAL_STATES, Channel, State
from gongzhi.cases.intake.numbers import next_number
from gongzhi.cases.models import Case, CaseEvent, CaseSupport
from gongzhi.cases.triage import hooks as triage_hooks
from gongzhi.cases.workflow import reference, relations, routing
from gongzhi.cases.workflow import table as workflow
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.regions import gazetteer
from gongzhi.regions.coords import to_wgs84
from gongzhi.regions.lookup import current as grid_index
from gongzhi.regions.lookup import locate
from gongzhi.regions.models import Region
from gongzhi.taxonomy.attributes import AnswerError, clean_answers
from gongzhi.taxonomy.models import Category


@dataclass
class Report:
    """A report as it arrives, before it is a case."""

    channel: str
    title: str = ""
    description: str = ""
    category_id: int | None = None
    category: Category | None = None  # the row itself, when the caller has already read it
    lng: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    is_anonymous: bool = False
    is_urgent: bool = False
    idempotency_key: str | None = None
    # Answers to the category's questions, already checked (``taxonomy.attributes``).
    attributes: dict = field(default_factory=dict)
    # The answers as a person gave them (code → list of strings), from a channel that asks
    # the questions (随手拍, the hotline form, the JSON API): ``check_report`` checks them
    # with ``taxonomy.attributes.clean_answers`` and keeps the result in ``attributes``.
    # None for a report made by the platform itself (a sensor, a patrol …): nobody was asked.
    answers: dict[str, list[str]] | None = None
    # Set by ``check_report`` when the point was taken from the address (the street gazetteer).
    placed_by: str = ""


def _check_phone(phone: str) -> str:
    found = normalise_phone(phone)
    if found is None:
        raise ServiceError(
            "invalid_phone", _("Enter a valid mobile or landline number."), "reporter_phone"
        )
    return found


def check_report(report: Report, photos=()) -> tuple[Category, list]:
    """Validate everything before anything is written (rule 6). Every problem is named at
    once, so that a caller on the line is not asked four times."""
    if report.channel not in Channel.values:
        raise ServiceError("invalid_channel", _("Unknown reporting channel."), "channel")
    errors: list[ServiceError] = []
    report.title = (report.title or "").strip()
    report.description = (report.description or "").strip()
    if not report.title and report.description:
        report.title = report.description[:30]
    if len(report.title) < 2:
        errors.append(ServiceError("required", _("Please describe the problem."), "description"))
    elif len(report.title) > 120 or len(report.description) > 5000:
        errors.append(ServiceError("too_long", _("The description is too long."), "description"))
    category = report.category if report.category and report.category.enabled else None
    if category is None and report.category_id:
        category = Category.objects.filter(pk=report.category_id, enabled=True).first()
    if category is None:
        errors.append(ServiceError("required", _("Please choose a category."), "category"))
    elif not channels.offered([category], channel=report.channel):
        errors.append(
            ServiceError(
                "invalid_category",
                _("That category is not for this kind of report: please choose another."),
                "category",
            )
        )
    elif report.answers is not None:
        try:
            report.attributes = clean_answers(category, report.answers)
        except AnswerError as error:
            errors.append(ServiceError(error.code, error.message, f"attribute[{error.field}]"))
    has_point = report.lng is not None and report.lat is not None
    report.address = (report.address or "").strip()[:200]
    if has_point:
        try:
            report.lng, report.lat = _check_point(report.lng, report.lat, report.crs)
        except ServiceError as error:
            errors.append(error)
    elif not report.address:
        errors.append(
            ServiceError("required", _("Please give the location or the address."), "location")
        )
    else:
        # No pin, but an address on a street of the gazetteer: the case gets its point there.
        placed = place_address(report.address)
        if placed is not None:
            report.lng, report.lat, report.crs = placed["lng"], placed["lat"], "wgs84"
            report.placed_by = "address"
    report.reporter_name = (report.reporter_name or "").strip()[:50]
    if report.channel == Channel.HOTLINE and not (report.reporter_phone or "").strip():
        errors.append(
            ServiceError("required", _("Please enter the caller's phone number."), "reporter_phone")
        )
    elif report.reporter_phone:
        try:
            report.reporter_phone = _check_phone(report.reporter_phone)
        except ServiceError as error:
            errors.append(error)
    try:
        images = media.check_photos(photos)
    except ServiceError as error:
        errors.append(error)
    if errors:
        raise ServiceError.first_of(errors)
    return category, images


def _check_point(lng, lat, crs: str) -> tuple[float, float]:
    try:
        lng, lat = float(lng), float(lat)
    except (TypeError, ValueError):
        raise ServiceError(
            "invalid_location", _("The location is not a valid point."), "location"
        ) from None
    if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        raise ServiceError("invalid_location", _("The location is not a valid point."), "location")
    lng, lat = to_wgs84(lng, lat, crs)
    lng, lat = float(lng), float(lat)
    if not _within_area(lng, lat):
        raise ServiceError(
            "outside_area",
            _("This point is outside the area this platform serves: please check the location."),
            "location",
        )
    return lng, lat


# How far beyond its outermost grids the platform still takes a point (about 50 km): a
# road just past the last grid is placed by its nearest grid or by its address, while a
# point at (0, 0) — a phone without a fix — or in another country is refused.
AREA_MARGIN_DEG = 0.5
_extent: tuple = (None, None)  # (the grid index it was computed from, its bounds)


def place_address(address: str) -> dict | None:
    """Where the street gazetteer puts a typed address ("西大街12号"), within the platform's
    area: {lng, lat, label (street and number), by_number, grid (name) and place (township
    · community)}; None when it names no street of the gazetteer."""
    placed = gazetteer.geocode(address)
    if placed is None or not _within_area(placed.lng, placed.lat):
        return None
    hit = locate(placed.lng, placed.lat)
    return {
        "lng": placed.lng,
        "lat": placed.lat,
        "label": placed.label,
        "by_number": placed.by_number,
        "grid": hit.name if hit is not None else "",
        "grid_code": hit.code if hit is not None else "",
        "place": " · ".join(_local_names(hit.region_path if hit else placed.region_path)),
    }


def _local_names(path: str) -> list[str]:
    """The township and community names along a region path."""
    codes = [c for c in (path or "").strip("/").split("/") if c]
    rows = dict(
        Region.objects.filter(code__in=codes, level__in=("township", "community")).values_list(
            "code", "name"
        )
    )
    return [rows[c] for c in codes if c in rows]


def address_warnings(*, address: str, lng, lat) -> list[str]:
    """The typed address names a township, community or street that the pin is not in: a
    warning for the operator (the pin or the address is wrong), never a refusal."""
    address = (address or "").strip()
    if len(address) < 2 or lng is None or lat is None:
        return []
    hit = locate(float(lng), float(lat))
    if hit is None:
        return []
    pin = " · ".join(_local_names(hit.region_path)) or hit.name
    placed = gazetteer.geocode(address)
    # The places named besides the street: "古城大街" names a street, not 古城乡.
    rest = address.replace(placed.matched, " ") if placed is not None else address
    named = triage_hooks.locate_text(rest)
    if named and not hit.region_path.startswith(named["region_path"]):
        return [
            _(
                "The address names %(named)s, but the pin is in %(pin)s: please check which is right."
            )
            % {"named": named["region_name"], "pin": pin}
        ]
    if placed is not None and not hit.region_path.startswith(placed.region_path):
        return [
            _("%(street)s is in %(named)s, but the pin is in %(pin)s: please check which is right.")
            % {"street": placed.street, "named": placed.region_name, "pin": pin}
        ]
    return []


def _within_area(lng: float, lat: float) -> bool:
    global _extent
    index = grid_index()
    if _extent[0] is not index:
        geoms = index.index.geoms
        bounds = shapely.total_bounds(geoms) if len(geoms) else None
        _extent = (index, bounds)
    bounds = _extent[1]
    if bounds is None or not all(map(math.isfinite, bounds)):
        return True  # no grids yet (a new installation): nothing to compare with
    min_lng, min_lat, max_lng, max_lat = bounds
    m = AREA_MARGIN_DEG
    return min_lng - m <= lng <= max_lng + m and min_lat - m <= lat <= max_lat + m


def _existing(key: str | None) -> Case | None:
    if not key:
        return None
    # Nearly every key is new: ask the unique index for a bare id before reading a row.
    pk = Case.objects.filter(idempotency_key=key).values_list("pk", flat=True).first()
    return Case.objects.get(pk=pk) if pk is not None else None


def do_report(
    *, report: Report, reporter=None, entered_by=None, photos=(), admit=None, now=None
) -> tuple[Case, bool]:
    """Create a case from a report. Returns (case, created); a retried report with the same
    idempotency key returns the first case and creates nothing.

    ``admit``, when given, is called only for a report that is not a retry, before anything
    is written (a rate limit: a retry of a report already made is not counted against it).
    ``now`` dates the report (a history replayed, an import): the case, its first steps and
    the clocks they start; by default it is the present.
    """
    found = _existing(report.idempotency_key)
    if found:
        return found, False
    if admit is not None:
        admit()
    category, images = check_report(report, photos)
    # On PostgreSQL the day's counter is taken by one statement outside the case's
    # transaction, so concurrent reports are not queued behind its row lock while each case
    # is built (a report that fails after this point leaves a gap in the day's numbers,
    # never a duplicate). SQLite has one lock for every write: taking it twice would only
    # hand it over once more.
    number = None if connection.vendor == "sqlite" else next_number()
    try:
        with transaction.atomic():
            number = number or next_number()
            case = _create(report, number, category, reporter, entered_by, images, now=now)
            live.case_new(case)  # the big screen hears of it after the commit
    except IntegrityError:
        found = _existing(report.idempotency_key)
        if found:  # a concurrent retry won the race
            return found, False
        raise
    return case, True


def do_answer_call(
    *, report: Report, operator, answer: str, entry=None, admit=None
) -> tuple[Case, bool]:
    """直接答复 at intake: the call is a consultation the operator answers on the line; the
    case is made and closed with the answer in one transaction (nothing is kept when either
    is refused). A retried submission returns the first case, as ``do_report`` does."""
    if len((answer or "").strip()) < 2:
        raise ServiceError("required", _("Please write the answer given to the caller."), "answer")
    found = _existing(report.idempotency_key)
    if found:
        return found, False
    with transaction.atomic():
        case, created = do_report(report=report, entered_by=operator, admit=admit)
        if created:
            case = workflow.transition(
                case_id=case.pk, action="answer", actor=operator, answer=answer, entry=entry
            )
    return case, created


def _create(report, number, category, reporter, entered_by, images, *, now=None) -> Case:
    dated = now is not None
    now = now or timezone.now()
    case = Case(
        created_at=now,  # the acceptance clock starts here (``deadlines.on_new_case``)
        number=number,
        title=report.title,
        description=report.description,
        category=category,
        channel=report.channel,
        is_urgent=report.is_urgent,
        reporter=None if report.is_anonymous else reporter,
        reporter_name="" if report.is_anonymous else report.reporter_name,
        reporter_phone="" if report.is_anonymous else report.reporter_phone,
        is_anonymous=report.is_anonymous,
        entered_by=entered_by,
        lng=report.lng,
        lat=report.lat,
        address=report.address,
        idempotency_key=report.idempotency_key or None,
        attributes=report.attributes or {},
    )
    hit = None
    if report.lng is not None:
        hit = locate(report.lng, report.lat)
        if hit is not None:
            # All from the in-memory index: grid and region rows carry whole boundaries.
            case.grid_id, case.region_path = hit.grid_id, hit.region_path
            case.region_id = reference.table().region_id.get(hit.community_code)
    elif report.address:
        # A caller gives an address, not a point: place it from the names it contains.
        triage_hooks.place_from_text(case, report.address)
    case.command = routing.command_for(case.region_path)
    # The timeline names who made the report: the resident or grid worker, or the operator
    # who took the call (the caller has no account); nobody for an anonymous report.
    actor = None if report.is_anonymous else (reporter or entered_by)
    report_event = workflow.FLOW.new_event(
        case,
        "report",
        actor=actor,
        before="",
        after=State.REPORTED,
        actor_organisation=(
            relations.acting_organisation(entered_by, case)
            if actor is not None and actor == entered_by
            else None
        ),
        data={
            "channel": report.channel,
            "grid": hit.code if hit is not None else None,
            **({"placed_by": report.placed_by} if report.placed_by else {}),
        },
        at=now,
    )
    events = [report_event]
    policy = reference.table().policies.get(report.channel)
    if policy and policy.auto_accept:
        # The case is not written yet: the transitions change it in memory and leave their
        # events unsaved, and it is inserted once, in its final state, with all of them.
        case = workflow.transition(
            case_id=None,
            action="accept",
            actor=None,
            held=case,
            note=_(notes.AUTO_ACCEPTED),
            now=now,
        )
        events.append(case.last_event)
        if policy.auto_dispatch and routing.route_owner(case) is not None:
            case = workflow.transition(
                case_id=None, action="dispatch", actor=None, held=case, now=now
            )
            events.append(case.last_event)
    # Triage and the steps' notices and events come next, in batches (follow_up.py).
    case.follow_up_pending = True
    case.save(force_insert=True)
    if dated:  # ``created_at`` is set on insert to the present: put the given time back
        Case.objects.filter(pk=case.pk).update(created_at=now, updated_at=now)
        case.created_at = case.updated_at = now
    CaseEvent.objects.bulk_create(events)
    case.last_event = events[-1]
    for image in images:
        media.store_photo(case=case, image=image, stage="report", user=reporter, event=report_event)
    return case


def nearby_open_cases(
    *,
    category,
    viewer,
    lng: float | None = None,
    lat: float | None = None,
    place=None,
    text: str = "",
    radius_m=200,
    days=7,
    limit=10,
) -> list[dict]:
    """The intake hint: open cases of the same category within ``radius_m`` of the point (or,
    for a hotline call with only an address, in the grid or community it names: ``place``, a
    ``triage.gazetteer.TextLocation``) over the last ``days``, the likeliest repeat of what the
    reporter is typing first (triage's duplicate scorer over distance, time, category and
    text), else the nearest first.

    The hint is a public summary (title, state, distance, supports; never who reported it),
    shown to anyone signed in, so that a resident can add their voice to a case (``do_support``)
    instead of repeating it. Each row: case, metres (None by place), score, likely (a probable
    duplicate), supports, and whether the viewer may open the case page.
    """
    since = timezone.now() - timedelta(days=days)
    # Categories kept out of public feeds (tip-offs, disputes …) are hinted only within scope.
    shown = Case.objects.all() if category.is_listed_publicly() else Case.objects.visible_to(viewer)
    shown = shown.open().filter(category=category, created_at__gte=since)
    if lng is not None and lat is not None:
        dlat = radius_m / 111_320
        dlng = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
        shown = shown.filter(
            lng__range=(lng - dlng, lng + dlng), lat__range=(lat - dlat, lat + dlat)
        )
    elif place is not None and place.grid_code:
        shown = shown.filter(grid__code=place.grid_code)
    elif place is not None:
        shown = shown.filter(region_path__startswith=place.region_path)
    else:
        return []
    candidates = list(
        shown.annotate(n_supports=Count("supports", distinct=True))
        .only("number", "title", "description", "lng", "lat", "state", "created_at", "reporter_id")
        .order_by("-created_at")[:200]
    )
    if lng is not None and lat is not None:
        near = [(c, _metres(lng, lat, c.lng, c.lat)) for c in candidates]
        near = [(c, d) for c, d in near if d <= radius_m]
    else:
        near = [(c, None) for c in candidates]
    scores = triage_hooks.duplicate_scores(
        text=text, lng=lng, lat=lat, category=category, cases=[c for c, _d in near]
    )
    threshold = triage_hooks.duplicate_threshold()
    score = {pk: found["score"] for pk, found in scores.items()}
    near.sort(key=lambda t: (-score.get(t[0].pk, 0.0), t[1] or 0.0))
    near = near[:limit]
    visible = set(
        Case.objects.visible_to(viewer)
        .filter(pk__in=[c.pk for c, _d in near])
        .values_list("pk", flat=True)
    )
    supported = set(
        CaseSupport.objects.filter(user=viewer, case__in=[c for c, _d in near]).values_list(
            "case_id", flat=True
        )
    )
    return [
        {
            "case": c,
            "title": masking.mask_numbers_in_text(c.title),
            "distance": None if d is None else round(d),
            "supported": c.pk in supported,
            "score": score.get(c.pk),
            "likely": score.get(c.pk, 0.0) >= threshold,
            # Why it may be the same problem: shared words and place, days apart (the hint's
            # public summary: words of the case's own title and text, never who reported it).
            "why": scores.get(c.pk),
            "supports": c.n_supports,
            "own": viewer is not None and c.reporter_id == viewer.pk,
            "visible": c.pk in visible,
        }
        for c, d in near
    ]


def check_support(*, case: Case, user) -> None:
    if not user.is_authenticated:
        raise NotAllowed("login_required", _("Please sign in first."))
    # What the hint shows anyone: open cases of public categories; the rest only in scope.
    # Any other case is answered as if its number had never been given, so that the
    # endpoint cannot be used to learn which case numbers exist.
    shown_to_anyone = case.category.is_listed_publicly() and case.state not in FINAL_STATES
    if not shown_to_anyone and not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        raise NotFound("case_not_found", _("The case does not exist."))
    if case.state in FINAL_STATES:
        raise ServiceError("case_not_open", _("This case is no longer open."))
    if case.reporter_id == user.pk:
        raise ServiceError("own_case", _("This is your own report."))


def do_support(*, case: Case, user, words: dict | None = None) -> tuple[int, bool]:
    """我也遇到: the user has the same problem. One support per person; returns the case's
    number of supports and whether this one was new. ``words``: what they were typing
    (description, lng, lat), kept with a new support as a verdict on the pair (phone and
    ID numbers masked) for the duplicate scorer's calibration."""
    check_support(case=case, user=user)
    with transaction.atomic():
        support, created = CaseSupport.objects.get_or_create(case=case, user=user)
        if created and words:
            triage_hooks.record_support(
                support=support,
                case=case,
                title="",
                text=masking.mask_numbers_in_text(words.get("description") or "") or "",
                lng=words.get("lng"),
                lat=words.get("lat"),
            )
    return CaseSupport.objects.filter(case=case).count(), created


def _metres(lng1, lat1, lng2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


# --- the caller's history (hotline) ------------------------------------------------------

CALLER_HISTORY_LIMIT = 10


@dataclass
class CallerHistory:
    phone: str  # normalised
    count: int
    cases: list


def check_caller_history(*, viewer, phone: str) -> str | None:
    """The number as stored on cases, or None when what is typed is not yet a number (no
    lookup and nothing audited). The view refuses roles that take no calls."""
    return normalise_phone((phone or "")[:30])


def do_caller_history(*, viewer, phone: str, request=None) -> CallerHistory:
    """The earlier cases reported from this number that the operator may see (newest first,
    at most ``CALLER_HISTORY_LIMIT``, and how many in all). The lookup is audited: it
    reveals that the number called."""
    from gongzhi.core import audit

    cases = Case.objects.visible_to(viewer).filter(reporter_phone=phone)
    count = cases.count()
    rows = list(
        cases.select_related("category")
        .only(
            "number", "created_at", "state", "title", "channel", "category", "category__full_name"
        )
        .order_by("-created_at", "-id")[:CALLER_HISTORY_LIMIT]
    )
    audit.record(
        actor=viewer,
        action="caller_history",
        reason=f"{masking.mask_mobile(phone)} ({count})",
        request=request,
    )
    return CallerHistory(phone=phone, count=count, cases=rows)
