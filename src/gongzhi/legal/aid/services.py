"""Legal aid: apply, upload documents, act on an application, reveal personal data. The
only module the pages, the API, the demo and other apps call, with keyword-only arguments.

``check_*`` validates and writes nothing; ``do_*`` writes, in one transaction, every step
through the workflow engine (``workflow.FLOW``). Errors are ``ServiceError`` (400),
``NotAllowed`` (403), ``NotFound`` (404) or ``Conflict`` (409) with a message for the user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import masking
from gongzhi.accounts import services as accounts
from gongzhi.accounts.validators import normalise_phone, validate_id_number
from gongzhi.core import media
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Region, path_prefixes

from ..models.aid import AidDocument, AidMatterType, AidNumberSequence, Application
from ..models.points import ServicePoint
from ..staff import aid_director_paths, aid_reviewer_paths, covers
from . import deadlines, exemptions
from .choices import UNDECIDED, DeadlineKind, DocumentKind, Flag, State
from .workflow import FLOW, RULES

MAX_DOCUMENTS = 30
MAX_PDF_BYTES = 10 * 1024 * 1024
FINISHED = {State.CLOSED, State.WITHDRAWN}


@dataclass
class ApplicationIn:
    """What an application says. ``name``/``id_number``/``phone`` default to the account's
    own when the applicant applies for themselves."""

    matter_type_id: int | None
    summary: str
    region_id: int | None
    id_number: str = ""
    name: str = ""
    phone: str = ""
    address: str = ""
    opposing_party: str = ""
    matter_deadline: dt.date | None = None
    matter_deadline_kind: str = ""
    household_size: int | None = 1
    monthly_income_per_head: Decimal | str | None = None
    pledge: bool = False
    flags: list[str] = field(default_factory=list)
    service_point_id: int | None = None


# -- numbers ---------------------------------------------------------------------------


def next_number(now=None) -> str:
    """FY2026-000123: counted per year under the sequence row's lock."""
    year = timezone.localdate(now or timezone.now()).year
    q = connection.ops.quote_name
    table = q(AidNumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({q('year')}, {q('last')}) VALUES (%s, 1) "
            f"ON CONFLICT ({q('year')}) DO UPDATE SET {q('last')} = {table}.{q('last')} + 1 "
            f"RETURNING {q('last')}",
            [year],
        )
        (last,) = cursor.fetchone()
    return f"FY{year}-{last:06d}"


# -- applying --------------------------------------------------------------------------


def may_enter_for_others(actor, region_path: str = "", point=None) -> bool:
    """Staff of the 法律援助中心 serving the place, or of the service point's unit, enter an
    application for a person (who may have no account)."""
    if actor is None or not actor.is_authenticated:
        return False
    scope = scope_for(actor)
    if scope.everything:
        return True
    if region_path and covers(aid_reviewer_paths(scope), region_path):
        return True
    if point is not None and point.organisation_id:
        return scope.covers_organisation_path(point.organisation.path)
    return False


def _decimal(value, *, field_name, label, errors) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        amount = Decimal(-1)
    if amount < 0 or amount > Decimal("99999999"):
        errors.append(
            ServiceError(
                "invalid", _("%(label)s is not a valid amount.") % {"label": label}, field_name
            )
        )
        return None
    return amount.quantize(Decimal("0.01"))


