"""Repairs: a resident's request (a case on the case engine, channel REPAIR, owned by the
estate's property company), its rating, the escalation of a company that does not respond
in time, and the companies' monthly scores.

Score (out of 100, shown on the ranking page):
  40 × timeliness   (responded in time + finished in time) ÷ (2 × repairs)
+ 40 × satisfaction (satisfied or basically satisfied) ÷ rated
+ 20 × (1 − complaints per 100 repairs ÷ 20), not below 0
A month without repairs counts as fully on time, without ratings as fully satisfied.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation, OrganisationKind
from gongzhi.cases.choices import Channel, Satisfaction, State
from gongzhi.cases.intake.services import Report, do_report
from gongzhi.cases.models import Callback, Case
from gongzhi.cases.workflow.services import do_transition
from gongzhi.cases.workflow.table import transition
from gongzhi.community.models import (
    CompanyScore,
    ComplaintCategory,
    Estate,
    RepairRequest,
)
from gongzhi.community.points.services import do_award
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.people.members import villager

from . import queries
from .reference import ROOT_CODE

COMPLAINT_RADIUS_M = 300
ESCALATION_NOTE = "物业公司未在承诺时限内响应，已升级至社区处理。"


# -- a request ---------------------------------------------------------------------------


def check_request(*, user, category_id, description, estate_id=None, photos=()):
    """(estate, category, household_id) once the request can be made; raises otherwise."""
    from gongzhi.taxonomy.models import Category

    me = villager(user)
    if me is None:
        raise NotAllowed(
            "not_resident",
            _(
                "Only a registered resident can ask for a repair: your ID number is not in the register."
            ),
        )
    estate = queries.home_estate(user)
    if estate is None:
        raise ServiceError(
            "no_estate", _("Your home is not in an estate with a property company."), "estate"
        )
    if estate_id not in (None, "", estate.pk) and str(estate_id) != str(estate.pk):
        raise ServiceError(
            "not_your_estate", _("You can only ask for repairs in your own estate."), "estate"
        )
    if estate.company_id is None or not estate.company.is_active:
        raise ServiceError(
            "no_company", _("Your estate has no property company at the moment."), "estate"
        )
    errors = []
    category = None
    try:
        category = Category.objects.filter(
            pk=int(category_id), parent__code=ROOT_CODE, enabled=True
        ).first()
    except (TypeError, ValueError):
        pass
    if category is None:
        errors.append(
            ServiceError("required", _("Please choose what needs repairing."), "category")
        )
    text = (description or "").strip()
    if len(text) < 4:
        errors.append(
            ServiceError("required", _("Please describe what needs repairing."), "description")
        )
    elif len(text) > 2000:
        errors.append(ServiceError("too_long", _("The description is too long."), "description"))
    if errors:
        raise ServiceError.first_of(errors)
    return estate, category, me.household_id


def do_request(*, user, category_id, description, estate_id=None, photos=(), key=None, now=None):
    """Make the repair case (dispatched to the company at once by the REPAIR channel's
    policy; the engine tells the company) and its ``RepairRequest``. ``key`` makes a
    retried form post return the first request."""
    estate, category, household_id = check_request(
        user=user, category_id=category_id, description=description, estate_id=estate_id
    )
    text = description.strip()
    report = Report(
        channel=Channel.REPAIR,
        title=f"{estate.name}·{category.name}：{text}"[:60],
        description=text,
        category=category,
        lng=estate.lng,
        lat=estate.lat,
        address=estate.address or estate.name,
        reporter_name=getattr(user, "display_name", "") or "",
        reporter_phone=getattr(user, "mobile", "") or "",
        attributes={"estate": estate.pk},
        idempotency_key=f"repair:{key}" if key else None,
    )
    with transaction.atomic():
        case, created = do_report(report=report, reporter=user, photos=photos, now=now)
        if not created:
            found = RepairRequest.objects.filter(case=case).first()
            if found is not None:
                return found
        repair = RepairRequest.objects.create(
            case=case,
            estate=estate,
            company_id=estate.company_id,
            household_id=household_id,
            requested_by=user,
            region_id=estate.region_id,
            region_path=estate.region_path,
        )
        if now is not None:  # the demo dates its history
            RepairRequest.objects.filter(pk=repair.pk).update(created_at=now)
    return repair


def get_visible(*, user, repair_id) -> RepairRequest:
    found = queries.repairs_for(user).filter(pk=repair_id).first()
    if found is None:
        raise NotFound("repair_not_found", _("The repair request does not exist."))
    return found


# -- rating ------------------------------------------------------------------------------


def check_rate(*, user, repair: RepairRequest, resolved, satisfaction):
    if repair.case.reporter_id != user.pk:
        raise NotAllowed("not_reporter", _("Only the person who asked can rate this repair."))
    if repair.case.state != State.CLOSED:
        raise ServiceError("not_closed", _("A repair can be rated once it is done and checked."))
    if resolved is None:
        raise ServiceError("required", _("Say whether the problem was solved."), "resolved")
    if satisfaction not in Satisfaction.values:
        raise ServiceError("required", _("Choose how satisfied you are."), "satisfaction")


def do_rate(*, user, repair: RepairRequest, resolved, satisfaction, comment="", now=None):
    """The reporter's rating: the engine's ``callback`` (an unhappy answer reopens the
    case), then the household's points for a rated repair (once per repair)."""
    check_rate(user=user, repair=repair, resolved=resolved, satisfaction=satisfaction)
    with transaction.atomic():
        case = do_transition(
            case=repair.case,
            action="callback",
            actor=user,
            resolved=bool(resolved),
            satisfaction=satisfaction,
            comment=(comment or "").strip()[:500],
        )
        if repair.household_id:
            do_award(
                household_id=repair.household_id,
                rule_code="repair_rated",
                source=f"repair:{repair.pk}",
                by=user,
                reason=case.number,
                now=now,
            )
    repair.case = case
    return repair


