"""The mediation part of the JSON API (mounted at /api/v1/mediation by ``gongzhi.api``).

GET  /mediation/disputes                        the caller's disputes: filters, ordering, pages
POST /mediation/disputes                        register one (``services.do_register_once``)
GET  /mediation/disputes/{number}               one dispute, parties masked, with its sessions,
                                                agreement, timeline and the caller's actions
POST /mediation/disputes/{number}/transitions   a workflow action (``services.do_transition``)
POST /mediation/disputes/{number}/reveal        the parties' real data, audited
GET  /mediation/types                           the dispute types (reference rows)
POST /mediation/referrals                       a court or another system refers a dispute
GET  /mediation/referrals/{external_ref}        … and reads its outcome (referral key only)

Every read starts from ``Dispute.objects.visible_to(request.user)``: a dispute outside it is
"not found", as a missing one. The parties' name, ID number, phone and address are masked
wherever they appear, in free text too; only the reveal shows them, and it is audited.
Both POSTs that register take an ``Idempotency-Key`` header: a retry returns the first
dispute (200), the key reused with a different body is refused (409).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import HttpBearer

from gongzhi.accounts import masking
from gongzhi.core.api import Day, ErrorOut, Pages
from gongzhi.core.db import MAX_ID
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.regions.models import Grid, Region

from . import referrals, services
from .choices import (
    AgreementForm,
    Confirmation,
    Level,
    PartyKind,
    Risk,
    Side,
    Source,
    State,
)
from .models import Dispute, DisputeEvent, DisputeType, Party, Session
from .workflow import FLOW, RULES

router = Router(tags=["mediation"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}

StateName = Literal[tuple(State.values)]  # type: ignore[valid-type]
LevelName = Literal[tuple(Level.values)]  # type: ignore[valid-type]
RiskName = Literal[tuple(Risk.values)]  # type: ignore[valid-type]
SourceName = Literal[tuple(Source.values)]  # type: ignore[valid-type]
SideName = Literal[tuple(Side.values)]  # type: ignore[valid-type]
KindName = Literal[tuple(PartyKind.values)]  # type: ignore[valid-type]
ActionName = Literal[tuple(RULES)]  # type: ignore[valid-type]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Ordering = Literal["newest", "oldest", "risk", "due"]


# --- masking ------------------------------------------------------------------------------

# Free text is scrubbed of the parties' data and of phone and ID numbers (the admin reads it
# from here too).
scrubber = services.scrubber


def _masked_user(user) -> str | None:
    return user.masked_name if user is not None else None


# --- lists --------------------------------------------------------------------------------


class DisputeFilter(Schema):
    state: list[StateName] | None = Field(None, description="one or more states")
    level: list[LevelName] | None = Field(None, description="one or more levels")
    risk: list[RiskName] | None = Field(None, description="one or more risk levels")
    type: str | None = Field(None, max_length=40, description="dispute type code")
    region: str | None = Field(None, max_length=12, description="region code; places within it")
    source: SourceName | None = None
    open: bool | None = Field(None, description="true: not closed; false: closed")
    mine: bool | None = Field(None, description="true: disputes the caller mediates")
    created_from: Day | None = Field(None, description="registered on or after (local day)")
    created_to: Day | None = Field(None, description="registered on or before (local day)")
    q: str | None = Field(None, max_length=60, description="part of the number or title")
    ordering: Ordering = Field(
        "newest", description="newest, oldest, risk (major first) or due (moves up soonest)"
    )


class DisputeRow(Schema):
    number: str
    title: str = Field(description="parties' data masked")
    state: str
    state_label: str
    level: str
    level_label: str
    risk: str
    risk_label: str
    type: str
    type_name: str
    source: str
    region: str | None = Field(description="code of the place where it arose")
    region_name: str | None
    region_path: str
    holder: str | None = Field(description="code of the unit holding it")
    holder_name: str | None
    lead_mediator: str | None = Field(description="masked name")
    repeat_of: str | None = Field(description="number of the dispute it repeats")
    created_at: dt.datetime
    level_due: dt.datetime | None = Field(description="when it moves up if still in hand")


def _row(d: Dispute, scrub) -> dict:
    return {
        "number": d.number,
        "title": scrub(d.title),
        "state": d.state,
        "state_label": str(State.label_of(d.state)),
        "level": d.level,
        "level_label": str(Level.label_of(d.level)),
        "risk": d.risk,
        "risk_label": str(Risk.label_of(d.risk)),
        "type": d.type.code,
        "type_name": d.type.name,
        "source": d.source,
        "region": d.region_code,
        "region_name": d.region_name,
        "region_path": d.region_path,
        "holder": d.holder.code if d.holder_id else None,
        "holder_name": d.holder.name if d.holder_id else None,
        "lead_mediator": _masked_user(d.lead_mediator) if d.lead_mediator_id else None,
        "repeat_of": d.repeat_number,
        "created_at": d.created_at,
        "level_due": d.level_due,
    }


def _disputes(user):
    # The region's code and name by a join, not its row: region rows carry boundaries.
    return (
        Dispute.objects.visible_to(user)
        .select_related("type", "holder", "lead_mediator")
        .annotate(
            region_code=F("region__code"),
            region_name=F("region__name"),
            repeat_number=F("repeat_of__number"),
        )
    )


class _Rows:
    """The paginator's view of a queryset: counted, sliced, each dispute shaped as a row."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window):
        page = self.queryset[window].prefetch_related("parties")
        return [_row(d, scrubber(d.parties.all())) for d in page]


