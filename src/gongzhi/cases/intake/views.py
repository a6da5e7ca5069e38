"""Intake pages: 随手拍 for residents and grid workers, the hotline form, public tracking.

Each view parses its input with a form (``cases.forms``), calls one service and renders;
a ``ServiceError`` from the service is shown next to the field it names, with its status.
"""

from __future__ import annotations

import hmac
import math
import mimetypes
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.masking import mask_address, mask_id_number, mask_mobile
from gongzhi.accounts.models import Role
from gongzhi.accounts.roles import HOTLINE_ROLES, REPORTING_ROLES, roles_of
from gongzhi.cases import answers
from gongzhi.cases.choices import Channel, Satisfaction, State
from gongzhi.cases.intake import services, split
from gongzhi.cases.intake import withdraw as caller_withdraw
from gongzhi.cases.intake.forms import (
    MAX_ID,
    CallbackForm,
    HotlineForm,
    NearbyForm,
    QuickReportForm,
)
from gongzhi.cases.intake.outbox import page_context
from gongzhi.cases.models import Attachment, Case
from gongzhi.cases.triage import hooks as triage_hooks
from gongzhi.cases.views import console
from gongzhi.cases.views.common import case_or_404
from gongzhi.cases.workflow import services as transitions
from gongzhi.cases.workflow import table as workflow
from gongzhi.core import ratelimit
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.media import MAX_BYTES, MAX_PHOTOS, request_limit
from gongzhi.regions.models import Region
from gongzhi.taxonomy import attributes
from gongzhi.taxonomy.models import AttributeDatatype, Category
from gongzhi.taxonomy.services import search_categories

from .. import channels

NEARBY_RADIUS_M = 200
NEARBY_DAYS = 7
MY_REPORTS = 10


def _submit(request, form, *, channel: str, reporter, entered_by, rate: str, answered=False):
    """Validate the form, then the report in the service. (case, created) or (None, False);
    ``RateLimited`` when the person has sent more new reports than ``rate`` allows (a retry
    of a report already received is answered, not counted). ``answered``: the hotline's
    直接答复, the case made and closed with the operator's answer."""
    if not form.is_valid():
        return None, False

    def admit():
        ratelimit.check(rate, f"user:{request.user.pk}", ratelimit.rate(rate))

    try:
        report = form.to_report(channel=channel, user=request.user)
        if answered:
            return services.do_answer_call(
                report=report,
                operator=entered_by,
                answer=form.cleaned_data.get("answer") or "",
                entry=form.cleaned_data.get("answer_entry"),
                admit=admit,
            )
        return services.do_report(
            report=report,
            reporter=reporter,
            entered_by=entered_by,
            photos=form.cleaned_data.get("photos", ()),
            admit=admit,
        )
    except ServiceError as error:
        form.add_case_error(error)
        return None, False


