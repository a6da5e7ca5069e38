"""The legal-aid pages: a resident applies from the phone and follows their applications;
the 法律援助中心's desk (reviewers and the director), the lawyer's cases and the 司法局's
objections; one application page for all of them, with the actions the workflow's table
allows this user now (``services.allowed_actions``). Thin: every step is a service call."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.services import unmaskable_kinds
from gongzhi.core import audit, workdays
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.scope import scope_for

from .. import staff
from ..models.aid import Application
from . import letters, queries, services
from .choices import UNDECIDED, DocumentKind, Hardship, State
from .forms import ACTION_FIELDS, ApplyForm, action_params, choices_for, may_enter_for_others
from .workflow import RULES

ACTION_KIND = {
    "grant": "primary",
    "grant_first": "primary",
    "assign": "primary",
    "record_progress": "primary",
    "conclude": "primary",
    "close": "primary",
    "supply_documents": "primary",
    "rate": "primary",
    "order_aid": "primary",
    "request_documents": "normal",
    "refuse": "danger",
    "terminate": "danger",
    "withdraw": "danger",
    "uphold": "danger",
}
OTHER_ENTRIES = {"apply": gettext_lazy("Application received")}
STATE_TONE = {
    State.SUBMITTED: "#2563eb",
    State.AWAITING_DOCUMENTS: "#d97706",
    State.UNDER_REVIEW: "#2563eb",
    State.GRANTED: "#059669",
    State.REFUSED: "#dc2626",
    State.OBJECTED: "#9333ea",
    State.ASSIGNED: "#059669",
    State.TERMINATED: "#6b7280",
    State.CONCLUDED: "#0d9488",
    State.CLOSED: "#374151",
    State.WITHDRAWN: "#6b7280",
}
SOON_WORKING_DAYS = 2


def _palette():
    return [(f"astate-{k}", v) for k, v in STATE_TONE.items()]


def _page(request, template, context, status=200):
    return render(request, template, {**context, "palette": _palette()}, status=status)


def _desk_paths(user):
    scope = scope_for(user)
    return scope.everything or bool(staff.aid_reviewer_paths(scope))


# -- the resident's pages ----------------------------------------------------------------


def _dispute_for(user, number: str):
    """The failed dispute the application follows, if the user may see it."""
    if not number:
        return None
    try:
        from gongzhi.mediation.models import Dispute
    except ImportError:  # pragma: no cover - mediation always installed
        return None
    return Dispute.objects.visible_to(user).filter(number=number).first()


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    """Apply for legal aid: for oneself (a guided form on the phone), or, for the centre's
    and service points' staff, for a walk-in person (``?for=other``)."""
    dispute = _dispute_for(request.user, request.GET.get("dispute") or request.POST.get("dispute"))
    chosen = request.GET.get("for") or request.POST.get("for")
    # From a failed dispute, a mediator at a service point enters it for the party.
    if not chosen and dispute is not None and may_enter_for_others(request.user):
        chosen = "other"
    on_behalf = chosen == "other"
    if on_behalf and not may_enter_for_others(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = ApplyForm(request.POST, request.FILES, user=request.user, on_behalf=on_behalf)
        if form.is_valid():
            try:
                with transaction.atomic():
                    application = services.do_apply(
                        data=form.data_in(),
                        actor=request.user,
                        on_behalf=on_behalf,
                        dispute=dispute,
                    )
                    for upload in form.cleaned_data.get("documents") or []:
                        upload.seek(0)
                        services.do_upload(
                            application=application,
                            actor=request.user,
                            upload=upload,
                            kind=DocumentKind.EVIDENCE,
                            title=upload.name[:100],
                        )
            except ServiceError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("Your application %(number)s has been received.")
                    % {"number": application.number},
                )
                return redirect(reverse("legal:aid_detail", args=[application.number]))
    else:
        initial = {}
        if dispute is not None:
            initial["summary"] = f"{dispute.title}\n{dispute.facts}"[:4000]
            initial["region"] = dispute.region_id
        form = ApplyForm(initial=initial, user=request.user, on_behalf=on_behalf)
    return _page(
        request,
        "legal/aid/apply.html",
        {
            "form": form,
            "on_behalf": on_behalf,
            "may_enter": may_enter_for_others(request.user),
            "dispute": dispute,
            "has_errors": bool(form.errors),
        },
        status=400 if form.errors else 200,
    )


