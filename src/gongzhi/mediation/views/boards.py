"""我的调解台 (a mediator's disputes, sessions and performances due, new disputes at the
unit) and 矛盾纠纷看板 (the visible disputes by risk, level, type and age), with the board's
Excel download."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.accounts.models import Membership, Role

from ..choices import Level, Risk, State
from ..forms import RISK_ORDER, BoardFilterForm
from ..models import Dispute, DisputeType, Obligation, Session
from . import sheets
from .common import BOARD_ROLES, ROW_RELATED, WORKBENCH_ROLES, download, page, require

PER_PAGE = 50
LIST_LIMIT = 100
SESSIONS_SOON = timedelta(days=3)
MAX_EXPORT_ROWS = 20_000  # more is refused: narrow the filters


def _ordered(disputes):
    return disputes.alias(risk_order=RISK_ORDER).order_by("risk_order", "level_due", "id")


def _with_age(disputes, now) -> list:
    rows = list(disputes)
    for d in rows:
        d.age_days = (now - d.created_at).days
    return rows


@login_required
@require_GET
def workbench(request):
    require(request, WORKBENCH_ROLES)
    user, now = request.user, timezone.now()
    visible = Dispute.objects.visible_to(user)
    helped = Dispute.helpers.through.objects.filter(user=user).values("dispute_id")
    mine = visible.filter(Q(lead_mediator=user) | Q(pk__in=helped)).exclude(state=State.CLOSED)
    later = Session.objects.filter(dispute=OuterRef("dispute"), held_at__gt=OuterRef("held_at"))
    # The next session the latest one planned, coming within days (or already missed).
    sessions_due = (
        Session.objects.filter(
            dispute__in=mine.filter(state=State.MEDIATING).values("pk"),
            next_at__isnull=False,
            next_at__lte=now + SESSIONS_SOON,
        )
        .exclude(Exists(later))
        .select_related("dispute")
        .order_by("next_at")
    )
    performances_due = (
        Obligation.objects.filter(
            status=Obligation.Status.DUE,
            due_on__lt=timezone.localdate(now),
            agreement__dispute__state=State.SETTLED,
            agreement__dispute__in=mine.values("pk"),
        )
        .select_related("agreement__dispute")
        .order_by("due_on", "id")
    )
    units = Membership.objects.filter(
        user=user, role__in=[Role.MEDIATOR, Role.LEADER], organisation__is_active=True
    ).values("organisation_id")
    at_unit = visible.filter(holder__in=units).select_related(*ROW_RELATED)
    groups = {
        "mine": _with_age(_ordered(mine.select_related(*ROW_RELATED))[:LIST_LIMIT], now),
        "to_accept": _with_age(_ordered(at_unit.filter(state=State.REGISTERED))[:LIST_LIMIT], now),
        "to_start": _with_age(_ordered(at_unit.filter(state=State.ACCEPTED))[:LIST_LIMIT], now),
    }
    return page(
        request,
        "mediation/workbench.html",
        {
            **groups,
            "sessions_due": list(sessions_due[:LIST_LIMIT]),
            "performances_due": list(performances_due[:LIST_LIMIT]),
            "now": now,
        },
    )


def _breakdown(disputes) -> dict:
    """The board's counts by risk, level and type from one grouped query (three separate
    counts each walked the whole visible set)."""
    by = {"risk": Counter(), "level": Counter(), "type": Counter()}
    rows = disputes.order_by().values_list("risk", "level", "type_id").annotate(n=Count("id"))
    for risk, level, type_id, n in rows:
        by["risk"][risk] += n
        by["level"][level] += n
        by["type"][type_id] += n
    return by


def _counts(found: Counter, choices) -> list[dict]:
    return [
        {"value": c.value, "label": c.label, "count": found.get(c.value, 0)}
        for c in choices.ordered()
    ]


def _type_counts(found: Counter) -> list[dict]:
    return [
        {"value": t.pk, "label": t.name, "count": found[t.pk]}
        for t in DisputeType.objects.filter(pk__in=list(found))
    ]


@login_required
@require_GET
def board(request):
    require(request, BOARD_ROLES)
    now = timezone.now()
    form = BoardFilterForm(request.GET)
    disputes = form.apply(Dispute.objects.visible_to(request.user))
    listed = Paginator(form.ordered(disputes).select_related(*ROW_RELATED), PER_PAGE)
    current = listed.get_page(request.GET.get("page"))
    counts = _breakdown(disputes)
    return page(
        request,
        "mediation/board.html",
        {
            "form": form,
            "page": current,
            "rows": _with_age(current.object_list, now),
            "by_risk": _counts(counts["risk"], Risk),
            "by_level": _counts(counts["level"], Level),
            "by_type": _type_counts(counts["type"]),
            "total": listed.count,
        },
    )


@login_required
@require_GET
def board_export(request):
    require(request, BOARD_ROLES)
    form = BoardFilterForm(request.GET)
    disputes = form.ordered(form.apply(Dispute.objects.visible_to(request.user)))
    count = disputes.count()
    if count > MAX_EXPORT_ROWS:
        messages.error(
            request,
            _("%(count)d disputes match: narrow the filters to at most %(max)d to export them.")
            % {"count": count, "max": MAX_EXPORT_ROWS},
        )
        return redirect(f"{reverse('mediation:board')}?{request.GET.urlencode()}")
    rows = disputes.select_related(*ROW_RELATED).iterator(chunk_size=2000)
    content = sheets.board_workbook(rows, now=timezone.now())
    return download(request, content, _("Dispute board"), "mediation board", count)
