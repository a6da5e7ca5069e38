"""The repairs pages: a resident's requests (ask, track, rate), the staff's estates, the
companies' ranking. Thin: each parses its input, calls one service and renders."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.models import Organisation, OrganisationKind
from gongzhi.cases.choices import Satisfaction
from gongzhi.community.models import CompanyScore
from gongzhi.core import media
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.media import request_limit

from . import queries, services
from .reference import repair_categories


def _errors(error) -> dict:
    return {e.field: e.message for e in reversed(error.all)} if error else {}


@login_required
@require_GET
def repairs(request):
    """The resident's own household's repairs; staff (company or community) get theirs."""
    user = request.user
    own = list(queries.own_repairs(user)[:100])
    staff = queries.is_staff(user)
    work = (
        list(queries.repairs_for(user).exclude(pk__in=[r.pk for r in own])[:100]) if staff else []
    )
    return render(
        request,
        "community/repairs/list.html",
        {
            "own": own,
            "work": work,
            "staff": staff,
            "estate": queries.home_estate(user),
        },
    )


@request_limit(media.MAX_PHOTOS * media.MAX_BYTES + 1024 * 1024)
@login_required
@require_http_methods(["GET", "POST"])
def repair_new(request):
    estate = queries.home_estate(request.user)
    error = None
    form = request.POST
    if request.method == "POST":
        try:
            repair = services.do_request(
                user=request.user,
                category_id=form.get("category"),
                description=form.get("description", ""),
                photos=request.FILES.getlist("photos"),
                key=form.get("key") or None,
            )
        except ServiceError as e:
            error = e
        else:
            messages.success(request, _("Your request was sent to the property company."))
            return redirect("community:repair", repair.pk)
    return render(
        request,
        "community/repairs/new.html",
        {
            "estate": estate,
            "categories": repair_categories(),
            "form": form,
            "error": error,
            "errors": _errors(error),
            "key": timezone.now().strftime("%Y%m%d%H%M%S%f") + str(request.user.pk),
        },
        status=error.status if error else 200,
    )


def _repair(request, repair_id):
    try:
        return services.get_visible(user=request.user, repair_id=repair_id)
    except NotFound:
        raise Http404 from None


def _detail(request, repair, *, error=None):
    case = repair.case
    return render(
        request,
        "community/repairs/detail.html",
        {
            "repair": repair,
            "case": case,
            "timeline": queries.timeline(case),
            "rating": services.rating_of(repair),
            "can_rate": services.can_rate(user=request.user, repair=repair),
            "satisfactions": Satisfaction.choices,
            "staff": queries.is_staff(request.user),
            "mine": case.reporter_id == request.user.pk,
            "error": error,
            "errors": _errors(error),
            "now": timezone.now(),
        },
        status=error.status if error else 200,
    )


@login_required
@require_GET
def repair(request, repair_id: int):
    return _detail(request, _repair(request, repair_id))


@login_required
@require_POST
def repair_rate(request, repair_id: int):
    r = _repair(request, repair_id)
    resolved = {"yes": True, "no": False}.get(request.POST.get("resolved"))
    try:
        services.do_rate(
            user=request.user,
            repair=r,
            resolved=resolved,
            satisfaction=request.POST.get("satisfaction"),
            comment=request.POST.get("comment", ""),
        )
    except ServiceError as e:
        return _detail(request, _repair(request, repair_id), error=e)
    messages.success(request, _("Thank you for rating this repair."))
    return redirect("community:repair", repair_id)


@login_required
@require_GET
def estates(request):
    """Community staff: their area's estates, companies and buildings; company staff: their
    own estates."""
    if not queries.is_staff(request.user):
        raise Http404
    return render(
        request,
        "community/repairs/estates.html",
        {"estates": queries.estates_for(request.user)},
    )


def _month(value) -> dt.date:
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
@require_GET
def companies(request):
    month = _month(request.GET.get("month"))
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "community/repairs/companies.html",
        {
            "scores": queries.ranking(request.user, month),
            "month": month,
            "previous": previous,
            "next": (month + dt.timedelta(days=32)).replace(day=1),
            "this_month": timezone.localdate().replace(day=1),
        },
    )


@login_required
@require_GET
def company(request, company_id: int):
    found = queries.companies_for(request.user).filter(pk=company_id).first()
    if found is None:
        raise Http404
    company = get_object_or_404(Organisation, pk=found.pk, kind=OrganisationKind.PROPERTY_COMPANY)
    return render(
        request,
        "community/repairs/company.html",
        {
            "company": company,
            "scores": CompanyScore.objects.filter(company=company).order_by("-month")[:24],
            "estates": company.estates.filter(enabled=True).order_by("name"),
            "promises": company.service_promises.filter(enabled=True).select_related("category"),
        },
    )
