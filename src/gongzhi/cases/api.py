"""The cases part of the JSON API (mounted at /api/v1/cases by ``gongzhi.api``).

POST /cases                          report a problem (intake through ``services.do_report``)
GET  /cases                          the caller's cases: filters, ordering, pages
GET  /cases/rates                    the three rates, grouped, over the cases the caller may see
GET  /cases/{number}                 one case, personal data masked, with the caller's actions
GET  /cases/{number}/timeline        its timeline
POST /cases/{number}/reveal          the reporter's real name and phone, audited
POST /cases/{number}/transitions     a workflow action (``workflow.services.do_transition``)
POST /cases/{number}/callback        回访: the reporter's rating
GET  /cases/{number}/attachments     its photos; POST adds photos with the action they document
GET  /cases/{number}/attachments/ID  one photo, through the case page's scoped photo view

Thin on purpose (rule 1): parse, call one service, shape the answer.
"""

import datetime as dt
import re
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from gongzhi.accounts.models import Role
from gongzhi.accounts.roles import HOTLINE_ROLES, is_staff, member_roles, roles_of
from gongzhi.accounts.services import RevealRefused, masked_values
from gongzhi.accounts.services import reveal as reveal_personal_data
from gongzhi.cases import media, queries, search, stats
from gongzhi.cases.intake import services, split
from gongzhi.cases.intake.forms import IDEMPOTENCY_KEY_RE, scoped_idempotency_key
from gongzhi.cases.queries import (
    DEFAULT_SORT,
    SORTS,
    awaiting_callback_q,
    due_soon_q,
    overdue_q,
    with_overdue,
)
from gongzhi.cases.workflow import inputs, reference
from gongzhi.cases.workflow import services as transitions
from gongzhi.cases.workflow import table as workflow
from gongzhi.core import ratelimit
from gongzhi.core.api import Day, ErrorOut, Pages
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.regions import lookup
from gongzhi.regions.models import Grid, Region
from gongzhi.taxonomy.models import Category

from .choices import Channel, State
from .models import Case

router = Router(tags=["cases"])

GroupBy = Literal["unit", "county", "township", "category", "day", "week", "month", "all"]
PERIODS = frozenset({"day", "week", "month"})
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    429: ErrorOut,
}

# Who may report through which channel: a resident cannot claim to be a grid worker (whose
# reports skip acceptance), and only the hotline desk types in a caller's report.
OPEN_CHANNELS = frozenset({Channel.API, Channel.QUICK_REPORT})


# --- the three rates ---------------------------------------------------------------------


class RateCounts(Schema):
    response_base: int
    responded: int
    rated: int
    solved: int
    satisfied: int


class CommandRateCounts(Schema):
    accept_base: int
    accepted_in_time: int
    dispatch_base: int
    dispatched_in_time: int


class RateRow(Schema):
    key: str
    label: str
    total: int
    overdue: int
    response_rate: float | None = Field(description="响应率: signed for in time")
    resolution_rate: float | None = Field(description="解决率: solved, says the callback")
    satisfaction_rate: float | None = Field(description="满意率: satisfied or basically")
    accept_rate: float | None = Field(description="按时受理率: accepted in time")
    dispatch_rate: float | None = Field(description="按时派遣率: dispatched in time")
    counts: RateCounts
    command_counts: CommandRateCounts
    answered: int = Field(
        0, description="直接答复: answered on the phone, closed, counted apart from every rate"
    )


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
    start: Day | None = None,
    end: Day | None = None,
):
    """响应率, 解决率 and 满意率 of the cases reported from ``start`` to ``end`` (both whole
    days, Asia/Shanghai, inclusive), grouped, over the cases the caller may see."""
    if start and end and end < start:
        raise ServiceError("invalid_range", _("The end date is before the start date."), "end")
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
    attributes: dict[str, str | float | list[str]] = Field(
        default_factory=dict,
        description="answers to the category's questions (listed by Open311 services/{code}): "
        "question code → answer; a list of keys for a multiple choice",
    )


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


def _channel(user, asked: str | None) -> str:
    roles = member_roles(user)  # one query: intake needs no regions
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
    found = reference.category_by_code(code.strip())
    if found is None:
        raise ServiceError("unknown_category", _("There is no such category."), "category")
    return found