def check_apply(*, data: ApplicationIn, actor, on_behalf: bool = False, now=None) -> dict:
    """Everything an application needs, every problem named at once. Returns the fields."""
    now = now or timezone.now()
    errors: list[ServiceError] = []
    if actor is None or not actor.is_authenticated:
        raise NotAllowed("login_required", _("Log in to apply for legal aid."))
    summary = (data.summary or "").strip()
    if len(summary) < 10:
        errors.append(
            ServiceError("required", _("Describe the matter (at least 10 characters)."), "summary")
        )
    elif len(summary) > 4000:
        errors.append(ServiceError("too_long", _("The matter is too long."), "summary"))
    kind = (
        AidMatterType.objects.filter(pk=data.matter_type_id, enabled=True).first()
        if data.matter_type_id
        else None
    )
    if kind is None:
        errors.append(ServiceError("required", _("Choose the type of matter."), "matter_type"))
    region = (
        Region.objects.filter(pk=data.region_id).only("id", "path").first()
        if data.region_id
        else None
    )
    if region is None:
        errors.append(ServiceError("required", _("Choose the place of the matter."), "region"))
    point = (
        ServicePoint.objects.filter(pk=data.service_point_id).select_related("organisation").first()
        if data.service_point_id
        else None
    )
    if on_behalf and not may_enter_for_others(actor, region.path if region else "", point):
        raise NotAllowed(
            "not_permitted",
            _(
                "Only the legal aid centre's or the service point's staff enter applications for others."
            ),
        )
    name = (data.name or "").strip() or ("" if on_behalf else (actor.display_name or ""))
    id_number = (data.id_number or "").strip().upper() or (
        "" if on_behalf else (getattr(actor, "id_number", "") or "")
    )
    phone = (data.phone or "").strip() or ("" if on_behalf else (actor.mobile or ""))
    if len(name) < 2:
        errors.append(ServiceError("required", _("Give the applicant's name."), "name"))
    try:
        validate_id_number(id_number)
    except ValidationError as exc:
        errors.append(ServiceError("invalid_id_number", exc.messages[0], "id_number"))
    if phone:
        phone = normalise_phone(phone) or ""
        if not phone:
            errors.append(
                ServiceError("invalid_phone", _("The phone number is not valid."), "phone")
            )
    if data.matter_deadline_kind and data.matter_deadline_kind not in DeadlineKind.values:
        errors.append(
            ServiceError("invalid", _("Choose the kind of deadline."), "matter_deadline_kind")
        )
    if data.matter_deadline and data.matter_deadline < timezone.localdate(now) - dt.timedelta(
        days=1
    ):
        errors.append(
            ServiceError(
                "in_past", _("The matter's deadline has already passed."), "matter_deadline"
            )
        )
    try:
        household = int(data.household_size or 1)
    except (TypeError, ValueError):
        household = 0
    if not 1 <= household <= 30:
        errors.append(
            ServiceError(
                "invalid", _("Give the number of household members (1–30)."), "household_size"
            )
        )
    income = _decimal(
        data.monthly_income_per_head,
        field_name="monthly_income_per_head",
        label=_("The monthly income per head"),
        errors=errors,
    )
    flags = [f for f in dict.fromkeys(data.flags or []) if f]
    if set(flags) - set(Flag.values):
        errors.append(ServiceError("invalid", _("Tick only the circumstances offered."), "flags"))
    if not data.pledge and not on_behalf:
        errors.append(
            ServiceError(
                "pledge_required",
                _("Tick the integrity pledge: you promise the information is true."),
                "pledge",
            )
        )
    if errors:
        raise ServiceError.first_of(errors)
    checked = exemptions.check(
        region_path=region.path,
        flags=flags,
        matter_type=kind,
        id_number=id_number,
        income=income,
        on=timezone.localdate(now),
    )
    return {
        "applicant": None if on_behalf else actor,
        "entered_by": actor if on_behalf else None,
        "service_point": point,
        "name": name[:100],
        "id_number": id_number,
        "phone": phone,
        "address": (data.address or "").strip()[:200],
        "matter_type": kind,
        "summary": summary,
        "opposing_party": (data.opposing_party or "").strip()[:200],
        "region": region,
        "region_path": region.path,
        "matter_deadline": data.matter_deadline,
        "matter_deadline_kind": data.matter_deadline_kind
        or (DeadlineKind.OTHER if data.matter_deadline else ""),
        "household_size": household,
        "monthly_income_per_head": income,
        "pledge": bool(data.pledge),
        "flags": flags,
        "exemptions": checked.exemptions,
        "hardship": checked.result,
        "income_standard": checked.standard,
        "urgent": deadlines.is_urgent_matter(data.matter_deadline, now),
    }


def do_apply(
    *, data: ApplicationIn, actor, on_behalf: bool = False, dispute=None, now=None, tell=True
) -> Application:
    """File an application (online by the applicant, or ``on_behalf`` by staff at a service
    point for a person without an account). ``dispute``: the failed mediation it follows."""
    now = now or timezone.now()
    fields = check_apply(data=data, actor=actor, on_behalf=on_behalf, now=now)
    with transaction.atomic():
        application = Application.objects.create(
            **fields,
            dispute=dispute,
            number=next_number(now),
            state=State.SUBMITTED,
            received_at=now,
            decision_due=deadlines.decision_due(now),
        )
        if fields["urgent"]:
            application.urgent_reason = _("The matter's deadline is less than 7 days away.")
            application.save(update_fields=["urgent_reason"])
        FLOW.record(
            application,
            "apply",
            actor=actor,
            now=now,
            tell=tell,
            before="",
            note=application.matter_type.name,
            data={"hardship": application.hardship, "exemptions": application.exemptions},
        )
    return application