def rating_of(repair: RepairRequest):
    return Callback.objects.filter(case_id=repair.case_id).order_by("-created_at").first()


# -- escalation --------------------------------------------------------------------------


def community_for(estate: Estate) -> Organisation | None:
    """The community (or village) committee serving the estate's community."""
    return (
        Organisation.objects.filter(
            kind=OrganisationKind.COMMUNITY, is_active=True, regions=estate.region_id
        )
        .order_by("path")
        .first()
    )


def due_for_escalation(now):
    return RepairRequest.objects.filter(
        escalated_at__isnull=True,
        case__state=State.DISPATCHED,
        case__sign_for_due__lt=now,
        case__owner_id=F("company_id"),
    )


def do_escalate(*, repair_id: int, now=None) -> bool:
    """Escalate one repair the company did not sign for in time: the engine's ``escalate``
    then ``dispatch`` to the estate's community committee. ``escalated_at`` is set by a
    conditional update, so two ticks escalate it once. Returns whether this call did it."""
    now = now or timezone.now()
    with transaction.atomic():
        taken = RepairRequest.objects.filter(pk=repair_id, escalated_at__isnull=True).update(
            escalated_at=now
        )
        if not taken:
            return False
        repair = RepairRequest.objects.select_related("estate").get(pk=repair_id)
        community = community_for(repair.estate)
        case_id = repair.case_id
        note = ESCALATION_NOTE
        try:
            with transaction.atomic():
                transition(case_id=case_id, action="escalate", actor=None, now=now, reason=note)
        except ServiceError:
            # No command centre above this one: hand it back so it can go to the community.
            transition(case_id=case_id, action="return", actor=None, now=now, reason=note)
        if community is not None:
            transition(
                case_id=case_id,
                action="dispatch",
                actor=None,
                now=now,
                organisation=community,
                note=note,
            )
    return True


def escalate_overdue(*, now) -> int:
    done = 0
    for repair_id in due_for_escalation(now).values_list("pk", flat=True):
        done += do_escalate(repair_id=repair_id, now=now)
    return done


# -- monthly scores ----------------------------------------------------------------------


def month_start(day) -> dt.date:
    return dt.date(day.year, day.month, 1)


def _bounds(month: dt.date):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, dt.datetime.combine(following, dt.time.min, tzinfo=tz)


def _metres(lng1, lat1, lng2, lat2) -> float:
    k = 111_320.0
    dx = (lng2 - lng1) * k * math.cos(math.radians((lat1 + lat2) / 2))
    dy = (lat2 - lat1) * k
    return math.hypot(dx, dy)


