"""走访 pages: the grid worker's visits due (a phone list), one visit (record it, then
raise a need found as a case or a dispute), and the late visits of a community or
township. Thin: parse, call one service in ``people.visits``, render."""

from __future__ import annotations

import mimetypes

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts import masking
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError

from .. import visits as services
from ..access import access_for
from ..choices import VisitState
from ..models import Visit

PER_PAGE = 50
ROW_RELATED = ("group", "grid", "worker", "resident__household__house")


def _require_people(request) -> None:
    """Visits are for those who see the register or a care group's members."""
    access = access_for(request.user)
    if not (access.sees_register or access.functions):
        raise PermissionDenied


def _visit_or_404(user, pk: int) -> Visit:
    visit = (
        Visit.objects.visible_to(user)
        .select_related(*ROW_RELATED, "membership__level", "visited_by")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise Http404
    return visit


def _rows(page, today):
    for v in page:
        v.resident_masked = masking.masked_value(v.resident, "name")
        v.days_late = (today - v.due_on).days if v.due_on < today else 0
    return page


# --- the phone list ---------------------------------------------------------------------


@login_required
@require_GET
def due(request):
    """Visits due in the user's area, overdue first (the earliest due date first)."""
    _require_people(request)
    today = timezone.localdate()
    rows = Visit.objects.visible_to(request.user).filter(state=VisitState.DUE)
    mine = rows.filter(worker=request.user)
    # A grid worker sees their own first; anyone with none sees the area's.
    only_mine = request.GET.get("all") != "1" and mine.exists()
    rows = (mine if only_mine else rows).select_related(*ROW_RELATED).order_by("due_on", "id")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/visits.html",
        {
            "page": _rows(page, today),
            "today": today,
            "only_mine": only_mine,
            "late": rows.filter(due_on__lt=today).count(),
        },
    )


# --- one visit ----------------------------------------------------------------------------


class VisitForm(forms.Form):
    findings = forms.CharField(
        label=gettext_lazy("What you found"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    needs = forms.CharField(
        label=gettext_lazy("Needs"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Anything the person needs help with: it can become a case."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(label=gettext_lazy("Photo"), required=False)
    lng = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)


class DisputeNeedForm(forms.Form):
    other_party = forms.CharField(label=gettext_lazy("The other party"), max_length=100)
    type = forms.TypedChoiceField(label=gettext_lazy("Type of dispute"), coerce=int)

    def __init__(self, *args, **kwargs):
        from gongzhi.mediation.models import DisputeType

        super().__init__(*args, **kwargs)
        self.fields["type"].choices = list(
            DisputeType.objects.filter(enabled=True)
            .order_by("order", "code")
            .values_list("pk", "name")
        )


FIELD_OF = {"findings": "findings", "needs": "needs", "photo": "photo"}


def _show(error: ServiceError, form) -> None:
    for e in error.all:
        form.add_error(FIELD_OF.get(e.field or ""), e.message)


def _context(request, visit, form=None, dispute_form=None) -> dict:
    today = timezone.localdate()
    visit.resident_masked = masking.masked_value(visit.resident, "name")
    visit.days_late = (today - visit.due_on).days if visit.due_on < today else 0
    last = (
        Visit.objects.filter(membership_id=visit.membership_id, state=VisitState.DONE)
        .exclude(pk=visit.pk)
        .order_by("-visited_at")
        .first()
    )
    return {
        "visit": visit,
        "last": last,
        "form": form or VisitForm(),
        "dispute_form": dispute_form or DisputeNeedForm(),
        "far_m": services.far_metres(),
        "may_raise": visit.state == VisitState.DONE and bool(visit.needs),
    }


@login_required
@require_http_methods(["GET", "POST"])
def visit(request, pk: int):
    _require_people(request)
    row = _visit_or_404(request.user, pk)
    status, form = 200, None
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.do_record_visit(
                    visit=row,
                    actor=request.user,
                    findings=data["findings"],
                    needs=data["needs"],
                    lng=data["lng"] or None,
                    lat=data["lat"] or None,
                    photo=data["photo"],
                )
            except NotFound:
                raise Http404 from None
            except NotAllowed as error:
                raise PermissionDenied(error.message) from None
            except ServiceError as error:
                _show(error, form)
                status = error.status
            else:
                if row.far:
                    messages.warning(
                        request,
                        _(
                            "Visit recorded. You were %(m)d m from the house: "
                            "say where you met in the findings if it was elsewhere."
                        )
                        % {"m": row.distance_m},
                    )
                else:
                    messages.success(request, _("Visit recorded."))
                return redirect(reverse("people:visit", args=[row.pk]))
        else:
            status = 400
        row = _visit_or_404(request.user, pk)
    return render(request, "people/visit.html", _context(request, row, form), status=status)


@login_required
@require_POST
def raise_need(request, pk: int):
    _require_people(request)
    row = _visit_or_404(request.user, pk)
    kind = request.POST.get("kind", "case")
    dispute_form = DisputeNeedForm(request.POST) if kind == "dispute" else None
    if dispute_form is not None and not dispute_form.is_valid():
        return render(
            request,
            "people/visit.html",
            _context(request, row, dispute_form=dispute_form),
            status=400,
        )
    try:
        row = services.do_raise_need(
            visit=row,
            actor=request.user,
            kind=kind,
            other_party=dispute_form.cleaned_data["other_party"] if dispute_form else "",
            type_id=dispute_form.cleaned_data["type"] if dispute_form else None,
        )
    except NotFound:
        raise Http404 from None
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        number = row.case_number if kind == "case" else row.dispute_number
        text = _("Case %(number)s raised.") if kind == "case" else _("Dispute %(number)s raised.")
        messages.success(request, text % {"number": number})
    return redirect(reverse("people:visit", args=[pk]))


@login_required
@require_GET
def photo(request, pk: int):
    try:
        opened = services.photo_file(visit=Visit(pk=pk), viewer=request.user)
    except NotFound:
        raise Http404 from None
    response = FileResponse(opened, content_type=mimetypes.guess_type(opened.name)[0])
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- late visits --------------------------------------------------------------------------


@login_required
@require_GET
def late(request):
    """The late visits a community or township watches, the longest late first."""
    _require_people(request)
    today = timezone.localdate()
    rows = (
        Visit.objects.visible_to(request.user)
        .filter(state=VisitState.DUE, due_on__lt=today)
        .select_related(*ROW_RELATED)
        .order_by("due_on", "id")
    )
    if request.GET.get("escalated") == "1":
        rows = rows.filter(escalated_at__isnull=False)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/visits_late.html",
        {
            "page": _rows(page, today),
            "today": today,
            "escalated_only": request.GET.get("escalated") == "1",
            "escalate_days": services.escalate_after_days(),
        },
    )


urlpatterns = [
    path("visits/", due, name="visits"),
    path("visits/late/", late, name="visits_late"),
    path("visits/<int:pk>/", visit, name="visit"),
    path("visits/<int:pk>/raise/", raise_need, name="visit_raise"),
    path("visits/<int:pk>/photo/", photo, name="visit_photo"),
]