def _key(user, raw: str | None) -> str | None:
    if raw is None or raw == "":
        return None
    if not re.match(IDEMPOTENCY_KEY_RE, raw):
        raise ServiceError(
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
    key = _key(user, idempotency_key)
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
            idempotency_key=key,
            answers={
                code: [str(v) for v in (value if isinstance(value, list) else [value])]
                for code, value in payload.attributes.items()
            },
        ),
        reporter=None if hotline else user,
        entered_by=user if hotline else None,
        admit=lambda: ratelimit.check("api_report", _caller(request), ratelimit.rate("api_report")),
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


def _caller(request) -> str:
    """Whom a rate limit counts: the token when one is used, else the signed-in user."""
    token = getattr(request, "api_token", None)
    return f"token:{token.pk}" if token is not None else f"user:{request.user.pk}"


# --- lists and pages ---------------------------------------------------------------------
# Every read starts from the cases the caller may see (``Case.objects.visible_to``); a case
# outside them is "not found", as on the case page.

StateName = Literal[tuple(State.values)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
ActionName = Literal[tuple(workflow.RULES)]  # type: ignore[valid-type]
Ordering = Literal[tuple(SORTS)]  # type: ignore[valid-type]


class CaseFilter(Schema):
    state: list[StateName] | None = Field(None, description="one or more states")
    category: str | None = Field(
        None, max_length=40, description="category code; its subcategories included"
    )
    region: str | None = Field(None, max_length=12, description="region code; places within it")
    overdue: bool | None = Field(None, description="true: only overdue cases")
    due_soon: bool | None = Field(
        None, description="true: only cases whose unit has been warned that they are due soon"
    )
    awaiting_callback: bool | None = Field(
        None,
        description="true: only closed cases whose reporter has not been asked (回访) yet",
    )
    channel: ChannelName | None = None
    created_from: Day | None = Field(None, description="reported on or after (local day)")
    created_to: Day | None = Field(None, description="reported on or before (local day)")
    q: str | None = Field(
        None,
        max_length=60,
        description="a case number (or its start or tail), or words that must all appear in"
        " the title or description",
    )
    ordering: Ordering = Field(
        DEFAULT_SORT, description="newest, deadline, supervised or closed (longest ago first)"
    )
    after: str | None = Field(
        None,
        max_length=24,
        description="the number of the last case already read (newest first only): the cases "
        "after it, each once however many are reported meanwhile; use with page=1",
    )


class CaseRow(Schema):
    number: str
    title: str
    state: str
    category: str
    category_name: str
    channel: str
    is_urgent: bool
    overdue: bool
    owner: str | None
    owner_name: str | None
    grid: str | None
    region_path: str
    created_at: dt.datetime
    sign_for_due: dt.datetime | None
    resolve_due: dt.datetime | None
    supervision_count: int


class CoHandlerOut(Schema):
    code: str
    name: str
    task: str


class CaseDetail(CaseRow):
    description: str
    address: str
    lng: float | None
    lat: float | None
    region: str | None
    command: str | None
    command_name: str | None
    is_anonymous: bool
    reporter_name: str | None = Field(description="masked (personal data)")
    reporter_phone: str | None = Field(description="masked (personal data)")
    co_handlers: list[CoHandlerOut]
    attributes: dict
    supports: int
    result: str
    merged_into: str | None
    split_from: str | None = Field(description="the case this one was split off")
    split_into: list[str] = Field(description="the cases split off this one")
    dispatched_at: dt.datetime | None
    signed_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    sign_for_met: bool | None
    resolve_met: bool | None
    actions: list[str] = Field(description="what the caller may do now (POST …/transitions)")


def _row(case) -> dict:
    return {
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "category": case.category.code,
        "category_name": case.category.full_name,
        "channel": case.channel,
        "is_urgent": case.is_urgent,
        "overdue": bool(case.late),
        "owner": case.owner.code if case.owner_id else None,
        "owner_name": case.owner.name if case.owner_id else None,
        "grid": case.grid_code,
        "region_path": case.region_path,
        "created_at": case.created_at,
        "sign_for_due": case.sign_for_due,
        "resolve_due": case.resolve_due,
        "supervision_count": case.supervision_count,
    }


def _cases(user):
    # The grid's code by a join, not its row: grid rows carry whole boundaries.
    return with_overdue(Case.objects.visible_to(user)).annotate(grid_code=F("grid__code"))


class _Rows:
    """The paginator's view of a queryset: counted up to ``queries.COUNT_LIMIT`` (the
    response then says ``X-Count-Capped: true``; page on with ``after=``), sliced, each case
    shaped as a row."""

    def __init__(self, queryset, response=None):
        self.queryset = queryset
        self.response = response

    def count(self) -> int:
        n, capped = queries.bounded_count(self.queryset)
        if capped and self.response is not None:
            self.response["X-Count-Capped"] = "true"
        return n

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window):
        return [_row(c) for c in self.queryset[window]]


