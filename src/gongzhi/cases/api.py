"""The cases part of the JSON API (mounted at /api/v1/cases by ``gongzhi.api``).

POST /cases         report a problem (intake through ``services.do_report``)
GET  /cases/rates   the three rates, grouped, over the cases the caller may see

Thin on purpose (rule 1): parse, call one service, shape the answer.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status

from gongzhi.accounts.models import Membership, Role
from gongzhi.api import ErrorOut
from gongzhi.regions import lookup
from gongzhi.regions.models import Grid
from gongzhi.taxonomy.models import Category

from . import services, stats
from .choices import Channel
from .errors import CaseError, NotAllowed
from .forms import IDEMPOTENCY_KEY_RE, scoped_idempotency_key

router = Router(tags=["cases"])

GroupBy = Literal["unit", "county", "township", "category", "day", "week", "month", "all"]
PERIODS = frozenset({"day", "week", "month"})
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}

# Who may report through which channel: a resident cannot claim to be a grid worker (whose
# reports skip acceptance), and only the hotline desk types in a caller's report.
OPEN_CHANNELS = frozenset({Channel.API, Channel.QUICK_REPORT})
HOTLINE_ROLES = frozenset({Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.ADMINISTRATOR})


# --- the three rates ---------------------------------------------------------------------


class RateCounts(Schema):
    response_base: int
    responded: int
    rated: int
    solved: int
    satisfied: int


class RateRow(Schema):
    key: str
    label: str
    total: int
    overdue: int
    response_rate: float | None = Field(description="响应率: signed for in time")
    resolution_rate: float | None = Field(description="解决率: solved, says the callback")
    satisfaction_rate: float | None = Field(description="满意率: satisfied or basically")
    counts: RateCounts


class RatesOut(Schema):
    group_by: str
    start: dt.date | None
    end: dt.date | None
    rows: list[RateRow]


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _period_label(value) -> str:
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).date().isoformat()
            if timezone.is_aware(value)
            else (value.date().isoformat())
        )
    return str(value)


@router.get("/rates", response={200: RatesOut, **ERRORS}, summary="The three rates")
def rates(
    request,
    group_by: GroupBy = "all",
    start: dt.date | None = None,
    end: dt.date | None = None,
):
    """响应率, 解决率 and 满意率 of the cases reported from ``start`` to ``end`` (both whole
    days, Asia/Shanghai, inclusive), grouped, over the cases the caller may see."""
    if start and end and end < start:
        raise CaseError("invalid_range", _("The end date is before the start date."), "end")
    rows = stats.rates(
        viewer=request.user,
        group_by=group_by,
        start=local_midnight(start) if start else None,
        end=local_midnight(end + dt.timedelta(days=1)) if end else None,
    )
    if group_by in PERIODS:
        for row in rows:
            row["key"] = row["label"] = _period_label(row["label"])
    else:
        for row in rows:
            row["label"] = str(row["label"] if row["label"] is not None else "")
    return {"group_by": group_by, "start": start, "end": end, "rows": rows}


# --- intake ------------------------------------------------------------------------------


class ReportIn(Schema):
    title: str = Field("", max_length=120)
    description: str = Field("", max_length=5000)
    category: str = Field(..., max_length=40, description="category code, e.g. G02.01")
    lng: float | None = None
    lat: float | None = None
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    address: str = Field("", max_length=200)
    channel: Literal["api", "quick_report", "grid_worker", "hotline"] | None = Field(
        None, description="default: grid_worker for grid workers, api otherwise"
    )
    is_anonymous: bool = False
    is_urgent: bool = Field(False, description="hotline only")
    reporter_name: str = Field("", max_length=50, description="hotline only: the caller")
    reporter_phone: str = Field("", max_length=30, description="hotline only: the caller")


class CaseOut(Schema):
    number: str
    title: str
    state: str
    category: str
    channel: str
    grid: str | None
    command: str | None
    owner: str | None
    created_at: dt.datetime
    sign_for_due: dt.datetime | None
    resolve_due: dt.datetime | None
    created: bool


def _roles(user) -> set[str]:
    # One query: intake needs only the roles, not the regions the full scope reads.
    roles = set(
        Membership.objects.filter(user=user, organisation__is_active=True).values_list(
            "role", flat=True
        )
    )
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return roles or {Role.RESIDENT}


def _channel(user, asked: str | None) -> str:
    roles = _roles(user)
    if asked is None:
        return Channel.GRID_WORKER if Role.GRID_WORKER in roles else Channel.API
    if asked in OPEN_CHANNELS:
        return asked
    if asked == Channel.GRID_WORKER and Role.GRID_WORKER in roles:
        return asked
    if asked == Channel.HOTLINE and roles & HOTLINE_ROLES:
        return asked
    raise NotAllowed(
        "channel_not_allowed", _("You may not report through this channel."), "channel"
    )


def _category(code: str) -> Category:
    found = Category.objects.filter(code=code.strip(), enabled=True).first()
    if found is None:
        raise CaseError("unknown_category", _("There is no such category."), "category")
    return found


def _key(user, raw: str | None) -> str | None:
    if raw is None or raw == "":
        return None
    if not re.match(IDEMPOTENCY_KEY_RE, raw):
        raise CaseError(
            "invalid_idempotency_key",
            _("The Idempotency-Key header must be 8 to 64 letters, digits, “-” or “_”."),
            "Idempotency-Key",
        )
    return scoped_idempotency_key(user, raw)


@router.post("", response={201: CaseOut, 200: CaseOut, **ERRORS}, summary="Report a problem")
def report(
    request,
    payload: ReportIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Create a case. Send a fresh ``Idempotency-Key`` with each new report: a retry with the
    same key returns the first case (status 200) and creates nothing."""
    user = request.user
    channel = _channel(user, payload.channel)
    hotline = channel == Channel.HOTLINE
    case, created = services.do_report(
        report=services.Report(
            channel=channel,
            title=payload.title,
            description=payload.description,
            category=_category(payload.category),
            lng=payload.lng,
            lat=payload.lat,
            crs=payload.crs,
            address=payload.address,
            reporter_name=payload.reporter_name if hotline else "",
            reporter_phone=payload.reporter_phone if hotline else "",
            is_anonymous=payload.is_anonymous and not hotline,
            is_urgent=payload.is_urgent and hotline,
            idempotency_key=_key(user, idempotency_key),
        ),
        reporter=None if hotline else user,
        entered_by=user if hotline else None,
    )
    return Status(201 if created else 200, _case_out(case, created))


def _case_out(case, created: bool) -> dict:
    return {
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "category": case.category.code,
        "channel": case.channel,
        "grid": _grid_code(case.grid_id),
        "command": case.command.name if case.command_id else None,
        "owner": case.owner.name if case.owner_id else None,
        "created_at": case.created_at,
        "sign_for_due": case.sign_for_due,
        "resolve_due": case.resolve_due,
        "created": created,
    }


def _grid_code(grid_id: int | None) -> str | None:
    if grid_id is None:
        return None
    info = lookup.grid_info(grid_id)  # from memory: the grid row holds its whole boundary
    if info is not None:
        return info.code
    return Grid.objects.filter(pk=grid_id).values_list("code", flat=True).first()