RISK_FIRST = Case(
    When(risk=Risk.MAJOR, then=Value(0)),
    When(risk=Risk.SERIOUS, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
ORDERINGS = {
    "newest": lambda qs: qs.order_by("-created_at", "-id"),
    "oldest": lambda qs: qs.order_by("created_at", "id"),
    "risk": lambda qs: qs.annotate(risk_rank=RISK_FIRST).order_by(
        "risk_rank", "-created_at", "-id"
    ),
    "due": lambda qs: qs.order_by(F("level_due").asc(nulls_last=True), "id"),
}


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code.strip()).only("id", "path").first()
    if region is None:
        raise ServiceError("unknown_region", _("There is no region with this code."), "region")
    return region


@router.get("/disputes", response={200: list[DisputeRow], **ERRORS}, summary="List disputes")
@paginate(Pages)
def list_disputes(request, filters: Query[DisputeFilter]):
    """The disputes the caller may see (the places they serve, below and never sideways),
    filtered, ordered and paginated."""
    f = filters
    if f.created_from and f.created_to and f.created_to < f.created_from:
        raise ServiceError(
            "invalid_range", _("The end date is before the start date."), "created_to"
        )
    rows = _disputes(request.user)
    if f.state:
        rows = rows.filter(state__in=f.state)
    if f.level:
        rows = rows.filter(level__in=f.level)
    if f.risk:
        rows = rows.filter(risk__in=f.risk)
    if f.type:
        kind = DisputeType.objects.filter(code=f.type.strip()).first()
        if kind is None:
            raise ServiceError("unknown_type", _("There is no such type of dispute."), "type")
        rows = rows.filter(type=kind)
    if f.region:
        rows = rows.filter(region_path__startswith=_region(f.region).path)
    if f.source:
        rows = rows.filter(source=f.source)
    if f.open is not None:
        rows = rows.exclude(state=State.CLOSED) if f.open else rows.filter(state=State.CLOSED)
    if f.mine is not None:
        me = Q(lead_mediator=request.user) | Q(helpers=request.user)
        mine = Dispute.objects.filter(me).values("pk")
        rows = rows.filter(pk__in=mine) if f.mine else rows.exclude(pk__in=mine)
    if f.created_from:
        rows = rows.filter(created_at__gte=_local_midnight(f.created_from))
    if f.created_to:
        rows = rows.filter(created_at__lt=_local_midnight(f.created_to + dt.timedelta(days=1)))
    if f.q and f.q.strip():
        text = f.q.strip()
        rows = rows.filter(Q(number__icontains=text) | Q(title__icontains=text))
    return _Rows(ORDERINGS[f.ordering](rows))


# --- one dispute --------------------------------------------------------------------------


class PartyOut(Schema):
    id: int
    side: str
    kind: str
    name: str = Field(description="masked")
    id_number: str = Field(description="masked")
    phone: str = Field(description="masked")
    address: str = Field(description="masked")
    claims: str
    people: int
    is_vulnerable: bool
    petitions: int


class SessionOut(Schema):
    id: int
    held_at: dt.datetime
    place: str
    attendees: str
    summary: str
    next_step: str
    next_at: dt.datetime | None
    recorded_by: str | None = Field(description="masked name")


class ObligationOut(Schema):
    id: int
    party: str
    what: str
    how: str
    due_on: dt.date
    status: str
    checked_at: dt.datetime | None
    check_note: str


class AgreementOut(Schema):
    number: str
    form: str
    disputed_matters: str
    signed: bool = Field(description="whether the signed copy was uploaded")
    confirmation: str = Field(description="司法确认: '', applied, confirmed or refused")
    confirmation_court: str
    confirmation_applied_on: dt.date | None
    confirmation_decided_on: dt.date | None
    obligations: list[ObligationOut]


class EventOut(Schema):
    id: int
    at: dt.datetime
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str
    actor: str | None = Field(description="masked name")
    unit: str | None = Field(description="the acting unit's name")
    data: dict


class DisputeDetail(DisputeRow):
    facts: str
    amount: Decimal | None
    source_ref: str
    grid: str | None
    level_since: dt.datetime
    risk_reasons: list[str]
    judged_risk: str
    helpers: list[str] = Field(description="masked names")
    decline_reason: str
    outcome_note: str
    concluded_at: dt.datetime | None
    settled_at: dt.datetime | None
    closed_at: dt.datetime | None
    parties: list[PartyOut]
    sessions: list[SessionOut]
    agreement: AgreementOut | None
    timeline: list[EventOut]
    actions: list[str] = Field(description="what the caller may do now (POST …/transitions)")


def _dispute(user, number: str) -> Dispute:
    found = _disputes(user).filter(number=number.strip().upper()).first()
    if found is None:
        raise NotFound("dispute_not_found", _("The dispute does not exist."))
    return found


def _action_label(action: str) -> str:
    rule = RULES.get(action)
    if rule is not None:
        return str(rule.label)
    return {"register": _("Registered"), referrals.REFER: _("Referred")}.get(action, action)


def _party(p: Party, scrub) -> dict:
    masked = {name: masking.masked_value(p, name) for name in masking.sensitive_fields(p)}
    return {
        "id": p.pk,
        "side": p.side,
        "kind": p.kind,
        **masked,
        "claims": scrub(p.claims),
        "people": p.people,
        "is_vulnerable": p.is_vulnerable,
        "petitions": p.petitions,
    }


def _agreement(d: Dispute, scrub) -> dict | None:
    agreement = getattr(d, "agreement", None)
    if agreement is None:
        return None
    return {
        "number": agreement.number,
        "form": agreement.form,
        "disputed_matters": scrub(agreement.disputed_matters),
        "signed": bool(agreement.signed_copy),
        "confirmation": agreement.confirmation,
        "confirmation_court": agreement.confirmation_court,
        "confirmation_applied_on": agreement.confirmation_applied_on,
        "confirmation_decided_on": agreement.confirmation_decided_on,
        "obligations": [
            {
                "id": o.pk,
                "party": scrub(o.party),
                "what": scrub(o.what),
                "how": scrub(o.how),
                "due_on": o.due_on,
                "status": o.status,
                "checked_at": o.checked_at,
                "check_note": scrub(o.check_note),
            }
            for o in agreement.obligations.all()
        ],
    }


def _detail(request, d: Dispute) -> dict:
    parties = list(d.parties.all())
    scrub = scrubber(parties)
    sessions = Session.objects.filter(dispute=d).select_related("recorded_by")
    events = (
        DisputeEvent.objects.filter(dispute=d)
        .select_related("actor", "actor_organisation")
        .order_by("at", "id")
    )
    return {
        **_row(d, scrub),
        "facts": scrub(d.facts),
        "amount": d.amount,
        "source_ref": d.source_ref,
        "grid": Grid.objects.filter(pk=d.grid_id).values_list("code", flat=True).first(),
        "level_since": d.level_since,
        "risk_reasons": [scrub(r) for r in d.risk_reasons],
        "judged_risk": d.judged_risk,
        "helpers": [h.masked_name for h in d.helpers.all()],
        "decline_reason": scrub(d.decline_reason),
        "outcome_note": scrub(d.outcome_note),
        "concluded_at": d.concluded_at,
        "settled_at": d.settled_at,
        "closed_at": d.closed_at,
        "parties": [_party(p, scrub) for p in parties],
        "sessions": [
            {
                "id": s.pk,
                "held_at": s.held_at,
                "place": scrub(s.place),
                "attendees": scrub(s.attendees),
                "summary": scrub(s.summary),
                "next_step": scrub(s.next_step),
                "next_at": s.next_at,
                "recorded_by": _masked_user(s.recorded_by),
            }
            for s in sessions
        ],
        "agreement": _agreement(d, scrub),
        "timeline": [
            {
                "id": e.pk,
                "at": e.at,
                "action": e.action,
                "action_label": _action_label(e.action),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": scrub(e.note),
                "actor": _masked_user(e.actor),
                "unit": e.actor_organisation.name if e.actor_organisation_id else None,
                "data": e.data or {},
            }
            for e in events
        ],
        "actions": FLOW.allowed_actions(d, request.user),
    }


@router.get("/disputes/{number}", response={200: DisputeDetail, **ERRORS}, summary="A dispute")
def dispute_detail(request, number: str):
    """One dispute as its page shows it, personal data masked, with the actions the caller
    may take now."""
    return _detail(request, _dispute(request.user, number))


# --- registering --------------------------------------------------------------------------


class PartyIn(Schema):
    side: SideName
    kind: KindName = PartyKind.PERSON
    name: str = Field("", max_length=100)
    id_number: str = Field("", max_length=30, description="resident ID or credit code")
    phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)
    claims: str = Field("", max_length=4000, description="what this side asks")
    people: int = Field(1, ge=1, le=100_000, description="people on this side")
    is_vulnerable: bool = Field(False, description="elderly, a minor, disabled, in hardship")
    petitions: int = Field(0, ge=0, le=100, description="petitions to higher levels")


