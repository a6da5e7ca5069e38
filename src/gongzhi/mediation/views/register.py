"""登记纠纷: a grid worker on a phone or a mediator at a desk registers a dispute with its
parties; ``services.do_register`` places it, assesses its risk and links repeats."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.errors import ServiceError

from .. import services
from ..choices import Source
from ..forms import DisputeForm, parties_in, party_formset
from .common import REGISTER_ROLES, page, require

# Where the service names a problem, and the form field it is shown beside.
FIELD_OF = {"type": "type", "title": "title", "facts": "facts", "amount": "amount"}
FIELD_OF |= {"source": "source", "region": "region", "grid": "region"}


def _show(error: ServiceError, form, formset, rows) -> None:
    """Each problem the service found, beside its field (a party's on its row)."""
    for e in error.all:
        field = e.field or ""
        if field.startswith("parties[") and field.endswith("]"):
            i = int(field[8:-1])
            if i < len(rows):
                rows[i].add_error(None, e.message)
                continue
        if field in FIELD_OF:
            form.add_error(FIELD_OF[field], e.message)
        else:
            form.add_error(None, e.message)


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    require(request, REGISTER_ROLES)
    status = 200
    if request.method == "POST":
        form = DisputeForm(request.POST, viewer=request.user)
        formset = party_formset(request.POST)
        valid = form.is_valid()
        valid = formset.is_valid() and valid  # both checked: every field's error at once
        if valid:
            parties, rows = parties_in(formset)
            try:
                dispute, _created = services.do_register_once(
                    data=form.dispute_in(parties, viewer=request.user), actor=request.user
                )
            except ServiceError as error:
                _show(error, form, formset, rows)
                status = error.status
            else:
                messages.success(
                    request,
                    _("Dispute %(number)s registered with %(unit)s.")
                    % {
                        "number": dispute.number,
                        "unit": dispute.holder.name if dispute.holder else _("the court"),
                    },
                )
                return redirect(reverse("mediation:detail", args=[dispute.number]))
        else:
            status = 400
    else:
        initial = {**_from_round(request.GET), "once": uuid.uuid4().hex}
        form = DisputeForm(viewer=request.user, initial=initial)
        formset = party_formset()
    return page(
        request,
        "mediation/register.html",
        {"form": form, "formset": formset, "has_errors": status != 200},
        status=status,
    )


def _from_round(query) -> dict:
    """A round's page links here with ?campaign=<id>: preselect it and the source."""
    value = query.get("campaign", "")
    return {"campaign": int(value), "source": Source.SCREENING} if value.isdigit() else {}