def _asked_of_applicant(app) -> str:
    """What the applicant has to do now, in plain words."""
    if app.state == State.AWAITING_DOCUMENTS:
        return _("Upload the documents asked for below.")
    if app.state == State.REFUSED and app.objection_window_ends and not app.objected_at:
        return _("You may object to the refusal before the 司法局.")
    if app.state == State.CLOSED and not app.rating:
        return _("Tell us how satisfied you are with the aid.")
    return ""


@login_required
@require_GET
def mine(request):
    apps = list(queries.mine(request.user).prefetch_related("documents"))
    rows = [{"app": a, "asked": _asked_of_applicant(a)} for a in apps]
    return _page(request, "legal/aid/mine.html", {"rows": rows, "now": timezone.now()})


# -- the desks ---------------------------------------------------------------------------


def _queues(user, now):
    """(key, label, queryset) of the centre's queues."""
    desk = queries.desk(user)
    soon = workdays.add_working_days(now, SOON_WORKING_DAYS)
    undecided = desk.filter(state__in=list(UNDECIDED))
    return [
        ("new", _("New"), desk.filter(state=State.SUBMITTED).order_by("decision_due", "id")),
        (
            "documents",
            _("Awaiting documents"),
            desk.filter(state=State.AWAITING_DOCUMENTS).order_by("supplement_due", "id"),
        ),
        (
            "review",
            _("Under review"),
            desk.filter(state=State.UNDER_REVIEW).order_by("decision_due", "id"),
        ),
        (
            "soon",
            _("Due soon"),
            undecided.exclude(state=State.AWAITING_DOCUMENTS)
            .filter(decision_due__gte=now, decision_due__lte=soon)
            .order_by("decision_due", "id"),
        ),
        (
            "overdue",
            _("Overdue"),
            desk.filter(
                Q(state__in=[*UNDECIDED, State.GRANTED], overdue=True)
                | Q(state__in=[State.SUBMITTED, State.UNDER_REVIEW], decision_due__lt=now)
                | Q(state=State.GRANTED, assign_due__lt=now)
            ).order_by("decision_due", "id"),
        ),
        ("urgent", _("Urgent"), undecided.filter(urgent=True).order_by("decision_due", "id")),
        (
            "assign",
            _("Granted, awaiting a lawyer"),
            desk.filter(state=State.GRANTED).order_by("assign_due", "id"),
        ),
        ("all", _("All"), desk.order_by("-received_at", "-id")),
    ]


def _rows(apps):
    return [{"app": a, "masked": services.masked(a)} for a in apps]


@login_required
@require_GET
def desk(request):
    if not _desk_paths(request.user):
        raise PermissionDenied
    now = timezone.now()
    queues = _queues(request.user, now)
    chosen = request.GET.get("queue") or "new"
    if chosen not in {k for k, _l, _q in queues}:
        chosen = "new"
    tabs = [{"key": k, "label": label, "count": qs.distinct().count()} for k, label, qs in queues]
    qs = next(q for k, _l, q in queues if k == chosen).distinct()
    apps = list(qs.select_related("matter_type", "region", "lawyer")[:200])
    return _page(
        request,
        "legal/aid/desk.html",
        {
            "tabs": tabs,
            "queue": chosen,
            "rows": _rows(apps),
            "now": now,
            "may_enter": may_enter_for_others(request.user),
        },
    )


@login_required
@require_GET
def lawyer(request):
    if not staff.is_lawyer(scope_for(request.user)) and not scope_for(request.user).everything:
        raise PermissionDenied
    apps = list(queries.lawyer_cases(request.user).order_by("-assigned_at", "-id"))
    return _page(request, "legal/aid/lawyer.html", {"rows": _rows(apps), "now": timezone.now()})


@login_required
@require_GET
def objections(request):
    scope = scope_for(request.user)
    if not scope.everything and not staff.justice_bureau_paths(scope):
        raise PermissionDenied
    apps = list(queries.objections(request.user))
    pending = [a for a in apps if a.state == State.OBJECTED]
    others = [a for a in apps if a.state != State.OBJECTED]
    return _page(
        request,
        "legal/aid/objections.html",
        {"pending": _rows(pending), "others": _rows(others[:200]), "now": timezone.now()},
    )


# -- one application -----------------------------------------------------------------------