class _DisputeFields(Schema):
    title: str = Field("", max_length=120)
    type: str = Field("", max_length=40, description="dispute type code (GET /mediation/types)")
    facts: str = Field("", max_length=10_000)
    region: str | None = Field(None, max_length=12, description="region code where it arose")
    grid: str | None = Field(None, max_length=30, description="grid code (gives the region)")
    amount: Decimal | None = Field(None, description="yuan at stake")
    source_ref: str = Field("", max_length=60, description="a case or court number")
    parties: list[PartyIn] = Field(default_factory=list, max_length=50)


class DisputeIn(_DisputeFields):
    source: SourceName | None = None
    campaign: Id | None = Field(None, description="the screening round it was found in")


def _type_id(code: str) -> int | None:
    code = (code or "").strip()
    if not code:
        return None  # the service names what is missing
    return DisputeType.objects.filter(code=code).values_list("pk", flat=True).first()


def _grid_id(code: str | None) -> int | None:
    if not code or not code.strip():
        return None
    found = Grid.objects.filter(code=code.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise ServiceError("unknown_grid", _("There is no grid with this code."), "grid")
    return found


def _dispute_in(
    payload: _DisputeFields, *, source: str | None, external_ref: str = ""
) -> services.DisputeIn:
    campaign = getattr(payload, "campaign", None)
    region = payload.region.strip() if payload.region else ""
    return services.DisputeIn(
        title=payload.title,
        type_id=_type_id(payload.type),
        facts=payload.facts,
        source=source or "",
        region_id=_region(region).pk if region else None,
        grid_id=_grid_id(payload.grid),
        amount=payload.amount,
        source_ref=payload.source_ref,
        external_ref=external_ref,
        campaign_id=campaign,
        parties=[services.PartyIn(**p.dict()) for p in payload.parties],
    )


class Registered(DisputeDetail):
    created: bool = Field(description="false when this Idempotency-Key was sent before")


@router.post(
    "/disputes",
    response={201: Registered, 200: Registered, **ERRORS},
    summary="Register a dispute",
)
def register(
    request,
    payload: DisputeIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Register a dispute found in screening, brought in or phoned in: it is placed at the
    lowest level that serves its place and may hold its risk, and linked to a dispute it
    repeats. Bad input is refused (400, every problem listed) and nothing is written.

    Send a fresh ``Idempotency-Key`` (8 to 64 letters, digits, "-" or "_") with each new
    dispute: a retry with the same key returns the first dispute (200, ``created`` false)
    and writes nothing; the same key with a different body is refused (409,
    ``idempotency_key_reused``)."""
    data = _dispute_in(payload, source=payload.source)
    data.idempotency_key = services.scoped_key(owner=f"user:{request.user.pk}", raw=idempotency_key)
    dispute, created = services.do_register_once(data=data, actor=request.user)
    detail = _detail(request, _dispute(request.user, dispute.number))
    return Status(201 if created else 200, {**detail, "created": created})


# --- acting -------------------------------------------------------------------------------

Text = Annotated[str, Field(max_length=10_000)]


class ObligationIn(Schema):
    party: str = Field("", max_length=100, description="who")
    what: str = Field("", max_length=4000)
    how: str = Field("", max_length=200)
    due_on: Day | None = Field(None, description="by when (ISO date)")


class TransitionParams(Schema):
    """The fields of every action; each action reads its own."""

    note: Text | None = None
    reason: Text | None = Field(None, description="decline, recuse, fail, withdraw, escalate")
    lead: Id | None = Field(None, description="start, recuse: the lead mediator (user id)")
    helpers: list[Id] | None = Field(None, max_length=20, description="start: user ids")
    held_at: dt.datetime | None = Field(None, description="record_session (ISO date-time)")
    place: Text | None = None
    attendees: Text | None = None
    summary: Text | None = None
    next_step: Text | None = None
    next_at: dt.datetime | None = Field(None, description="record_session (ISO date-time)")
    form: Literal[tuple(AgreementForm.values)] | None = None  # type: ignore[valid-type]
    disputed_matters: Text | None = None
    obligations: list[ObligationIn] | None = Field(None, max_length=50, description="settle")
    performed: dict[str, bool] | None = Field(
        None, description="check_performance: {obligation id: performed?}"
    )
    status: Literal[tuple(v for v in Confirmation.values if v)] | None = Field(  # type: ignore[valid-type]
        None, description="confirmation: applied, confirmed or refused"
    )
    court: Text | None = None
    on: Day | None = Field(None, description="confirmation: the day (ISO date)")
    level: LevelName | None = Field(None, description="escalate: to this level")
    risk: RiskName | None = Field(None, description="judge_risk")


class TransitionIn(Schema):
    action: ActionName
    params: TransitionParams = Field(default_factory=TransitionParams)
    expected_state: StateName | None = Field(
        None, description="the state the caller saw: refused with 409 if it has changed"
    )


class TransitionOut(Schema):
    number: str
    action: str
    state: str
    level: str
    risk: str
    event: int
    visible: bool = Field(description="whether the caller may still see the dispute")


def _moment(value: dt.datetime | None, field: str) -> dt.datetime | None:
    """A date-time from the client: within this century, local time when no offset."""
    if value is None:
        return None
    if not 2000 <= value.year <= 2099:
        raise ServiceError("invalid", _("The date is out of range."), field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _params(p: TransitionParams) -> dict:
    params = p.dict(exclude_none=True)
    for name in ("held_at", "next_at"):
        if name in params:
            params[name] = _moment(params[name], name)
    return params


@router.post(
    "/disputes/{number}/transitions",
    response={200: TransitionOut, **ERRORS},
    summary="Take an action",
)
def take_action(request, number: str, payload: TransitionIn):
    """Run a workflow action with the same checks as the dispute page: 403 when the caller
    may not take it (or not in this state), 409 when the dispute changed since they looked,
    400 when its fields are wrong; nothing is written unless it succeeds."""
    dispute = _dispute(request.user, number)
    done = services.do_transition(
        dispute=dispute,
        action=payload.action,
        actor=request.user,
        expected_state=payload.expected_state or None,
        **_params(payload.params),
    )
    return {
        "number": done.number,
        "action": payload.action,
        "state": done.state,
        "level": done.level,
        "risk": done.risk,
        "event": done.last_event.pk,
        "visible": Dispute.objects.visible_to(request.user).filter(pk=done.pk).exists(),
    }


class RevealedParty(Schema):
    id: int
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None


@router.post(
    "/disputes/{number}/reveal",
    response={200: list[RevealedParty], **ERRORS},
    summary="Reveal the parties' personal data",
)
def reveal(request, number: str):
    """The parties' real data that the caller's role may see (a mediator: names, phones and
    addresses; ID numbers only for roles that need them), every field audited."""
    dispute = _dispute(request.user, number)
    try:
        return services.reveal_parties(viewer=request.user, dispute=dispute, request=request)
    except PermissionDenied:
        raise NotAllowed("not_permitted", _("Your role may not see this personal data.")) from None


# --- reference ----------------------------------------------------------------------------


class TypeOut(Schema):
    id: int
    code: str
    name: str
    colour: str
    order: int


@router.get("/types", response={200: list[TypeOut], **ERRORS}, summary="Dispute types")
def dispute_types(request):
    """The types of dispute a register may choose (reference rows an administrator edits)."""
    return list(DisputeType.objects.filter(enabled=True).order_by("order", "code"))


# --- referrals ----------------------------------------------------------------------------


class ReferralKeyAuth(HttpBearer):
    """``Authorization: Bearer md_…``: a court's or another system's referral key."""

    def authenticate(self, request, token: str):
        key = referrals.key_for(token)
        if key is None:
            raise HttpError(401, _("The referral key is unknown or disabled."))
        request.referral_key = key
        return key


class ReferralIn(_DisputeFields):
    external_ref: str = Field(
        ..., min_length=1, max_length=60, description="your own reference: one dispute per key"
    )


class ReferralOut(Schema):
    external_ref: str
    number: str
    state: str
    state_label: str
    level: str
    unit: str | None = Field(description="the unit that holds it")
    outcome: str = Field(
        description="pending, settled, failed, withdrawn, declined (or closed, before records)"
    )
    agreement_number: str | None
    agreement_form: str | None = Field(description="written or oral")
    confirmation: str | None = Field(description="司法确认: applied, confirmed or refused")
    performance: str | None = Field(description="pending, performed or not_performed")
    registered_at: dt.datetime
    concluded_at: dt.datetime | None
    closed_at: dt.datetime | None
    created: bool = Field(
        description="false when this reference (or Idempotency-Key) was referred before"
    )


@router.post(
    "/referrals",
    auth=ReferralKeyAuth(),
    response={201: ReferralOut, 200: ReferralOut, **ERRORS},
    summary="Refer a dispute (referral key)",
)
def refer(
    request,
    payload: ReferralIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """A court (诉前调解) or another system refers a dispute in the key's region. Without a
    region or grid the dispute goes to the units of the key's own region.

    Send your own reference as ``external_ref``: it names one dispute per key. The same
    case referred again — a retry, or a resend by a system that does not know it was
    received — returns the dispute already registered for it (200, ``created`` false) and
    changes nothing, whatever else the resend says: a court's system keeps one dispute per
    case and reads its outcome by that reference, so it is handed that dispute, not an
    error to resolve. An ``Idempotency-Key`` header is honoured as on
    ``POST /mediation/disputes``: a retry returns the first dispute (200), the same key with
    a different body is refused (409, ``idempotency_key_reused``)."""
    key = request.auth
    data = _dispute_in(payload, source=key.source, external_ref=payload.external_ref)
    data.idempotency_key = idempotency_key
    dispute, created = referrals.do_refer(token=key, data=data)
    return Status(201 if created else 200, {**referrals.outcome(dispute), "created": created})


@router.get(
    "/referrals/{external_ref}",
    auth=ReferralKeyAuth(),
    response={200: ReferralOut, **ERRORS},
    summary="A referral's outcome (referral key)",
)
def referral_outcome(request, external_ref: str):
    """Where a dispute this key referred stands and how it ended: nothing personal, and
    nothing of disputes another key referred."""
    dispute = referrals.find(token=request.auth, external_ref=external_ref)
    if dispute is None:
        raise NotFound("referral_not_found", _("This key referred no dispute by that reference."))
    return {**referrals.outcome(dispute), "created": False}