def score_of(*, repairs, responded, finished, rated, satisfied, complaints) -> Decimal:
    timeliness = (responded + finished) / (2 * repairs) if repairs else 1.0
    satisfaction = satisfied / rated if rated else 1.0
    per_100 = complaints * 100 / repairs if repairs else complaints * 100
    complaint_part = max(0.0, 1 - per_100 / 20)
    total = 40 * timeliness + 40 * satisfaction + 20 * complaint_part
    return Decimal(str(round(total, 1)))


def complaints_by_company(start, end) -> dict[int, int]:
    """Complaint cases of the month (categories in ``ComplaintCategory`` and below), each
    counted for the company whose estate it lies within ~300 m of or names."""
    paths = list(
        ComplaintCategory.objects.filter(enabled=True).values_list("category__path", flat=True)
    )
    if not paths:
        return {}
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(category__path__startswith=path)
    cases = (
        Case.objects.filter(q, created_at__gte=start, created_at__lt=end)
        .exclude(channel=Channel.REPAIR)
        .values_list("lng", "lat", "title", "description", "address")
    )
    estates = list(
        Estate.objects.filter(company__isnull=False).values_list("company_id", "name", "lng", "lat")
    )
    counts: dict[int, int] = {}
    for lng, lat, *texts in cases:
        text = " ".join(t or "" for t in texts)
        hit = set()
        for company_id, name, e_lng, e_lat in estates:
            near = (
                lng is not None
                and e_lng is not None
                and _metres(lng, lat, e_lng, e_lat) <= COMPLAINT_RADIUS_M
            )
            if near or (name and name in text):
                hit.add(company_id)
        for company_id in hit:
            counts[company_id] = counts.get(company_id, 0) + 1
    return counts


def do_score_month(*, month, now=None) -> list[CompanyScore]:
    """Compute (again) every company's score for the month and rank them."""
    month = month_start(month)
    start, end = _bounds(month)
    companies = list(
        Organisation.objects.filter(
            kind=OrganisationKind.PROPERTY_COMPANY, estates__isnull=False
        ).distinct()
    )
    complaints = complaints_by_company(start, end)
    rows = []
    for company in companies:
        repairs = RepairRequest.objects.filter(
            company=company, case__created_at__gte=start, case__created_at__lt=end
        )
        n = repairs.count()
        responded = repairs.filter(case__sign_for_met=True).count()
        finished = repairs.filter(case__resolve_met=True).count()
        latest = {}
        for case_id, satisfaction in (
            Callback.objects.filter(case__repair__in=repairs)
            .order_by("created_at", "pk")
            .values_list("case_id", "satisfaction")
        ):
            latest[case_id] = satisfaction  # the last answer counts
        rated = len(latest)
        satisfied = sum(
            1 for s in latest.values() if s in (Satisfaction.SATISFIED, Satisfaction.BASIC)
        )
        c = complaints.get(company.pk, 0)
        rows.append(
            dict(
                company=company,
                repairs=n,
                responded_in_time=responded,
                finished_in_time=finished,
                rated=rated,
                satisfied=satisfied,
                complaints=c,
                score=score_of(
                    repairs=n,
                    responded=responded,
                    finished=finished,
                    rated=rated,
                    satisfied=satisfied,
                    complaints=c,
                ),
            )
        )
    rows.sort(key=lambda r: (-r["score"], r["company"].name))
    saved = []
    with transaction.atomic():
        rank, previous = 0, None
        for position, row in enumerate(rows, start=1):
            if row["score"] != previous:
                rank, previous = position, row["score"]
            company = row.pop("company")
            score, _created = CompanyScore.objects.update_or_create(
                company=company, month=month, defaults={**row, "rank": rank}
            )
            saved.append(score)
    return saved


def can_rate(*, user, repair) -> bool:
    try:
        check_rate(user=user, repair=repair, resolved=True, satisfaction=Satisfaction.SATISFIED)
    except ServiceError:
        return False
    return not Callback.objects.filter(
        case_id=repair.case_id, created_at__gte=repair.case.closed_at
    ).exists()
