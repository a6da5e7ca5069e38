"""The 人民调解协议书 as a PDF to print and sign, and its signed scan uploaded back.

The agreement is the legal document the parties sign, so it carries their real names, ID
numbers and addresses: it is produced only for the mediators and leaders of the unit
holding the dispute and for its mediators, and every download is audited. An oral
agreement (人民调解法 art. 28) gives a 口头调解协议登记表 instead: the record a mediator
keeps, without the parties' signature lines.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts.models import Role
from gongzhi.core import audit, media
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.core.workflow import who

from . import relations
from .choices import AgreementForm, PartyKind, Side
from .models import Agreement, Dispute
from .workflow import FLOW

MAX_PDF_BYTES = 10 * 1024 * 1024
PARTY_FIELDS = ("name", "id_number", "address")  # what the document shows unmasked
# Who may print the agreement with the parties' real data and upload it signed: the
# mediators and leaders of the holding unit (or above it), and the dispute's mediators.
# Narrower than the table's "confirmation" rule, which also lets the unit's dispatchers in.
HANDLERS = (who("holds", Role.MEDIATOR, Role.LEADER), who("mediates", Role.MEDIATOR, Role.LEADER))


# -- who may ------------------------------------------------------------------------------


def may_handle(user, dispute: Dispute) -> bool:
    scope = scope_for(user)
    if scope.everything:
        return True
    return any(w.allows(user, dispute, scope, relations.PREDICATES) for w in HANDLERS)


def check_agreement(*, user, number: str) -> Agreement:
    """The agreement of dispute ``number``, if ``user`` may see the dispute (else not
    found: its existence is not revealed) and may handle its agreement (else not allowed)."""
    dispute = (
        Dispute.objects.visible_to(user).select_related("holder").filter(number=number).first()
    )
    agreement = getattr(dispute, "agreement", None) if dispute is not None else None
    if agreement is None:
        raise NotFound("not_found", _("The dispute has no agreement to show."))
    if not may_handle(user, dispute):
        raise NotAllowed("not_permitted", _("Only the dispute's mediators may use its agreement."))
    return agreement


# -- the document -------------------------------------------------------------------------

SIDE_ROLE = {Side.APPLICANT: "申请人", Side.RESPONDENT: "被申请人"}


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def agreement_context(agreement: Agreement) -> dict:
    dispute = agreement.dispute
    oral = agreement.form == AgreementForm.ORAL
    parties = [
        {
            "role": SIDE_ROLE.get(p.side, p.side),
            "name": p.name,
            "is_organisation": p.kind == PartyKind.ORGANISATION,
            "id_label": (
                "统一社会信用代码" if p.kind == PartyKind.ORGANISATION else "公民身份号码"
            ),
            "id_number": p.id_number,
            "address": p.address,
        }
        for p in dispute.parties.all()
    ]
    obligations = [
        {"n": n, "party": o.party, "what": o.what, "how": o.how, "due": _date(o.due_on)}
        for n, o in enumerate(agreement.obligations.all(), start=1)
    ]
    mediators = [dispute.lead_mediator] if dispute.lead_mediator_id else []
    mediators += list(dispute.helpers.order_by("pk"))
    return {
        "oral": oral,
        "title": "口头调解协议登记表" if oral else "人民调解协议书",
        "committee": dispute.holder.name if dispute.holder_id else "",
        "number": agreement.number,
        "dispute_number": dispute.number,
        "parties": parties,
        "matters": agreement.disputed_matters,
        "obligations": obligations,
        "mediators": [m.display_name or m.username for m in mediators],
        "date": _date(timezone.localdate(agreement.created_at)),
        "copies": len(parties) + 1,
    }


def agreement_pdf_bytes(agreement: Agreement) -> bytes:
    """The agreement as an A4 PDF in Chinese, its Noto CJK font embedded as subsets."""
    from . import printing  # reportlab and fontTools: loaded when a document is made

    return printing.agreement_pdf(agreement_context(agreement))


def filename_for(agreement: Agreement) -> str:
    kind = "口头调解协议登记表" if agreement.form == AgreementForm.ORAL else "调解协议书"
    return f"{kind}-{agreement.dispute.number}.pdf"


# -- the signed copy ----------------------------------------------------------------------


def check_signed_copy(upload) -> ContentFile:
    """The scan to store: a PDF (by its content, at most 10 MB) or a photo (JPEG, PNG,
    WebP, checked and stripped of its metadata like any photo)."""
    if upload is None:
        raise ServiceError("required", _("Choose the signed agreement to upload."), "signed_copy")
    if upload.size > MAX_PDF_BYTES:
        raise ServiceError("too_large", _("The signed copy may be at most 10 MB."), "signed_copy")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return ContentFile(upload.read(), name="signed.pdf")
    try:
        image = media.check_photo(upload)
    except ServiceError as error:
        if error.code in ("photo_type", "photo_unreadable"):
            raise ServiceError(
                "file_type",
                _("Upload the signed agreement as a PDF or a JPEG, PNG or WebP image."),
                "signed_copy",
            ) from None
        raise ServiceError(error.code, error.message, "signed_copy") from None
    stored, _thumb = media.prepared(image, "signed")
    return stored


def do_upload_signed(*, agreement: Agreement, upload, actor, now=None) -> Agreement:
    content = check_signed_copy(upload)
    now = now or timezone.now()
    dispute = agreement.dispute
    ext = content.name.rsplit(".", 1)[-1]
    previous = agreement.signed_copy.name if agreement.signed_copy else ""
    storage = agreement.signed_copy.storage
    agreement.signed_copy.save(f"{dispute.number}-signed.{ext}", content, save=False)
    stored = agreement.signed_copy.name
    try:
        with transaction.atomic():
            agreement.signed_uploaded_at = now
            agreement.save(update_fields=["signed_copy", "signed_uploaded_at", "updated_at"])
            FLOW.record(
                dispute,
                "upload_signed",
                actor=actor,
                now=now,
                is_public=False,
                data={"agreement": agreement.number, "file": ext},
            )
    except Exception:
        storage.delete(stored)  # the row never pointed at it
        raise
    if previous and previous != stored:
        transaction.on_commit(lambda: storage.delete(previous))
    return agreement


# -- views --------------------------------------------------------------------------------


def _agreement_or_refuse(request, number: str) -> Agreement:
    try:
        return check_agreement(user=request.user, number=number)
    except NotFound:
        raise Http404 from None
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None


@login_required
@require_GET
def agreement_pdf(request, number):
    agreement = _agreement_or_refuse(request, number)
    content = agreement_pdf_bytes(agreement)
    # The parties' real data leaves the platform on paper: recorded like any unmasking.
    audit.record(
        actor=request.user,
        action="export",
        obj=agreement,
        fields=PARTY_FIELDS,
        reason=f"{agreement.dispute.number} {filename_for(agreement)}",
        request=request,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename_for(agreement))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def upload_signed(request, number):
    agreement = _agreement_or_refuse(request, number)
    try:
        do_upload_signed(
            agreement=agreement, upload=request.FILES.get("signed_copy"), actor=request.user
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The signed agreement was uploaded."))
    return redirect("mediation:detail", number)
