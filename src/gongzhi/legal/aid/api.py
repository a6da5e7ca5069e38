"""The legal-aid part of the JSON API (mounted under /api/v1/legal/).

GET  /aid/applications                          the caller's applications: filters, pages
POST /aid/applications                          apply (``services.do_apply``)
GET  /aid/applications/{number}                 one application, personal data masked, with its
                                                documents, progress, timeline and the caller's actions
POST /aid/applications/{number}/documents       upload a document (multipart: file, kind, title)
POST /aid/applications/{number}/actions/{action} a workflow action with its params (JSON)
POST /aid/applications/{number}/reveal          the applicant's real data, audited
GET  /aid/matter-types                          the matter types (reference rows)

Every read starts from ``Application.objects.visible_to(request.user)``: an application
outside it is "not found", as a missing one. Errors: ``{"error","message","field"}``.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.core.api import Day, ErrorOut, Pages
from gongzhi.core.errors import NotFound, ServiceError

from . import queries, services
from .choices import DeadlineKind, DocumentKind, Flag, State
from .workflow import RULES

router = Router(tags=["legal aid"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
StateName = Literal[tuple(State.values)]  # type: ignore[valid-type]
FlagName = Literal[tuple(Flag.values)]  # type: ignore[valid-type]
KindName = Literal[tuple(DocumentKind.values)]  # type: ignore[valid-type]
DeadlineKindName = Literal[tuple(DeadlineKind.values)]  # type: ignore[valid-type]


def _app(user, number: str):
    return services.get_application(actor=user, number=(number or "").upper()[:16])


# --- lists --------------------------------------------------------------------------------


class ApplicationFilter(Schema):
    state: list[StateName] | None = Field(None, description="one or more states")
    type: str | None = Field(None, max_length=40, description="matter type code")
    region: str | None = Field(None, max_length=255, description="region path prefix")
    urgent: bool | None = None
    overdue: bool | None = None
    q: str | None = Field(None, max_length=16, description="part of the number")
    ordering: Literal["newest", "oldest", "due"] = "newest"


class ApplicationRow(Schema):
    number: str
    state: str
    state_label: str
    matter_type: str
    matter_type_name: str
    applicant: str = Field(description="masked name")
    region_path: str
    region_name: str
    urgent: bool
    overdue: bool
    hardship: str
    received_at: dt.datetime
    decision_due: dt.datetime | None
    assign_due: dt.datetime | None
    lawyer: str | None = Field(description="masked name")


def _row(app) -> dict:
    return {
        "number": app.number,
        "state": app.state,
        "state_label": str(app.get_state_display()),
        "matter_type": app.matter_type.code,
        "matter_type_name": app.matter_type.name,
        "applicant": services.masked(app)["name"],
        "region_path": app.region_path,
        "region_name": app.region.name,
        "urgent": app.urgent,
        "overdue": app.overdue,
        "hardship": app.hardship,
        "received_at": app.received_at,
        "decision_due": app.decision_due,
        "assign_due": app.assign_due,
        "lawyer": app.lawyer.masked_name if app.lawyer_id else None,
    }


@router.get(
    "/aid/applications",
    response={200: list[ApplicationRow], **ERRORS},
    summary="Legal-aid applications",
)
@paginate(Pages)
def list_applications(request, filters: Query[ApplicationFilter]):
    """The applications the caller may see (the applicant their own, the centre its county's,
    a lawyer those assigned, the 司法局 the refused and objected), newest first."""
    f = queries.Filters(
        state=filters.state,
        matter_type=filters.type,
        region_path=filters.region,
        urgent=filters.urgent,
        overdue=filters.overdue,
        q=filters.q,
        ordering=filters.ordering,
    )
    return [_row(a) for a in queries.visible(request.user, f)]


# --- applying -----------------------------------------------------------------------------


class ApplyIn(Schema):
    matter_type: str = Field(max_length=40, description="matter type code")
    summary: str = Field(max_length=4000)
    region: str = Field(max_length=12, description="region code of the place (village)")
    name: str = Field("", max_length=100, description="default: the caller's own")
    id_number: str = Field("", max_length=18, description="default: the caller's own")
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    opposing_party: str = Field("", max_length=200)
    matter_deadline: Day | None = None
    matter_deadline_kind: DeadlineKindName | Literal[""] = ""
    household_size: int = Field(1, ge=0, le=100)
    monthly_income_per_head: Decimal | None = Field(None, ge=0, le=99999999)
    pledge: bool = False
    flags: list[FlagName] = Field(default_factory=list)
    on_behalf: bool = Field(False, description="staff entering for a person without account")
    dispute: str | None = Field(None, max_length=24, description="the failed mediation's number")


class ApplyOut(Schema):
    number: str
    state: str
    hardship: str
    exemptions: list[str]
    urgent: bool
    decision_due: dt.datetime | None


@router.post("/aid/applications", response={201: ApplyOut, **ERRORS}, summary="Apply for legal aid")
def apply(request, payload: ApplyIn):
    from gongzhi.mediation.models import Dispute
    from gongzhi.regions.models import Region

    from ..models.aid import AidMatterType

    kind = AidMatterType.objects.filter(code=payload.matter_type, enabled=True).first()
    region = Region.objects.filter(code=payload.region).only("id").first()
    dispute = None
    if payload.dispute:
        dispute = Dispute.objects.visible_to(request.user).filter(number=payload.dispute).first()
        if dispute is None:
            raise ServiceError("invalid", _("There is no such dispute."), "dispute")
    app = services.do_apply(
        data=services.ApplicationIn(
            matter_type_id=kind.pk if kind else None,
            summary=payload.summary,
            region_id=region.pk if region else None,
            name=payload.name,
            id_number=payload.id_number,
            phone=payload.phone,
            address=payload.address,
            opposing_party=payload.opposing_party,
            matter_deadline=payload.matter_deadline,
            matter_deadline_kind=payload.matter_deadline_kind,
            household_size=payload.household_size,
            monthly_income_per_head=payload.monthly_income_per_head,
            pledge=payload.pledge,
            flags=list(payload.flags),
        ),
        actor=request.user,
        on_behalf=payload.on_behalf,
        dispute=dispute,
    )
    return Status(201, app)


# --- one application ----------------------------------------------------------------------


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    content_type: str
    size: int
    uploaded_at: dt.datetime


class ProgressOut(Schema):
    kind: str
    happened_on: dt.date
    note: str


class AidEventOut(Schema):
    at: dt.datetime
    action: str
    from_state: str
    to_state: str
    note: str


class DetailOut(ApplicationRow):
    name: str
    id_number: str
    phone: str
    address: str
    summary: str
    opposing_party: str
    matter_deadline: dt.date | None
    household_size: int
    monthly_income_per_head: Decimal | None
    pledge: bool
    flags: list[str]
    exemptions: list[str]
    income_standard: Decimal | None
    missing_items: list[str]
    supplement_due: dt.datetime | None
    advance: bool
    advance_review: str
    refusal_reason: str
    objection_window_ends: dt.datetime | None
    objection_due: dt.datetime | None
    termination: str
    outcome: str
    rating: int | None
    dispute: str | None
    documents: list[DocumentOut]
    progress: list[ProgressOut]
    timeline: list[AidEventOut]
    actions: list[str]


@router.get(
    "/aid/applications/{number}",
    response={200: DetailOut, **ERRORS},
    summary="One legal-aid application",
)
def detail(request, number: str):
    app = _app(request.user, number)
    staff_view = request.user.pk not in {app.applicant_id, app.entered_by_id}
    events = queries.timeline(app, public_only=not staff_view)
    return {
        **_row(app),
        **services.masked(app),
        "summary": services.masked_text(app, app.summary),
        "opposing_party": app.opposing_party,
        "matter_deadline": app.matter_deadline,
        "household_size": app.household_size,
        "monthly_income_per_head": app.monthly_income_per_head,
        "pledge": app.pledge,
        "flags": app.flags,
        "exemptions": app.exemptions,
        "income_standard": app.income_standard,
        "missing_items": app.missing_items,
        "supplement_due": app.supplement_due,
        "advance": app.advance,
        "advance_review": app.advance_review,
        "refusal_reason": app.refusal_reason,
        "objection_window_ends": app.objection_window_ends,
        "objection_due": app.objection_due,
        "termination": app.termination,
        "outcome": app.outcome,
        "rating": app.rating,
        "dispute": app.dispute.number if app.dispute_id else None,
        "documents": list(app.documents.all()),
        "progress": list(app.progress.all()),
        "timeline": [
            {
                "at": e.at,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": services.masked_text(app, e.note),
            }
            for e in events
        ],
        "actions": services.allowed_actions(app, request.user),
    }


@router.post(
    "/aid/applications/{number}/documents",
    response={201: DocumentOut, **ERRORS},
    summary="Upload a document",
)
def upload(
    request,
    number: str,
    file: File[UploadedFile],
    kind: Form[KindName] = DocumentKind.OTHER,
    title: Form[str] = "",
):
    app = _app(request.user, number)
    doc = services.do_upload(
        application=app, actor=request.user, upload=file, kind=kind, title=title
    )
    return Status(201, doc)


class ActionIn(Schema):
    expected_state: StateName | None = None
    items: list[str] | None = Field(None, max_length=50)
    days: int | None = Field(None, ge=1, le=60)
    note: str | None = Field(None, max_length=4000)
    reason: str | None = Field(None, max_length=4000)
    confirmed: bool | None = None
    lawyer: int | None = Field(None, ge=1)
    kind: str | None = Field(None, max_length=12)
    happened_on: Day | None = None
    termination: str | None = Field(None, max_length=20)
    outcome: str | None = Field(None, max_length=4000)
    rating: int | None = None
    comment: str | None = Field(None, max_length=4000)


class ActionOut(Schema):
    number: str
    action: str
    state: str
    event: int | None
    visible: bool


@router.post(
    "/aid/applications/{number}/actions/{action}",
    response={200: ActionOut, **ERRORS},
    summary="Take an action",
)
def take_action(request, number: str, action: str, payload: ActionIn):
    """A workflow action with the same checks as the pages: 404 unknown action, 403 not the
    caller's or not in this state, 409 changed since seen, 400 bad input; nothing is written
    unless it succeeds."""
    from ..models.aid import Application

    if action not in RULES or action == "lapse":
        raise NotFound("unknown_action", _("There is no such action."))
    app = _app(request.user, number)
    params = payload.dict(exclude_none=True)
    expected = params.pop("expected_state", None)
    done = services.do_transition(
        application=app, action=action, actor=request.user, expected_state=expected, **params
    )
    event = getattr(done, "last_event", None)
    return {
        "number": done.number,
        "action": action,
        "state": done.state,
        "event": event.pk if event is not None else None,
        "visible": Application.objects.visible_to(request.user).filter(pk=done.pk).exists(),
    }


class AidRevealIn(Schema):
    fields: list[Literal["name", "id_number", "phone", "address"]] | None = None
    reason: str = Field("", max_length=200)


class AidRevealOut(Schema):
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None


@router.post(
    "/aid/applications/{number}/reveal",
    response={200: AidRevealOut, **ERRORS},
    summary="Reveal the applicant's personal data",
)
def reveal(request, number: str, payload: AidRevealIn):
    app = _app(request.user, number)
    return services.reveal(
        actor=request.user,
        application=app,
        fields=payload.fields or None,
        request=request,
        reason=payload.reason,
    )


# --- reference ----------------------------------------------------------------------------


class MatterTypeOut(Schema):
    id: int
    code: str
    name: str
    article: str
    order: int


@router.get(
    "/aid/matter-types", response={200: list[MatterTypeOut], **ERRORS}, summary="Matter types"
)
def matter_types(request):
    return list(queries.matter_types())