def _region(code: str):
    region = Region.objects.filter(code=code.strip()).only("path").first()
    if region is None:
        raise ServiceError("unknown_region", _("There is no region with this code."), "region")
    return region


def _category_path(code: str) -> str:
    path = Category.objects.filter(code=code.strip()).values_list("path", flat=True).first()
    if path is None:
        raise ServiceError("unknown_category", _("There is no such category."), "category")
    return path


@router.get("", response={200: list[CaseRow], **ERRORS}, summary="List cases")
@paginate(Pages)
def list_cases(request, response: HttpResponse, filters: Query[CaseFilter]):
    """The cases the caller may see (as in the queue), filtered, ordered and paginated: the
    count stops at 10,000 (``X-Count-Capped: true``); to read on, newest first, pass the last
    number read as ``after``."""
    f = filters
    if f.created_from and f.created_to and f.created_to < f.created_from:
        raise ServiceError(
            "invalid_range", _("The end date is before the start date."), "created_to"
        )
    cases = _cases(request.user).select_related("category", "owner")
    if f.after:
        if f.ordering != DEFAULT_SORT:
            raise ServiceError(
                "invalid_after", _("“after” pages the newest-first order only."), "after"
            )
        last = (
            Case.objects.visible_to(request.user)
            .filter(number=f.after.strip().upper())
            .values("created_at", "id")
            .first()
        )
        if last is None:
            raise ServiceError("unknown_case", _("There is no such case to read after."), "after")
        cases = cases.filter(
            Q(created_at__lt=last["created_at"])
            | Q(created_at=last["created_at"], id__lt=last["id"])
        )
    if f.state:
        cases = cases.filter(state__in=f.state)
    if f.category:
        cases = cases.filter(category__path__startswith=_category_path(f.category))
    if f.region:
        cases = cases.filter(region_path__startswith=_region(f.region).path)
    if f.channel:
        cases = cases.filter(channel=f.channel)
    if f.overdue is not None:
        cases = cases.filter(overdue_q()) if f.overdue else cases.exclude(overdue_q())
    if f.due_soon is not None:
        cases = cases.filter(due_soon_q()) if f.due_soon else cases.exclude(due_soon_q())
    if f.awaiting_callback is not None:
        q = awaiting_callback_q()
        cases = cases.filter(q) if f.awaiting_callback else cases.exclude(q)
    if f.q and f.q.strip():
        cases = search.matching(cases, f.q, viewer=request.user)
    if f.created_from:
        cases = cases.filter(created_at__gte=local_midnight(f.created_from))
    if f.created_to:
        cases = cases.filter(created_at__lt=local_midnight(f.created_to + dt.timedelta(days=1)))
    return _Rows(SORTS[f.ordering][1](cases), response)


def _case(user, number: str) -> Case:
    case = (
        _cases(user)
        .select_related("category", "owner", "command", "reporter", "merged_into")
        .filter(number=number.strip().upper())
        .first()
    )
    if case is None:
        raise NotFound("case_not_found", _("The case does not exist."))
    return case


def _masked_reporter(case) -> tuple[str | None, str | None]:
    """As on the case page: the caller's own words masked, else the account's masked data."""
    if case.reporter_name or case.reporter_phone:
        masked = masked_values(case)
        return masked["reporter_name"] or None, masked["reporter_phone"] or None
    if case.reporter_id:
        return case.reporter.masked_name or None, case.reporter.masked_mobile or None
    return None, None


def _detail(request, case) -> dict:
    name, phone = _masked_reporter(case)
    co_handlers = case.co_handlers.select_related("organisation").order_by("created_at")
    shown = queries.reporters_words(case=case, viewer=request.user)
    return {
        **_row(case),
        "title": shown(case.title),
        "description": shown(case.description),
        "address": case.address,
        "lng": case.lng,
        "lat": case.lat,
        "region": case.region_path.strip("/").split("/")[-1] if case.region_path else None,
        "command": case.command.code if case.command_id else None,
        "command_name": case.command.name if case.command_id else None,
        "is_anonymous": case.is_anonymous,
        "reporter_name": name,
        "reporter_phone": phone,
        "co_handlers": [
            {"code": c.organisation.code, "name": c.organisation.name, "task": c.task}
            for c in co_handlers
        ],
        "attributes": case.attributes or {},
        "supports": case.supports.count(),
        "result": case.result,
        "merged_into": case.merged_into.number if case.merged_into_id else None,
        "split_from": case.split_from.number if case.split_from_id else None,
        "split_into": list(case.split_cases.order_by("id").values_list("number", flat=True)),
        "dispatched_at": case.dispatched_at,
        "signed_at": case.signed_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "sign_for_met": case.sign_for_met,
        "resolve_met": case.resolve_met,
        "actions": inputs.offered(case, request.user),
    }