@dataclass
class ActionForm:
    name: str
    label: str
    kind: str = "normal"
    fields: list = field(default_factory=list)
    multipart: bool = False


def _action_forms(app, user) -> list[ActionForm]:
    forms = []
    for name in services.allowed_actions(app, user):
        specs = []
        for spec in ACTION_FIELDS.get(name, []):
            fname, kind, label, required = spec
            if kind == "file" and not services.may_upload(app, user, DocumentKind.CLOSING):
                continue
            specs.append(
                {
                    "name": fname,
                    "kind": kind,
                    "label": label,
                    "required": required,
                    "choices": choices_for(kind, app),
                }
            )
        forms.append(
            ActionForm(
                name,
                str(RULES[name].label),
                ACTION_KIND.get(name, "normal"),
                specs,
                any(s["kind"] == "file" for s in specs),
            )
        )
    return forms


def _timeline(app, public_only):
    rows = []
    for e in queries.timeline(app, public_only=public_only):
        rule = RULES.get(e.action)
        label = rule.label if rule else OTHER_ENTRIES.get(e.action, e.action)
        rows.append(
            {
                "event": e,
                "label": label,
                "note": services.masked_text(app, e.note or ""),
                "from": State(e.from_state).label if e.from_state in State.values else "",
                "to": State(e.to_state).label if e.to_state in State.values else "",
                "moved": e.from_state != e.to_state and bool(e.to_state),
            }
        )
    return rows


def _revealable(user) -> list[str]:
    """The applicant's fields the user's roles may unmask (the platform's policy)."""
    kinds = unmaskable_kinds(user)
    return [f for f, kind in Application.sensitive_fields.items() if kind in kinds]


def _is_staff_viewer(app, user) -> bool:
    scope = scope_for(user)
    return (
        scope.everything
        or staff.covers(staff.aid_reviewer_paths(scope), app.region_path)
        or app.lawyer_id == user.pk
        or staff.covers(staff.justice_bureau_paths(scope), app.region_path)
    )


def _context(request, app, *, error=None, error_action=None) -> dict:
    user = request.user
    is_applicant = user.pk in {app.applicant_id, app.entered_by_id}
    staff_view = _is_staff_viewer(app, user)
    masked = services.masked(app)
    fields = [
        (Application._meta.get_field(f).verbose_name, masked.get(f) or "—")
        for f in Application.sensitive_fields
    ]
    exemption_reasons = []
    if app.exemptions:
        from ..models.aid import ExemptionRule

        exemption_reasons = list(
            ExemptionRule.objects.filter(code__in=app.exemptions).values_list("reason", flat=True)
        )
    return {
        "app": app,
        "summary": services.masked_text(app, app.summary),
        "opposing_party": services.masked_text(app, app.opposing_party),
        "applicant_fields": fields,
        "can_reveal": staff_view and not is_applicant and bool(_revealable(user)),
        "is_applicant": is_applicant,
        "staff_view": staff_view,
        "documents": list(app.documents.select_related("uploaded_by").order_by("uploaded_at")),
        "progress": list(app.progress.select_related("recorded_by").order_by("happened_on")),
        "exemption_reasons": exemption_reasons,
        "hardship_exempt": app.hardship == Hardship.EXEMPT,
        "may_upload": services.may_upload(app, user),
        "asked": _asked_of_applicant(app) if is_applicant else "",
        "timeline": _timeline(app, public_only=not staff_view),
        "actions": _action_forms(app, user),
        "error": error,
        "error_action": error_action,
        "posted": request.POST if error is not None else {},
        "now": timezone.now(),
        "back_url": _back(user, is_applicant),
    }


def _back(user, is_applicant):
    if is_applicant:
        return reverse("legal:aid_mine")
    scope = scope_for(user)
    if staff.aid_reviewer_paths(scope):
        return reverse("legal:aid_desk")
    if staff.justice_bureau_paths(scope):
        return reverse("legal:aid_objections")
    if staff.is_lawyer(scope):
        return reverse("legal:aid_lawyer")
    return ""


