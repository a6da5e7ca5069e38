"""The notices pages: thin, each parses its input, calls one service and renders.

A resident: /community/notices/ (their household's notices) and one notice (opening it
marks the household's copy read; the answer form). Staff: /community/notices/sent/ (their
area's notices), a new notice, and the sender's page (receipts by grid, the households
still waiting, the answers, publish / withdraw / remind once, the Excel list)."""

from __future__ import annotations

import mimetypes
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from gongzhi.core import media
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.sheets import safe_sheet

from .. import reveal as reveal_names
from ..choices import AnswerKind, NoticeState
from ..models import NoticeAttachment, NoticeDelivery
from . import queries, services
from .forms import NoticeForm


def _staff_or_404(request):
    if not services.is_staff(request.user):
        raise Http404


def _managed(request, number):
    _staff_or_404(request)
    try:
        return services.get_managed(actor=request.user, number=number)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def inbox(request):
    page = Paginator(queries.for_household(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/notices/inbox.html",
        {
            "page": page,
            "now": timezone.now(),
            "is_staff": services.is_staff(request.user),
            "villager": services.household_of(request.user) is not None,
        },
    )


def _resident_context(request, delivery, **extra):
    notice = delivery.notice
    return {
        "d": delivery,
        "notice": notice,
        "expired": services.is_expired(notice),
        "answer": (delivery.answer or {}).get("value"),
        "attachments": list(notice.attachments.all()),
        **extra,
    }


@login_required
@require_GET
def notice(request, number):
    try:
        delivery = services.do_read(actor=request.user, number=number)
    except NotFound:
        if services.is_staff(request.user):
            return redirect("community:notice_sent", number)
        raise Http404 from None
    return render(request, "community/notices/notice.html", _resident_context(request, delivery))


@login_required
@require_POST
def answer(request, number):
    try:
        services.do_answer(actor=request.user, number=number, value=request.POST.get("value"))
    except NotFound:
        raise Http404 from None
    except ServiceError as e:
        delivery = services.get_delivery(actor=request.user, number=number)
        return render(
            request,
            "community/notices/notice.html",
            _resident_context(request, delivery, error=e),
            status=e.status,
        )
    messages.success(request, _("Thank you: your household's answer was recorded."))
    return redirect("community:notice", number)


@login_required
def attachment(request, number, pk: int):
    """A notice's file, for its managers and the households it was delivered to."""
    item = (
        NoticeAttachment.objects.select_related("notice")
        .filter(pk=pk, notice__number=number)
        .first()
    )
    if item is None:
        raise Http404
    household = services.household_of(request.user)
    reaches = (
        household
        and NoticeDelivery.objects.filter(
            notice=item.notice,
            household_id=household,
            notice__state__in=services.SEEN_BY_RESIDENTS,
        ).exists()
    )
    if not (reaches or services.may_manage(request.user, item.notice)):
        raise Http404
    kind = mimetypes.guess_type(item.file.name)[0] or "application/octet-stream"
    return FileResponse(item.file.open("rb"), content_type=kind, filename=item.name)


@login_required
@require_GET
def sent(request):
    _staff_or_404(request)
    page = Paginator(services.managed(request.user).select_related("region"), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "community/notices/sent.html", {"page": page})


@media.request_limit(services.MAX_FILES * services.MAX_FILE_BYTES + 1024 * 1024)
@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    _staff_or_404(request)
    form = NoticeForm(request.POST or None, request.FILES or None, user=request.user)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        households = form.households()
        if form.is_valid():
            try:
                created = services.do_create(
                    actor=request.user,
                    region=data["region"],
                    title=data["title"],
                    body=data["body"],
                    regions=list(data["regions"]),
                    estates=list(data["estates"]),
                    groups=list(data["groups"]),
                    households=households,
                    publish_at=data["publish_at"],
                    expires_at=data["expires_at"],
                    by_sms=data["by_sms"],
                    answer_kind=data["answer_kind"],
                    answer_choices=form.answer_choices_list(),
                    files=request.FILES.getlist("files"),
                )
                if "publish" in request.POST:
                    created = services.do_publish(actor=request.user, notice=created)
            except ServiceError as e:
                error = e
            else:
                if created.state == NoticeState.SCHEDULED:
                    messages.success(request, _("The notice is scheduled."))
                elif created.state == NoticeState.PUBLISHED:
                    messages.success(request, _("The notice was sent."))
                else:
                    messages.success(request, _("The draft was saved."))
                return redirect("community:notice_sent", created.number)
    errors = {e.field: e.message for e in reversed(error.all)} if error else {}
    return render(
        request,
        "community/notices/new.html",
        {"form": form, "error": error, "errors": errors},
        status=error.status if error else 200,
    )


def _sender_context(request, notice, *, reveal=False, **extra):
    grid = request.GET.get("grid")
    grid = int(grid) if grid and grid.isdigit() else None
    waiting = queries.waiting(notice, grid=grid, limit=200, reveal=reveal)
    if reveal:
        reveal_names.record(
            request, [w["head"] for w in waiting], reason=f"notice {notice.number}: waiting"
        )
    return {
        "notice": notice,
        "r": queries.receipts(notice),
        "waiting": waiting,
        "grid": grid,
        "asks": notice.answer_kind != AnswerKind.NONE,
        "attachments": list(notice.attachments.all()),
        "reveal": reveal,
        "may_reveal": reveal_names.may_reveal(request.user, notice.region_path),
        **extra,
    }


@never_cache
@login_required
@require_GET
def sender(request, number):
    """The sender's page; ``?reveal=1`` shows the waiting households' heads' names and
    phones to those allowed (audited), and a refusal to the others."""
    n = _managed(request, number)
    if request.GET.get("reveal") == "1":
        try:
            reveal_names.check_reveal(
                request=request, region_path=n.region_path, obj=n, reason=f"notice {n.number}"
            )
        except ServiceError as e:
            context = _sender_context(request, n, refused=e.message)
            return render(request, "community/notices/sender.html", context, status=e.status)
        context = _sender_context(request, n, reveal=True)
        return render(request, "community/notices/sender.html", context)
    return render(request, "community/notices/sender.html", _sender_context(request, n))


ACTIONS = {
    "publish": (services.do_publish, _("Sent (or scheduled).")),
    "withdraw": (services.do_withdraw, _("The notice was withdrawn.")),
    "delete": (services.do_delete, _("The draft was deleted.")),
}


@login_required
@require_POST
def act(request, number, action):
    n = _managed(request, number)
    try:
        if action == "remind":
            count = services.do_remind(actor=request.user, notice=n)
            messages.success(
                request, _("Reminded %(n)d households that were still waiting.") % {"n": count}
            )
        elif action in ACTIONS:
            do, said = ACTIONS[action]
            do(actor=request.user, notice=n)
            messages.success(request, str(said))
            if action == "delete":
                return redirect("community:notices_sent")
        else:
            raise Http404
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("community:notice_sent", number)


@login_required
@require_GET
def waiting_sheet(request, number):
    """The households still waiting, as Excel (masked as on the page)."""
    n = _managed(request, number)
    book = Workbook(write_only=True)
    sheet = safe_sheet(book.create_sheet(_("Waiting")))
    sheet.append([_("Grid"), _("Household"), _("Address"), _("Read"), _("Answered"), _("Reminded")])
    yes, no = _("yes"), _("no")
    for row in queries.waiting(n):
        sheet.append(
            [
                row["grid"],
                row["household"],
                row["address"],
                yes if row["read"] else no,
                yes if row["answered"] else no,
                yes if row["reminded"] else no,
            ]
        )
    out = BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{n.number}-waiting.xlsx"'
    return response