@router.get("/{number}", response={200: CaseDetail, **ERRORS}, summary="A case")
def case_detail(request, number: str):
    """One case as its case page shows it: personal data masked, and the actions the
    caller may take now."""
    return _detail(request, _case(request.user, number))


class EventOut(Schema):
    id: int
    at: dt.datetime
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str
    actor: str | None = Field(
        description="who acted (staff only): an official acting for a unit by name, others masked"
    )
    unit: str | None = Field(description="the acting unit's name")
    unit_code: str | None = Field(description="the acting unit's code")
    data: dict = Field(description="details as stored, units and categories by code (staff only)")
    details: dict = Field(description="the same details, units and categories by name (staff only)")


def _is_staff(user) -> bool:
    return is_staff(roles_of(user))


def _action_label(action: str) -> str:
    rule = workflow.RULES.get(action)
    if rule is not None:
        return str(rule.label)
    return {"report": _("Reported"), "merged_in": _("A case was merged in")}.get(action, action)


@router.get("/{number}/timeline", response={200: list[EventOut], **ERRORS}, summary="Timeline")
def timeline(request, number: str):
    """The case's timeline, oldest first. A resident sees the entries shown to reporters."""
    case = _case(request.user, number)
    staff = _is_staff(request.user)
    events = case.events.select_related("actor", "actor_organisation").order_by("at", "id")
    if not staff:
        events = events.filter(is_public=True)
    return [
        {
            "id": e.pk,
            "at": e.at,
            "action": e.action,
            "action_label": _action_label(e.action),
            "from_state": e.from_state,
            "to_state": e.to_state,
            "note": e.display_note(),
            "actor": e.actor_display_name if staff else None,
            "unit": e.actor_organisation.name if e.actor_organisation_id else None,
            "unit_code": e.actor_organisation.code if e.actor_organisation_id else None,
            "data": (e.data or {}) if staff else {},
            "details": e.display_data() if staff else {},
        }
        for e in events
    ]


class RevealIn(Schema):
    fields: list[Literal["reporter_name", "reporter_phone"]] | None = Field(
        None, description="default: both"
    )
    reason: str = Field("", max_length=200, description="why, for the audit log")


class RevealOut(Schema):
    reporter_name: str | None = None
    reporter_phone: str | None = None


@router.post(
    "/{number}/reveal", response={200: RevealOut, **ERRORS}, summary="Reveal personal data"
)
def reveal(request, number: str, payload: RevealIn):
    """The reporter's real name and phone, for roles whose work needs them (an operator
    calling back); every reveal, and every refused attempt, is written to the audit log."""
    case = _case(request.user, number)
    try:
        return reveal_personal_data(
            viewer=request.user,
            obj=case,
            fields=payload.fields or None,
            request=request,
            reason=payload.reason.strip(),
        )
    except RevealRefused:
        raise  # no reason given, or over the rate: its own code and message
    except PermissionDenied:
        raise NotAllowed("not_permitted", _("Your role may not see this personal data.")) from None


# --- actions -----------------------------------------------------------------------------

ParamValue = str | int | float | bool | list[str | int] | None


class TransitionIn(Schema):
    action: ActionName
    params: dict[str, ParamValue] = Field(
        default_factory=dict,
        description=(
            "the action's fields, as on the case page: note, reason, result, organisation "
            "(id), organisations (ids), into (case number), new_due (ISO date-time), approve, "
            "category (id), resolved, satisfaction, comment, reopen; answer and entry (a "
            "knowledge-base id) to answer directly; resume_on (ISO date) to request a "
            "suspension; part-<i>-title, part-<i>-description, part-<i>-category (id) and "
            "part-<i>-organisation (id, optional), i from 0, to split (part 0 stays)"
        ),
    )
    expected_state: StateName | None = Field(
        None, description="the state the caller saw: refused with 409 if it has changed"
    )


class TransitionOut(Schema):
    number: str
    action: str
    state: str
    event: int
    visible: bool = Field(description="whether the caller may still see the case")