def _get(user, number):
    try:
        return services.get_application(actor=user, number=number)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def detail(request, number):
    app = _get(request.user, number)
    response = _page(request, "legal/aid/detail.html", _context(request, app))
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def letter(request, number):
    """The written decision as a PDF, for the applicant and the staff who see the
    application; it names the applicant in full, so a reader other than them is audited."""
    app = _get(request.user, number)
    if not app.decided_at:
        raise Http404
    if app.applicant_id != request.user.pk:
        audit.record(
            actor=request.user,
            action="unmask",
            obj=app,
            fields=["name", "id_number"],
            reason="decision letter",
            request=request,
        )
    response = HttpResponse(letters.decision_pdf(app), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{app.number}.pdf"'
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def act(request, number, action):
    app = _get(request.user, number)
    if action not in RULES:
        raise Http404
    try:
        expected = request.POST.get("expected_state") or None
        services.check_transition(
            application=app, action=action, actor=request.user, expected_state=expected
        )
        params = action_params(action, request.POST)
        with transaction.atomic():
            closing = request.FILES.get("closing_file") if action == "close" else None
            if closing is not None:
                services.do_upload(
                    application=app,
                    actor=request.user,
                    upload=closing,
                    kind=DocumentKind.CLOSING,
                    title=closing.name[:100],
                )
            services.do_transition(
                application=app,
                action=action,
                actor=request.user,
                expected_state=expected,
                **params,
            )
    except ServiceError as error:
        app = _get(request.user, number)  # as it is now: nothing was changed
        context = _context(request, app, error=error, error_action=action)
        return _page(request, "legal/aid/detail.html", context, status=error.status)
    messages.success(request, _("Done: %(action)s.") % {"action": RULES[action].label})
    if Application.objects.visible_to(request.user).filter(pk=app.pk).exists():
        return redirect(reverse("legal:aid_detail", args=[app.number]))
    return redirect(_back(request.user, False) or reverse("home"))


@login_required
@require_POST
def upload(request, number):
    """Documents added to an application; while documents are awaited, the applicant's
    upload also tells the centre they are supplied (unless they say more are to come)."""
    app = _get(request.user, number)
    files = request.FILES.getlist("file")
    try:
        if not files:
            raise ServiceError("required", _("Choose a file to upload."), "file")
        with transaction.atomic():
            for f in files[:10]:
                kind = request.POST.get("kind") or (
                    DocumentKind.SUPPLEMENT
                    if app.state == State.AWAITING_DOCUMENTS
                    else DocumentKind.OTHER
                )
                services.do_upload(
                    application=app,
                    actor=request.user,
                    upload=f,
                    kind=kind,
                    title=(request.POST.get("title") or f.name)[:100],
                )
            if (
                app.state == State.AWAITING_DOCUMENTS
                and request.POST.get("complete") == "1"
                and "supply_documents" in services.allowed_actions(app, request.user)
            ):
                services.do_transition(
                    application=app,
                    action="supply_documents",
                    actor=request.user,
                    expected_state=app.state,
                    note=(request.POST.get("note") or "").strip(),
                )
    except ServiceError as error:
        app = _get(request.user, number)
        context = _context(request, app, error=error, error_action="upload")
        return _page(request, "legal/aid/detail.html", context, status=error.status)
    messages.success(request, _("The documents have been added."))
    return redirect(reverse("legal:aid_detail", args=[app.number]))


@login_required
@require_POST
def reveal(request, number):
    """The applicant's personal data as written, for staff whose role may see it; audited."""
    app = _get(request.user, number)
    fragment = bool(request.headers.get("HX-Request"))
    try:
        fields = _revealable(request.user)
        if not fields:
            raise PermissionDenied
        values = services.reveal(
            actor=request.user, application=app, fields=fields, request=request
        )
    except (PermissionDenied, ServiceError):
        response = _page(
            request,
            "legal/aid/_revealed.html" if fragment else "legal/aid/revealed.html",
            {"app": app, "refused": True},
            status=403,
        )
        add_never_cache_headers(response)
        return response
    rows = [
        (Application._meta.get_field(f).verbose_name, values[f])
        for f in Application.sensitive_fields
        if f in values
    ]
    response = _page(
        request,
        "legal/aid/_revealed.html" if fragment else "legal/aid/revealed.html",
        {"app": app, "rows": rows},
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def document(request, pk, thumb=False):
    try:
        doc = services.get_document(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    stored = doc.thumbnail if thumb and doc.thumbnail else doc.file
    response = FileResponse(stored.open("rb"), content_type=doc.content_type)
    add_never_cache_headers(response)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def document_thumb(request, pk):
    return document(request, pk, thumb=True)
