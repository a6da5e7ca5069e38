"""The early-warning pages: the list of the viewer's warnings, one warning (its weeks drawn
against the usual range, the reports it counts) and its two actions, dismiss and task.

Thin: the reading and the actions are ``command.early_warnings``'s. A warning outside the
viewer's territory is "not found", as a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Region, RegionLevel

from .. import early_warnings as warnings
from ..models import WarningState

CASES_SHOWN = 50


def _warning(request, pk: int):
    try:
        return warnings.get_visible(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _may_act(user) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.roles & warnings.WHO_ACTS)


@login_required
def warning_list(request):
    rows = warnings.visible(request.user)
    counties = list(
        Region.objects.visible_to(request.user)
        .filter(level=RegionLevel.COUNTY)
        .only("code", "name", "path")
        .order_by("path")
    )
    state = request.GET.get("state", WarningState.OPEN)
    if state in WarningState.values:
        rows = rows.filter(state=state)
    else:
        state = ""
    county = request.GET.get("county", "")
    chosen = next((c for c in counties if c.code == county), None)
    if chosen is not None:
        rows = rows.filter(township__path__startswith=chosen.path)
    else:
        county = ""
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "command/early_warnings/list.html",
        {
            "page": page,
            "rows": [(w, warnings.headline(w)) for w in page.object_list],
            "states": WarningState.choices,
            "state": state,
            "counties": counties,
            "county": county,
        },
    )


@login_required
def warning_detail(request, pk: int):
    warning = _warning(request, pk)
    cases = warnings.cases_of(warning, user=request.user)
    return render(
        request,
        "command/early_warnings/detail.html",
        {
            "warning": warning,
            "headline": warnings.headline(warning),
            "chart": warnings.chart(warning),
            "cases": cases[:CASES_SHOWN],
            "case_count": cases.count(),
            "queue_url": warnings.queue_url(warning, user=request.user),
            "may_act": warning.state == WarningState.OPEN and _may_act(request.user),
        },
    )


@login_required
@require_POST
def warning_dismiss(request, pk: int):
    warning = _warning(request, pk)
    try:
        warnings.do_dismiss(warning=warning, user=request.user, reason=request.POST.get("reason"))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The warning was dismissed."))
    return redirect("command:early_warning", pk=warning.pk)


@login_required
@require_POST
def warning_task(request, pk: int):
    warning = _warning(request, pk)
    try:
        case = warnings.do_task(warning=warning, user=request.user, note=request.POST.get("note"))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Case %(number)s was created and is supervised.") % {"number": case.number},
        )
    return redirect("command:early_warning", pk=warning.pk)


urlpatterns = [
    path("warnings/", warning_list, name="early_warnings"),
    path("warnings/<int:pk>/", warning_detail, name="early_warning"),
    path("warnings/<int:pk>/dismiss/", warning_dismiss, name="early_warning_dismiss"),
    path("warnings/<int:pk>/task/", warning_task, name="early_warning_task"),
]