def do_update_hardship(
    *, application, actor, pledge=None, household_size=None, income=None, flags=None, now=None
) -> Application:
    """The applicant (or the staff who entered it) completes the statement while undecided:
    the pledge, the household, the income, the circumstances. The check is made again."""
    now = now or timezone.now()
    with transaction.atomic():
        app = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if actor is None or actor.pk not in {app.applicant_id, app.entered_by_id}:
            raise NotAllowed("not_permitted", _("Only the applicant completes the statement."))
        if app.state not in UNDECIDED:
            raise NotAllowed("decided", _("The application has been decided already."))
        errors: list[ServiceError] = []
        if household_size is not None:
            try:
                app.household_size = int(household_size)
            except (TypeError, ValueError):
                app.household_size = 0
            if not 1 <= app.household_size <= 30:
                errors.append(
                    ServiceError(
                        "invalid",
                        _("Give the number of household members (1–30)."),
                        "household_size",
                    )
                )
        if income is not None:
            app.monthly_income_per_head = _decimal(
                income,
                field_name="monthly_income_per_head",
                label=_("The monthly income per head"),
                errors=errors,
            )
        if flags is not None:
            if set(flags) - set(Flag.values):
                errors.append(
                    ServiceError("invalid", _("Tick only the circumstances offered."), "flags")
                )
            app.flags = list(dict.fromkeys(flags))
        if pledge is not None:
            app.pledge = bool(pledge)
        if errors:
            raise ServiceError.first_of(errors)
        checked = exemptions.check(
            region_path=app.region_path,
            flags=app.flags,
            matter_type=app.matter_type,
            id_number=app.id_number,
            income=app.monthly_income_per_head,
            on=timezone.localdate(now),
        )
        app.exemptions, app.hardship, app.income_standard = (
            checked.exemptions,
            checked.result,
            checked.standard,
        )
        app.save()
    return app


# -- reading ---------------------------------------------------------------------------


def get_application(*, actor, number: str) -> Application:
    """The application if ``actor`` may see it; NotFound otherwise (as a missing one)."""
    app = (
        Application.objects.visible_to(actor)
        .select_related("matter_type", "region", "lawyer", "applicant", "service_point", "dispute")
        .filter(number=number)
        .first()
    )
    if app is None:
        raise NotFound("application_not_found", _("The application does not exist."))
    return app


def allowed_actions(application, actor) -> list[str]:
    """The actions ``actor`` may take now (the page's buttons), in the table's order."""
    if actor is None or not actor.is_authenticated:
        return []
    return [a for a in FLOW.allowed_actions(application, actor) if a != "lapse"]


def masked(application) -> dict[str, str]:
    return accounts.masked_values(application)


def reveal(*, actor, application, fields=None, request=None, reason: str = "") -> dict[str, str]:
    """The applicant's real name, ID number, phone or address: checked and audited. The
    application the viewer works on is the reason unless they give another."""
    try:
        return accounts.reveal(
            viewer=actor,
            obj=application,
            fields=fields,
            request=request,
            reason=reason.strip() or f"legal aid application {application.number}",
        )
    except accounts.RevealRefused:
        raise  # over the rate: its own code and message
    except PermissionDenied:
        raise NotAllowed("not_permitted", _("You may not see this personal data.")) from None


def get_document(*, actor, pk: int) -> AidDocument:
    doc = AidDocument.objects.visible_to(actor).select_related("application").filter(pk=pk).first()
    if doc is None:
        raise NotFound("document_not_found", _("The document does not exist."))
    return doc


# -- documents -------------------------------------------------------------------------


def may_upload(application, actor, kind: str = DocumentKind.OTHER) -> bool:
    if actor is None or not actor.is_authenticated or application.state in FINISHED:
        return False
    scope = scope_for(actor)
    if kind == DocumentKind.CLOSING:
        return (
            scope.everything
            or application.lawyer_id == actor.pk
            or covers(aid_director_paths(scope), application.region_path)
        )
    return (
        scope.everything
        or actor.pk in {application.applicant_id, application.entered_by_id, application.lawyer_id}
        or covers(aid_reviewer_paths(scope), application.region_path)
    )