def _too_many(form, limited: ratelimit.RateLimited) -> str:
    minutes = max(1, -(-limited.retry_after // 60))
    text = _("Too many reports in a short time: please try again in %(minutes)d min.") % {
        "minutes": minutes
    }
    form.add_error(None, text)
    return text


# The largest body each page takes: the form and six photos of at most 10 MB each; a call
# on the hotline form is text only. Anything larger is refused before it is read.
REPORT_BYTES = MAX_PHOTOS * MAX_BYTES + 1024 * 1024
HOTLINE_BYTES = 1024 * 1024


def _wants_json(request) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _form_errors(form) -> dict:
    """The form's errors as the API shapes them, every message in one line for the phone."""
    errors = form.errors.get_json_data()
    field = next(iter(errors), None)
    if field == "__all__" and getattr(form, "answer_errors", None):  # a question's answer
        field = f"attribute[{next(iter(form.answer_errors))}]"
    text = " ".join(e["message"] for messages in errors.values() for e in messages)
    return {"error": "invalid", "message": text, "field": None if field == "__all__" else field}


def _question_rows(category: Category | None, answers=None, errors=None) -> list[dict]:
    """The category's questions as the form shows them, each with what was answered and the
    error about it, if any."""
    if category is None:
        return []
    answers, errors = answers or {}, errors or {}
    return [
        {
            "q": q,
            "name": f"attribute[{q.code}]"
            + ("[]" if q.datatype == AttributeDatatype.MULTI else ""),
            "values": answers.get(q.code, []),
            "value": (answers.get(q.code) or [""])[0],
            "error": errors.get(q.code, ""),
        }
        for q in attributes.questions(category)
        if q.variable
    ]


def _questions_context(form) -> dict:
    category = _chosen_category(form)
    return {
        "category": category,
        "questions": _question_rows(
            category, getattr(form, "answers", {}), getattr(form, "answer_errors", {})
        ),
    }


def _chosen_category(form) -> Category | None:
    """The category picked before the form came back with an error, to show it again."""
    value = str(form["category"].value() or "")
    if not value.isdigit() or not 0 < int(value) <= MAX_ID:
        return None
    return Category.objects.filter(pk=int(value), enabled=True).first()


# --- 随手拍 -------------------------------------------------------------------------------


@request_limit(REPORT_BYTES)
@login_required
@require_http_methods(["GET", "POST"])
def quick_report(request):
    roles = roles_of(request.user)
    if not roles & REPORTING_ROLES:
        raise PermissionDenied
    channel = Channel.GRID_WORKER if Role.GRID_WORKER in roles else Channel.QUICK_REPORT
    status = 200
    retry_after = None
    if request.method == "POST":
        form = QuickReportForm(request.POST, request.FILES)
        # A report the phone kept while it had no signal, sent later by its script.
        as_json = _wants_json(request)
        try:
            case, created = _submit(
                request,
                form,
                channel=channel,
                reporter=request.user,
                entered_by=None,
                rate="web_report",
            )
        except ratelimit.RateLimited as limited:
            text = _too_many(form, limited)
            if as_json:  # the phone's outbox keeps the report and sends it again later
                response = JsonResponse(
                    {"error": "rate_limited", "message": text, "field": None}, status=429
                )
                response["Retry-After"] = str(limited.retry_after)
                return response
            case, created, retry_after = None, False, limited.retry_after
        if case is not None:
            text = (
                _("Thank you! Your report was received as case %(number)s.")
                if created
                else _("This report was already received as case %(number)s.")
            ) % {"number": case.number}
            if as_json:
                return JsonResponse(
                    {
                        "number": case.number,
                        "created": created,
                        "track_url": case.tracking_url(),
                        "message": text,
                    },
                    status=201 if created else 200,
                )
            messages.success(request, text)
            return redirect(case.tracking_url())
        if as_json:
            return JsonResponse(_form_errors(form), status=400)
        status = 400 if retry_after is None else 429
    else:
        form = QuickReportForm()
    mine = (
        Case.objects.visible_to(request.user)
        .filter(reporter=request.user)
        .select_related("category")
        .only("number", "title", "state", "created_at", "tracking_token", "category__name")[
            :MY_REPORTS
        ]
    )
    context = {
        "form": form,
        **_questions_context(form),
        "channel": channel,
        "max_photos": MAX_PHOTOS,
        "radius_m": NEARBY_RADIUS_M,
        "my_reports": [(c, c.tracking_url()) for c in mine],
        **page_context(request.user),
    }
    response = render(request, "cases/intake/report.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


# --- 12345 hotline -----------------------------------------------------------------------


@request_limit(HOTLINE_BYTES)
@login_required
@require_http_methods(["GET", "POST"])
def hotline(request):
    if not roles_of(request.user) & HOTLINE_ROLES:
        raise PermissionDenied
    status = 200
    saved = None
    if request.method == "POST":
        form = HotlineForm(request.POST)
        try:
            case, _created = _submit(
                request,
                form,
                channel=Channel.HOTLINE,
                reporter=None,
                entered_by=request.user,
                rate="hotline_report",
                answered=bool(request.POST.get("direct_answer")),
            )
        except ratelimit.RateLimited as limited:
            _too_many(form, limited)
            case, status = None, 429
        else:
            status = 400
        if case is not None:
            # Post/redirect/get: a reload does not resubmit, and the next call starts afresh.
            return redirect(reverse("cases:hotline") + "?" + urlencode({"saved": case.number}))
    else:
        form = HotlineForm()
        number = request.GET.get("saved", "")[:24]
        if number:
            saved = (
                Case.objects.visible_to(request.user)
                .filter(number=number, entered_by=request.user)
                .first()
            )
    context = {
        "form": form,
        **_questions_context(form),
        "saved": saved,
        "saved_track_url": request.build_absolute_uri(saved.tracking_url()) if saved else "",
        "radius_m": NEARBY_RADIUS_M,
    }
    return render(request, "cases/intake/hotline.html", context, status=status)


# --- 拆分 from the case page -------------------------------------------------------------


@login_required
@require_POST
def split_case(request, number):
    """The case page's split form (``cases:act`` with action ``split``): it makes new cases
    through intake, so it is intake's; an error is shown on the case page as any action's."""
    case = case_or_404(request.user, number)
    try:
        _case, made = split.do_split(
            case=case,
            actor=request.user,
            data=request.POST,
            expected_state=request.POST.get("expected_state") or None,
        )
    except ServiceError as error:
        case = case_or_404(request.user, number)  # as it is now: nothing was changed
        context = console._detail_context(request, case, error=error, error_action="split")
        return render(request, "cases/console/detail.html", context, status=error.status)
    messages.success(
        request,
        _("Split: %(cases)s made for the other problems.")
        % {"cases": "、".join(c.number for c in made)},
    )
    return redirect("cases:detail", number=case.number)


# --- the knowledge base of answers (直接答复) ---------------------------------------------


def _call_taker(request) -> None:
    try:
        answers.check_may_use(request.user)
    except ServiceError:
        raise PermissionDenied from None


@login_required
@require_GET
def answer_search(request):
    """The knowledge base's answers to what the operator types, for the chosen category (or
    the case's) and the caller's place; each can be picked to fill the answer."""
    _call_taker(request)
    q = request.GET.get("kb_q", "").strip()[:200]
    category, region_path = None, ""
    number = request.GET.get("case", "")[:24]
    case = Case.objects.visible_to(request.user).filter(number=number).first() if number else None
    if case is not None:
        category, region_path = case.category, case.region_path
    else:
        value = request.GET.get("category", "")
        if value.isdigit() and 0 < int(value) <= MAX_ID:
            category = Category.objects.filter(pk=int(value), enabled=True).first()
        point = _point_param(request)
        if point is not None:
            hit = services.locate(*point)
            region_path = hit.region_path if hit is not None else ""
    found = answers.search(q, category=category, region_path=region_path)
    return render(
        request, "cases/intake/_answer_results.html", {"found": found, "q": q, "case": case}
    )


@login_required
@require_GET
def answer_pick(request, pk):
    """The answer field filled with a knowledge-base entry (and the entry remembered)."""
    _call_taker(request)
    entry = answers.entry(pk)
    if entry is None:
        raise Http404
    # The field the entry goes in: the hotline form's, or the case page's answer action.
    field = "entry" if request.GET.get("field") == "entry" else "answer_entry"
    context = {"entry": entry, "text": entry.answer, "field": field}
    return render(request, "cases/intake/_answer_field.html", context)


# --- fragments for htmx ------------------------------------------------------------------


@login_required
@require_GET
def category_search(request):
    q = request.GET.get("q", "").strip()[:60]
    # The reserved trees are left out by the search itself: up to 12 offered categories.
    categories = (
        search_categories(q, limit=12, exclude_paths=channels.reserved_paths()) if q else []
    )
    for c in categories:  # "道路与井盖 / " before the name itself, shown lighter
        c.parent_path = c.full_name[: -len(c.name)] if c.full_name.endswith(c.name) else ""
    return render(
        request, "cases/intake/_category_results.html", {"categories": categories, "q": q}
    )


@login_required
@require_GET
def category_questions(request):
    """The chosen category's questions, put into the form when a category is picked."""
    value = request.GET.get("category", "")
    category = None
    if value.isdigit() and 0 < int(value) <= MAX_ID:
        category = Category.objects.filter(pk=int(value), enabled=True).first()
    return render(request, "cases/intake/_questions.html", {"questions": _question_rows(category)})


@login_required
@require_GET
def address_hint(request):
    """Where a typed address will place a case without a pin, shown under the field while the
    operator types, so that a call is not saved to the wrong township; and on both forms a
    warning when the address names a place the pin is not in. 随手拍 asks for the warning
    only (``only=warnings``): its address is a free description next to the pin."""
    if not roles_of(request.user) & (HOTLINE_ROLES | REPORTING_ROLES):
        raise PermissionDenied
    text = request.GET.get("address", "").strip()[:200]
    point = _point_param(request)
    warnings = services.address_warnings(address=text, lng=point[0], lat=point[1]) if point else []
    if request.GET.get("only") == "warnings" or not roles_of(request.user) & HOTLINE_ROLES:
        return render(request, "cases/intake/_address_hint.html", {"warnings": warnings})
    street = services.place_address(text) if len(text) >= 2 else None
    found = triage_hooks.locate_text(text) if len(text) >= 2 else None
    chain = []
    if found:
        codes = [c for c in found["region_path"].strip("/").split("/") if c]
        rows = {
            c: (n, lv)
            for c, n, lv in Region.objects.filter(code__in=codes).values_list(
                "code", "name", "level"
            )
        }
        chain = [rows[c][0] for c in codes if c in rows and rows[c][1] not in ("province", "city")]
        if found["grid_name"]:
            chain.append(found["grid_name"])
    context = {
        "text": text,
        "found": found,
        "chain": chain,
        "street": street,
        "pinned": point is not None,
        "warnings": warnings,
    }
    return render(request, "cases/intake/_address_hint.html", context)


@login_required
@require_POST
def caller_history(request):
    """The caller's earlier cases, shown under the phone field as the operator types the
    number: a repeat call or a known caller is seen at once. Audited, for call takers only.
    Posted, so that the number never lands in a URL or an access log."""
    if not roles_of(request.user) & HOTLINE_ROLES:
        raise PermissionDenied
    phone = services.check_caller_history(
        viewer=request.user, phone=request.POST.get("reporter_phone", "")
    )
    history = (
        services.do_caller_history(viewer=request.user, phone=phone, request=request)
        if phone
        else None
    )
    return render(request, "cases/intake/_caller_history.html", {"history": history})


def _point_param(request) -> tuple[float, float] | None:
    try:
        lng, lat = float(request.GET.get("lng", "")), float(request.GET.get("lat", ""))
    except ValueError:
        return None
    if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        return None
    return lng, lat


@login_required
@require_GET
def geocode(request):
    """定位: the point the street gazetteer gives a typed address, for the form's "locate from
    address" button, which puts the pin there."""
    if not roles_of(request.user) & (REPORTING_ROLES | HOTLINE_ROLES):
        raise PermissionDenied
    text = request.GET.get("address", "").strip()[:200]
    placed = services.place_address(text) if len(text) >= 2 else None
    if placed is None:
        return JsonResponse(
            {
                "found": False,
                "message": _(
                    "No street of the gazetteer found in this address: mark the place on the map."
                ),
            }
        )
    return JsonResponse(
        {
            "found": True,
            **placed,
            "message": _("Placed at %(label)s (%(place)s). Drag the pin if it is not quite right.")
            % {"label": placed["label"], "place": placed["place"] or placed["grid"]},
        }
    )


@login_required
@require_GET
def nearby(request):
    form = NearbyForm(request.GET)
    rows = []
    category = None
    if form.is_valid():
        category = Category.objects.filter(pk=form.cleaned_data["category"]).first()
    place = None
    if category is not None:
        d = form.cleaned_data
        if d["lng"] is None or d["lat"] is None:
            place = triage_hooks.place_for_hint(d["address"])
            if place is None:  # no pin, and no grid or community recognised: nothing to say
                category = None
        if category is not None:
            rows = services.nearby_open_cases(
                category=category,
                lng=d["lng"],
                lat=d["lat"],
                place=place,
                text=d["text"],
                viewer=request.user,
                radius_m=NEARBY_RADIUS_M,
                days=NEARBY_DAYS,
            )
    context = {
        "asked": category is not None,
        "place": " · ".join(place.matched) if place else "",
        "rows": rows,
        "radius_m": NEARBY_RADIUS_M,
        "days": NEARBY_DAYS,
        "link_to_detail": bool(roles_of(request.user) - {Role.RESIDENT}),
        # Residents and grid workers may add their voice instead of reporting it again.
        "may_support": bool(roles_of(request.user) & REPORTING_ROLES),
    }
    return render(request, "cases/intake/_nearby.html", context)


@login_required
@require_http_methods(["POST"])
def support(request, number):
    """我也遇到: add the signed-in reporter's voice to an open case from the nearby hint."""
    case = Case.objects.filter(number=number).select_related("category").first()
    if case is None:
        raise Http404
    try:
        count, _created = services.do_support(
            case=case,
            user=request.user,
            # What the reporter was typing: the pair becomes a verdict for the duplicate scorer.
            words={k: request.POST.get(k, "")[:2000] for k in ("description", "lng", "lat")},
        )
    except NotFound:
        raise Http404 from None
    except ServiceError as error:
        return render(
            request, "cases/intake/_support.html", {"error": error.message}, status=error.status
        )
    return render(request, "cases/intake/_support.html", {"count": count, "supported": True})


# --- public tracking ---------------------------------------------------------------------

# The stages a reporter sees, and where each state sits on them.
STAGES = [
    ("reported", pgettext_lazy("progress stage", "Reported")),
    ("accepted", pgettext_lazy("progress stage", "Accepted")),
    ("dispatched", pgettext_lazy("progress stage", "Dispatched")),
    ("in_progress", pgettext_lazy("progress stage", "Being handled")),
    ("resolved", pgettext_lazy("progress stage", "Resolved")),
    ("closed", pgettext_lazy("progress stage", "Closed")),
]
STAGE_OF_STATE = {
    State.REPORTED: 0,
    State.ACCEPTED: 1,
    State.RETURNED: 1,  # back with the command centre, to be dispatched again
    State.ESCALATED: 1,
    State.REOPENED: 1,
    State.DISPATCHED: 2,
    State.IN_PROGRESS: 3,
    State.RESOLVED: 4,
    State.CLOSED: 5,
    State.ANSWERED: 5,
    State.SUSPENDED: 3,  # paused, still with the handling unit
}

# How each public timeline entry reads to a reporter.
EVENT_TEXT = {
    "report": gettext_lazy("Report received"),
    "accept": gettext_lazy("Accepted by the command centre"),
    "reject": gettext_lazy("Not admitted"),
    "dispatch": gettext_lazy("Dispatched to %(unit)s"),
    "sign_for": gettext_lazy("The handling unit took it on"),
    "return": gettext_lazy("Sent back to the command centre to find the right unit"),
    "resolve": gettext_lazy("The handling unit reports it done"),
    "verify_pass": gettext_lazy("Checked on the spot and closed"),
    "verify_fail": gettext_lazy("Checked on the spot: not solved yet, handling continues"),
    "escalate": gettext_lazy("Handed to the level above"),
    "merge": gettext_lazy("Merged into case %(into)s, which deals with the same problem"),
    "supervise": gettext_lazy("Supervised: the handling unit was urged to act"),
    "callback": gettext_lazy("Rated by the reporter"),
    "transfer": gettext_lazy("Transferred to %(unit)s"),
    "withdraw": gettext_lazy("Withdrawn by the reporter"),
    "answer": gettext_lazy("Answered by the hotline"),
    "split": gettext_lazy("Split into cases %(cases)s, one for each problem"),
    "split_from": gettext_lazy("Split off case %(case)s: this case deals with one of its problems"),
}

# Phone and ID numbers typed into free text are masked before a reporter's page shows it.
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0[0-9]{2,3}-?[0-9]{7,8}(?![0-9])")


def _scrub(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text or "")
    text = _MOBILE.sub(lambda m: mask_mobile(m.group()), text)
    return _LANDLINE.sub(lambda m: mask_mobile(m.group()), text)


def _may_track(user, case: Case | None, token: str) -> bool:
    # Compare even when there is no such case, so that the answer takes as long.
    expected = (case.tracking_token if case else "-" * 16).encode()
    token_ok = bool(token) and hmac.compare_digest(expected, token.encode("utf-8", "replace"))
    if case is None:
        return False
    return token_ok or (user.is_authenticated and case.reporter_id == user.pk)


def _timeline(case: Case) -> list[dict]:
    """The public entries, newest first (as a parcel's tracking reads)."""
    entries = []
    events = case.events.filter(is_public=True).select_related("actor_organisation")
    for event in events.order_by("-at", "-id"):
        data = event.data or {}
        template = EVENT_TEXT.get(event.action)
        if template is None:
            rule = workflow.RULES.get(event.action)
            text = str(rule.label) if rule else event.action
        else:
            text = str(template) % {
                "unit": data.get("organisation_name") or _("the handling unit"),
                "into": data.get("into", ""),
                "cases": "、".join(data.get("cases") or []),
                "case": data.get("case", ""),
            }
        details = []
        if event.action == "callback":
            details.append(_("Solved") if data.get("resolved") else _("Not solved"))
            if data.get("satisfaction") in Satisfaction.values:
                details.append(str(Satisfaction(data["satisfaction"]).label))
        entries.append(
            {
                "at": event.at,
                "action": event.action,
                "text": text,
                "details": details,
                "unit": event.actor_organisation.name if event.actor_organisation else "",
                "note": _scrub(event.display_note()),
            }
        )
    return entries


def _place(case: Case) -> str:
    """Where, as public places (township, grid); a typed address only masked."""
    if case.grid is not None:
        township = case.region.parent.name if case.region and case.region.parent else ""
        return " · ".join(p for p in [township, case.grid.name] if p)
    if case.region is not None:
        return case.region.name
    return mask_address(case.address)


# The photos a reporter sees: theirs, and the handling unit's photo of the result. Photos
# taken on a verification visit stay on the case page.
PUBLIC_PHOTO_STAGES = (Attachment.Stage.REPORT, Attachment.Stage.RESOLUTION)


def _public_photos(case: Case):
    return case.attachments.filter(stage__in=PUBLIC_PHOTO_STAGES)


def _photo(case: Case, request):
    """A photo of the report, for those who may see the page (there is no public media URL)."""
    photo_id = request.GET.get("photo", "")
    if not photo_id.isdigit() or not 0 < int(photo_id) <= MAX_ID:
        raise Http404
    attachment = _public_photos(case).filter(pk=int(photo_id)).first()
    if attachment is None:
        raise Http404
    file = attachment.image
    if request.GET.get("size") == "thumb" and attachment.thumbnail:
        file = attachment.thumbnail
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return FileResponse(file.open("rb"), content_type=content_type)


@never_cache
@require_http_methods(["GET", "POST"])
def track(request, number):
    case = (
        Case.objects.select_related("category", "region__parent", "grid", "merged_into")
        .filter(number=number)
        .first()
    )
    token = (request.GET.get("t") or request.POST.get("t") or "")[:64]
    if not _may_track(request.user, case, token):
        raise Http404
    if "photo" in request.GET:
        return _photo(case, request)

    is_reporter = request.user.is_authenticated and case.reporter_id == request.user.pk
    rated = (
        case.closed_at is not None
        and case.callbacks.filter(created_at__gte=case.closed_at).exists()
    )
    awaiting_rating = case.state == State.CLOSED and not rated
    status = 200
    form = CallbackForm()
    # 撤销: a reporter with an account, signed in; one without (a hotline caller, an
    # anonymous report) with the link and, where the case keeps a phone, its last digits.
    proof = caller_withdraw.proof_needed(case)
    by_link = (
        proof != caller_withdraw.BY_ACCOUNT
        and caller_withdraw.token_matches(case, token)
        and caller_withdraw.may_withdraw(case)
    )
    can_withdraw = by_link or (
        is_reporter and "withdraw" in workflow.allowed_actions(case, request.user)
    )
    withdraw_error, retry_after = None, None
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        as_json = _wants_json(request)
        if not can_withdraw:
            if as_json:
                return JsonResponse(
                    {
                        "error": "not_permitted",
                        "message": _("You may not withdraw this report."),
                        "field": None,
                    },
                    status=403,
                )
            raise PermissionDenied
        try:
            if is_reporter:
                transitions.do_transition(
                    case=case,
                    action="withdraw",
                    actor=request.user,
                    data=request.POST,
                    expected_state=case.state,
                )
            else:
                caller_withdraw.do_caller_withdraw(
                    case=case,
                    token=token,
                    phone_last4=request.POST.get("phone_last4", "")[:20],
                    reason=request.POST.get("reason", ""),
                    request=request,
                )
        except ratelimit.RateLimited as limited:
            withdraw_error = ServiceError(
                "rate_limited",
                _("Too many tries: please try again later, or call the hotline."),
                "phone_last4",
            )
            status = 429
            retry_after = limited.retry_after
        except ServiceError as error:
            withdraw_error = error
            status = error.status
        else:
            if as_json:
                return JsonResponse({"number": case.number, "state": State.WITHDRAWN})
            messages.success(request, _("Your report is withdrawn."))
            return redirect(case.tracking_url())
        if as_json:
            response = JsonResponse(
                {
                    "error": withdraw_error.code,
                    "message": withdraw_error.message,
                    "field": withdraw_error.field,
                },
                status=status,
            )
            if retry_after is not None:
                response["Retry-After"] = str(retry_after)
            return response
    elif request.method == "POST":
        if not (is_reporter and awaiting_rating):
            raise PermissionDenied
        form = CallbackForm(request.POST)
        if form.is_valid():
            try:
                transitions.do_transition(
                    case=case,
                    action="callback",
                    actor=request.user,
                    expected_state=State.CLOSED,
                    **form.params(),
                )
            except ServiceError as error:
                form.add_case_error(error)
                status = error.status
            else:
                messages.success(request, _("Thank you for your rating."))
                return redirect(case.tracking_url())
        else:
            status = 400

    stage = STAGE_OF_STATE.get(case.state)
    shown_photos = list(_public_photos(case).order_by("id"))
    context = {
        "case": case,
        "track_url": case.tracking_url(),
        "title": _scrub(case.title),
        "description": _scrub(case.description),
        "answer": _scrub(case.result) if case.state == State.ANSWERED else "",
        "place": _place(case),
        "stages": [
            {
                "key": key,
                "label": label,
                "done": stage is not None and i < stage,
                "current": stage is not None and i == stage,
            }
            for i, (key, label) in enumerate(STAGES)
        ],
        "stage": stage,
        "timeline": _timeline(case),
        "photos": [p for p in shown_photos if p.stage == Attachment.Stage.REPORT],
        # The result as the handling unit photographed it when it reported the work done
        # (the latest resolution first: a reopened case may have been resolved twice).
        "result_photos": [p for p in shown_photos if p.stage == Attachment.Stage.RESOLUTION][::-1],
        "can_rate": is_reporter and awaiting_rating,
        # Only the reporter, logged in, rates here (the workflow's rule); for a report made
        # without an account, or seen by someone else, the hotline calls back instead.
        "login_to_rate": bool(
            awaiting_rating and case.reporter_id and not request.user.is_authenticated
        ),
        "rating_by_phone": awaiting_rating and not is_reporter,
        "form": form,
        "can_withdraw": can_withdraw,
        # A caller without an account proves the report is theirs by the phone's last digits.
        "withdraw_by_phone": can_withdraw and not is_reporter and proof == caller_withdraw.BY_PHONE,
        "login_to_withdraw": bool(
            proof == caller_withdraw.BY_ACCOUNT
            and not request.user.is_authenticated
            and caller_withdraw.may_withdraw(case)
        ),
        "withdraw_error": withdraw_error,
        "withdraw_reason": request.POST.get("reason", "") if withdraw_error else "",
    }
    response = render(request, "cases/intake/track.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
