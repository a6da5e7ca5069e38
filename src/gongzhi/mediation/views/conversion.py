"""案件转纠纷: the open cases of dispute categories (矛盾纠纷) a dispatcher or a leader sees and
that have not become disputes yet, and the form that turns one into a dispute with its
parties (``conversion.do_convert_case``), then shows the new dispute.

The case app sits below mediation and never links here: this page, in the mediation menu,
is the way in.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.accounts.masking import mask_numbers_in_text
from gongzhi.accounts.models import Role
from gongzhi.cases.choices import FINAL_STATES
from gongzhi.cases.models import Case
from gongzhi.core.errors import ServiceError
from gongzhi.taxonomy.models import Category

from .. import conversion
from ..choices import Source
from ..forms import ConvertFilterForm, ConvertForm, parties_in, party_formset
from ..models import Dispute
from .common import ADMIN, page, require

# Who converts: the 综治中心's dispatchers and leaders (``conversion.CONVERTERS``).
CONVERT_ROLES = frozenset({Role.DISPATCHER, Role.LEADER}) | ADMIN
PER_PAGE = 50


def convertible(user):
    """The open cases of dispute categories the user sees that no dispute came from yet (a
    conversion leaves the case's number as the dispute's source reference)."""
    converted = Dispute.objects.filter(source=Source.CASE).values("source_ref")
    return (
        Case.objects.visible_to(user)
        .filter(category__in=conversion.dispute_categories())
        .exclude(state__in=FINAL_STATES)
        .exclude(number__in=converted)
    )


@login_required
@require_GET
def convert_queue(request):
    require(request, CONVERT_ROLES)
    cases = convertible(request.user)
    categories = Category.objects.filter(pk__in=cases.order_by().values("category_id")).order_by(
        "full_name"
    )
    form = ConvertFilterForm(request.GET, categories=categories)
    listed = Paginator(
        form.apply(cases).select_related("category", "region").order_by("-created_at", "-id"),
        PER_PAGE,
    )
    current = listed.get_page(request.GET.get("page"))
    rows = [
        {"case": c, "description": mask_numbers_in_text(c.description)} for c in current.object_list
    ]
    return page(
        request,
        "mediation/convert_list.html",
        {"form": form, "page": current, "rows": rows, "total": listed.count},
    )


def _show(error: ServiceError, form, rows) -> None:
    """Each problem beside what it is about: the type, a party's row; the rest (the parties
    as a whole, what came from the case, a refusal) above the form."""
    for e in error.all:
        field = e.field or ""
        if field.startswith("parties[") and field.endswith("]"):
            i = int(field[8:-1])
            if i < len(rows):
                rows[i].add_error(None, e.message)
                continue
        form.add_error("type" if field == "type" else None, e.message)


@login_required
@require_http_methods(["GET", "POST"])
def convert_case(request, number):
    require(request, CONVERT_ROLES)
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("category", "region", "grid"),
        number=number,
    )
    status, blocked = 200, None
    if request.method == "POST":
        form = ConvertForm(request.POST)
        formset = party_formset(request.POST)
        valid = form.is_valid()
        valid = formset.is_valid() and valid  # both checked: every field's error at once
        if valid:
            parties, rows = parties_in(formset)
            try:
                dispute = conversion.do_convert_case(
                    case=case, actor=request.user, type_id=form.type_id(), parties=parties
                )
            except ServiceError as error:
                status = error.status
                if error.field is None:  # about the case, not the input: no form helps
                    blocked = error
                else:
                    _show(error, form, rows)
            else:
                messages.success(
                    request,
                    _("Case %(case)s became dispute %(number)s, with %(unit)s.")
                    % {
                        "case": case.number,
                        "number": dispute.number,
                        "unit": dispute.holder.name if dispute.holder else _("the court"),
                    },
                )
                if Dispute.objects.visible_to(request.user).filter(pk=dispute.pk).exists():
                    return redirect(reverse("mediation:detail", args=[dispute.number]))
                return redirect(reverse("mediation:convert_queue"))
        else:
            status = 400
    else:
        # Whether it can be converted at all (another's conversion, an ended case): said at
        # once rather than after the form is filled in. A check: nothing is written.
        try:
            conversion.check_convert_case(case=case, actor=request.user, type_id=None, parties=[])
        except ServiceError as error:
            blocked, status = error, error.status
        suggested = conversion.suggested_type(case.category)
        form = ConvertForm(initial={"type": suggested.pk} if suggested else None)
        formset = party_formset()
    earlier = conversion.converted_from(case)
    return page(
        request,
        "mediation/convert_case.html",
        {
            "case": case,
            "description": mask_numbers_in_text(case.description),
            "form": form,
            "formset": formset,
            "blocked": blocked,
            "earlier": earlier,
            "earlier_visible": earlier is not None
            and Dispute.objects.visible_to(request.user).filter(pk=earlier.pk).exists(),
            "has_errors": request.method == "POST" and status != 200 and blocked is None,
        },
        status=status,
    )
