"""What several mediation pages share: who may open which page, the viewer's dispute, the
colours of states and risks, and an audited download."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from gongzhi.accounts.models import Role
from gongzhi.accounts.roles import roles_of
from gongzhi.core import audit

from ..choices import Level, Risk, State
from ..models import MEDIATION_ROLES, Dispute

ADMIN = frozenset({Role.ADMINISTRATOR})
# Who registers disputes: grid workers in 排查, mediators, the 综治中心's staff and leaders.
REGISTER_ROLES = MEDIATION_ROLES | ADMIN
# Whose workbench it is: those who mediate.
WORKBENCH_ROLES = frozenset({Role.MEDIATOR, Role.LEADER}) | ADMIN
# Who watches the board and the figures of their area.
BOARD_ROLES = frozenset({Role.MEDIATOR, Role.DISPATCHER, Role.LEADER}) | ADMIN

ROW_RELATED = ("type", "region", "holder")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require(request, roles: frozenset[str]) -> set[str]:
    mine = roles_of(request.user)
    if not mine & roles:
        raise PermissionDenied
    return mine


def dispute_or_404(user, number: str) -> Dispute:
    return get_object_or_404(
        Dispute.objects.visible_to(user).select_related(
            "type", "region", "grid", "holder", "lead_mediator", "registered_by", "repeat_of"
        ),
        number=number,
    )


def palette() -> list[tuple[str, str]]:
    """CSS classes and colours of the states, risks and levels (the ChoiceSets' looks)."""
    pairs = []
    for prefix, choices in (("mstate", State), ("risk", Risk), ("level", Level)):
        pairs += [(f"{prefix}-{c.value}", c.colour) for c in choices.ordered()]
    return pairs


def page(request, template: str, context: dict, status: int = 200):
    return render(request, template, {**context, "palette": palette()}, status=status)


def download(request, content: bytes, name: str, what: str, count: int) -> HttpResponse:
    # A list of disputes leaving the platform is recorded like any other sensitive read.
    audit.record(
        actor=request.user,
        action="export",
        reason=f"{what} ({count}): {request.GET.urlencode()}",
        request=request,
    )
    filename = f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