def check_document(upload) -> tuple[str, ContentFile, ContentFile | None]:
    """An image (checked and cleaned like case photos) or a PDF (by its header, at most
    10 MB). Returns the content type, the file to store and a thumbnail (images)."""
    if upload is None:
        raise ServiceError("required", _("Choose a file to upload."), "file")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if upload.size > MAX_PDF_BYTES:
            raise ServiceError("file_too_large", _("A PDF may be at most 10 MB."), "file")
        return "application/pdf", ContentFile(upload.read(), name="document.pdf"), None
    try:
        image = media.check_photo(upload)
    except ServiceError as exc:
        raise ServiceError(
            "file_type",
            _("Upload a photo (JPEG, PNG, WebP) or a PDF.")
            if exc.code in {"photo_type", "photo_unreadable"}
            else exc.message,
            "file",
        ) from None
    stored, thumb = media.prepared(image, "document")
    return f"image/{media.ALLOWED_FORMATS[image.format_hint]}", stored, thumb


def do_upload(
    *, application, actor, upload, kind: str = DocumentKind.OTHER, title: str = "", now=None
) -> AidDocument:
    """Attach a document. While documents are awaited the applicant's go in as supplied."""
    now = now or timezone.now()
    if kind not in DocumentKind.values:
        raise ServiceError("invalid", _("Choose what the document is."), "kind")
    if not may_upload(application, actor, kind):
        raise NotAllowed("not_permitted", _("You may not add documents to this application."))
    content_type, stored, thumb = check_document(upload)
    with transaction.atomic():
        app = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if app.documents.count() >= MAX_DOCUMENTS:
            raise ServiceError(
                "too_many",
                _("At most %(n)d documents per application.") % {"n": MAX_DOCUMENTS},
                "file",
            )
        stem = f"{app.number}-{app.documents.count() + 1}"
        stored.name = stem + "." + stored.name.rsplit(".", 1)[-1]
        doc = AidDocument(
            application=app,
            kind=kind,
            title=(title or "").strip()[:100],
            content_type=content_type,
            size=stored.size,
            uploaded_by=actor,
            uploaded_at=now,
        )
        doc.file.save(stored.name, stored, save=False)
        if thumb is not None:
            doc.thumbnail.save(stem + "-t." + thumb.name.rsplit(".", 1)[-1], thumb, save=False)
        doc.save()
    return doc


# -- acting ----------------------------------------------------------------------------


def check_transition(*, application, action: str, actor, expected_state=None) -> None:
    """Whether ``actor`` may take ``action`` now (the table only; the handler checks input)."""
    FLOW.check(application, action, actor, expected_state=expected_state)


def do_transition(
    *, application, action: str, actor, expected_state=None, now=None, tell=True, **params
) -> Application:
    """Take a workflow action (``workflow.RULES``) with its params; see the interface."""
    if action not in RULES or (action == "lapse" and actor is not None):
        raise NotFound("unknown_action", _("There is no such action."))
    if (
        actor is not None
        and not Application.objects.visible_to(actor).filter(pk=application.pk).exists()
    ):
        raise NotFound("application_not_found", _("The application does not exist."))
    return FLOW.transition(
        pk=application.pk,
        action=action,
        actor=actor,
        expected_state=expected_state,
        now=now,
        tell=tell,
        **params,
    )


def lawyers_for(application):
    """The lawyers a director may assign: active lawyers of the firms that serve the
    application's place (its county or above); every active lawyer when none does."""
    from django.contrib.auth import get_user_model

    from gongzhi.accounts.models import Role

    lawyers = (
        get_user_model()
        .objects.filter(
            is_active=True, memberships__role=Role.LAWYER, memberships__organisation__is_active=True
        )
        .distinct()
        .order_by("display_name", "pk")
    )
    local = lawyers.filter(
        memberships__organisation__regions__path__in=path_prefixes(application.region_path)
    )
    return local if local.exists() else lawyers


def masked_text(application, text: str) -> str:
    """Free text with the applicant's name, ID number and phone masked."""
    out = text or ""
    for field_name, kind in Application.sensitive_fields.items():
        value = getattr(application, field_name, "")
        if value and len(value) >= 2:
            out = out.replace(value, masking.mask(kind, value))
    return masking.mask_numbers_in_text(out) or ""
