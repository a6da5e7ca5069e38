"""A resident's offices on their page (loaded into it by htmx, or opened alone): the list,
and for the register's editors the forms to mark an office and to end one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import ServiceError

from .. import offices as services
from ..access import access_for
from ..choices import OfficeKind
from ..models import Office
from ..queries import resident_for


def _resident(request, pk):
    found = resident_for(request.user, pk)
    if found is None:
        raise Http404
    return found


@login_required
@require_GET
def resident_offices(request, pk):
    resident = _resident(request, pk)
    editor = access_for(request.user).governs(
        grid_id=resident.grid_id, region_path=resident.region_path
    )
    return render(
        request,
        "people/_offices.html",
        {
            "resident": resident,
            "offices": Office.objects.filter(resident=resident).order_by("-since", "id"),
            "editor": editor,
            "kinds": OfficeKind.choices,
            "today": timezone.localdate(),
        },
    )


def _back(resident) -> str:
    return reverse("people:resident", args=[resident.pk]) + "#offices"


@login_required
@require_POST
def resident_office_mark(request, pk):
    resident = _resident(request, pk)
    try:
        services.do_mark_office(
            actor=request.user,
            resident=resident,
            kind=request.POST.get("kind") or "",
            since=request.POST.get("since") or "",
            note=request.POST.get("note") or "",
        )
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect(_back(resident))


@login_required
@require_POST
def resident_office_end(request, pk, office_id):
    resident = _resident(request, pk)
    office = Office.objects.filter(pk=office_id, resident=resident).first()
    if office is None:
        raise Http404
    try:
        services.do_end_office(
            actor=request.user, office=office, until=request.POST.get("until") or ""
        )
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect(_back(resident))


urlpatterns = [
    path("residents/<int:pk>/offices/", resident_offices, name="resident_offices"),
    path("residents/<int:pk>/offices/mark/", resident_office_mark, name="resident_office_mark"),
    path(
        "residents/<int:pk>/offices/<int:office_id>/end/",
        resident_office_end,
        name="resident_office_end",
    ),
]
