"""Excel downloads of the queue (as filtered) and of the rates table (as sorted)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.accounts.roles import STAFF_DESK, is_staff, roles_of
from gongzhi.cases.models import Case
from gongzhi.cases.queries import CaseFilterForm, bounded_count
from gongzhi.core import audit

from .. import exports
from .common import ROW_RELATED, home_console
from .console import rates_table


def _record(request, what: str, count: int) -> None:
    # A list of cases leaving the platform is recorded like any other sensitive read.
    audit.record(
        actor=request.user,
        action="export",
        reason=f"{what} ({count}): {request.GET.urlencode()}",
        request=request,
    )


def _filename(name: str) -> str:
    return f"{name}-{timezone.localdate():%Y%m%d}.xlsx"


def _download(request, content: bytes, name: str, what: str, count: int) -> HttpResponse:
    _record(request, what, count)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _filename(name))
    return response


@login_required
@require_GET
def queue_export(request):
    roles = roles_of(request.user)
    if not roles & STAFF_DESK:
        return redirect(home_console(roles))
    now = timezone.now()
    form = CaseFilterForm(request.GET, viewer=request.user)
    cases = form.sort(form.apply(Case.objects.visible_to(request.user), now=now))
    # Counted no further than the limit: the refusal costs the same at any table size.
    count, more = bounded_count(cases, exports.MAX_ROWS)
    if more:
        messages.error(
            request,
            _(
                "More than %(max)d cases match: narrow the filters to at most %(max)d to export them."
            )
            % {"max": exports.MAX_ROWS},
        )
        return redirect(f"{reverse('cases:queue')}?{request.GET.urlencode()}")
    rows = cases.select_related(*ROW_RELATED).iterator(chunk_size=2000)
    # Written to a temporary file and streamed from it (closed, so deleted, once sent).
    spooled = exports.queue_workbook(rows)
    _record(request, "queue", count)
    return FileResponse(
        spooled,
        as_attachment=True,
        filename=_filename(_("Case queue")),
        content_type=exports.CONTENT_TYPE,
    )


@login_required
@require_GET
def rates_export(request):
    roles = roles_of(request.user)
    if not is_staff(roles):
        return redirect(home_console(roles))
    data = rates_table(request)
    bad_day = data["form"].date_error()
    if bad_day:
        return HttpResponse(bad_day, status=400, content_type="text/plain; charset=utf-8")
    content = exports.rates_workbook(
        data["table"],
        group_label=str(data["group_label"]),
        first_day=data["first_day"],
        last_day=data["last_day"],
    )
    return _download(request, content, _("Rates"), "rates", len(data["table"]))