def _act(request, case, action: str, data: dict, expected_state=None, photos=()):
    user = request.user
    if action == "split":  # makes new cases through intake: its own service
        done, _made = split.do_split(
            case=case, actor=user, data=data, expected_state=expected_state or None
        )
    else:
        done = transitions.do_transition(
            case=case,
            action=action,
            actor=user,
            data=data,
            photos=photos,
            expected_state=expected_state or None,
        )
    return {
        "number": done.number,
        "action": action,
        "state": done.state,
        "event": done.last_event.pk,
        "visible": Case.objects.visible_to(user).filter(pk=done.pk).exists(),
    }


@router.post(
    "/{number}/transitions", response={200: TransitionOut, **ERRORS}, summary="Take an action"
)
def take_action(request, number: str, payload: TransitionIn):
    """Run a workflow action with the same checks as the case page: 403 when the caller may
    not take it (or not in this state), 409 when the case changed since they looked."""
    case = _case(request.user, number)
    return _act(request, case, payload.action, payload.params, payload.expected_state)


class CallbackIn(Schema):
    resolved: bool = Field(description="was the problem solved?")
    satisfaction: Literal["satisfied", "basic", "unsatisfied"]
    comment: str = Field("", max_length=500)
    reopen: bool | None = Field(
        None, description="reopen when unhappy (default yes); only a phone callback may say no"
    )


@router.post("/{number}/callback", response={200: TransitionOut, **ERRORS}, summary="Callback")
def callback(request, number: str, payload: CallbackIn):
    """回访: the reporter (or an operator on the phone) rates a closed case."""
    case = _case(request.user, number)
    data = payload.dict(exclude={"reopen"})
    if payload.reopen is not None:
        data.update(reopen_offered=True, reopen=payload.reopen)
    return _act(request, case, "callback", data)


class SupportOut(Schema):
    number: str
    supports: int = Field(description="how many people have added their voice")
    created: bool = Field(description="false when this caller had already added theirs")


@router.post(
    "/{number}/supports", response={200: SupportOut, **ERRORS}, summary="Me too (我也遇到)"
)
def support(request, number: str):
    """Add the caller's voice to an open case with the same problem, instead of reporting it
    again. Open cases of public categories can be supported by anyone signed in (the intake
    hint shows them), the others only within the caller's scope; one support per person."""
    case = Case.objects.select_related("category").filter(number=number.strip().upper()).first()
    if case is None:
        raise NotFound("case_not_found", _("The case does not exist."))
    count, created = services.do_support(case=case, user=request.user)
    return {"number": case.number, "supports": count, "created": created}


# --- photos ------------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    stage: str
    created_at: dt.datetime
    url: str
    thumbnail_url: str | None


@router.get(
    "/{number}/attachments", response={200: list[AttachmentOut], **ERRORS}, summary="Photos"
)
def attachments(request, number: str):
    case = _case(request.user, number)
    base = f"{request.path.rstrip('/')}"
    return [
        {
            "id": a.pk,
            "stage": a.stage,
            "created_at": a.created_at,
            "url": f"{base}/{a.pk}",
            "thumbnail_url": f"{base}/{a.pk}?size=thumb" if a.thumbnail else None,
        }
        for a in case.attachments.order_by("created_at", "id")
    ]


PHOTO_ACTIONS = ("resolve", "verify_pass", "verify_fail")


@router.post(
    "/{number}/attachments",
    response={200: TransitionOut, **ERRORS},
    summary="Add photos with an action",
)
def add_photos(
    request,
    number: str,
    action: Form[Literal[PHOTO_ACTIONS]],  # type: ignore[valid-type]
    photos: File[list[UploadedFile]],
    note: Form[str] = "",
    reason: Form[str] = "",
    result: Form[str] = "",
    expected_state: Form[StateName | None] = None,
):
    """Photos come with the action they document, as on the case page: ``resolve``
    (handling evidence), ``verify_pass`` or ``verify_fail`` (verification). Each photo is
    checked for type, size and pixels; nothing is stored unless the action succeeds."""
    case = _case(request.user, number)
    data = {"note": note, "reason": reason, "result": result}
    return _act(request, case, action, data, expected_state, photos=photos)


@router.get(
    "/{number}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    summary="Download a photo",
    openapi_extra={
        "responses": {
            200: {  # the int key ninja uses, so that this replaces its entry
                "description": "the photo",
                "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def photo(request, number: str, attachment_id: int, size: Literal["full", "thumb"] = "full"):
    """The photo itself, through the same scoped view as the case page."""
    case = _case(request.user, number)
    return media.photo_response(case=case, attachment_id=attachment_id, size=size)
