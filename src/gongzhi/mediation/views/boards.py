"""我的调解台 (a mediator's disputes, sessions and performances due, new disputes at the
unit) and 矛盾纠纷看板 (the visible disputes by risk, level, type and age), with the board's
Excel download."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.accounts.models import Membership, Role

from .. import queries, services
from ..choices import Level, Risk, State
from ..forms import RISK_ORDER, BoardFilterForm
from ..models import Dispute, DisputeType, Obligation, Session
from . import sheets
from .common import BOARD_ROLES, ROW_RELATED, WORKBENCH_ROLES, download, page, require

PER_PAGE = 50
# Each list of the desk shows this many, most pressing first ("50+" when there are more):
# rendering 100 rows in each of five lists cost more than all their queries at 200,000.
LIST_LIMIT = 50
SESSIONS_SOON = timedelta(days=3)
MAX_EXPORT_ROWS = 20_000  # more is refused: narrow the filters


def _ordered(disputes):
    return disputes.alias(risk_order=RISK_ORDER).order_by("risk_order", "level_due", "id")


def _rows(disputes):
    # A region row also carries its boundary: the table shows only the name.
    return disputes.select_related(*ROW_RELATED).defer("region__boundary")


@login_required
@require_GET
def workbench(request):
    require(request, WORKBENCH_ROLES)
    user, now = request.user, timezone.now()
    visible = Dispute.objects.visible_to(user)
    # The open disputes they help on, as a list: with a subquery in the OR, PostgreSQL read
    # every open dispute; with ids it unites the lead-mediator index and the primary key.
    helped = list(
        Dispute.helpers.through.objects.filter(user=user)
        .exclude(dispute__state=State.CLOSED)
        .values_list("dispute_id", flat=True)
    )
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
        .only("next_at", "next_step", "dispute__number", "dispute__title")
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
        .only("due_on", "party", "what", "agreement__dispute__number")
        .order_by("due_on", "id")
    )
    units = Membership.objects.filter(
        user=user, role__in=[Role.MEDIATOR, Role.LEADER], organisation__is_active=True
    ).values("organisation_id")
    at_unit = _rows(visible.filter(holder__in=units))
    # One row past the limit tells whether there are more.
    tables = {
        "mine": list(_ordered(_rows(mine))[: LIST_LIMIT + 1]),
        "to_accept": list(_ordered(at_unit.filter(state=State.REGISTERED))[: LIST_LIMIT + 1]),
        "to_start": list(_ordered(at_unit.filter(state=State.ACCEPTED))[: LIST_LIMIT + 1]),
    }
    sessions = list(sessions_due[: LIST_LIMIT + 1])
    performances = list(performances_due[: LIST_LIMIT + 1])
    # Titles and notes name the parties: masked as on the dispute page, one read for all.
    scrub = services.scrubbers(
        {d.pk for rows in tables.values() for d in rows}
        | {session.dispute_id for session in sessions}
        | {o.agreement.dispute_id for o in performances}
    )
    for session in sessions:
        session.shown_title = scrub[session.dispute_id](session.dispute.title)
        session.shown_next_step = scrub[session.dispute_id](session.next_step)
    for o in performances:
        o.shown_party = scrub[o.agreement.dispute_id](o.party)
        o.shown_what = scrub[o.agreement.dispute_id](o.what)
    groups = {
        **{name: queries.table_rows(rows, now, scrub) for name, rows in tables.items()},
        "sessions_due": sessions,
        "performances_due": performances,
    }
    more = {name: len(rows) > LIST_LIMIT for name, rows in groups.items()}
    return page(
        request,
        "mediation/workbench.html",
        {
            **{name: rows[:LIST_LIMIT] for name, rows in groups.items()},
            "more": more,
            "now": now,
        },
    )


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
    counts = queries.breakdown(disputes)
    total = sum(counts["risk"].values())
    listed = queries.KnownCount(form.ordered(disputes).values("pk"), PER_PAGE, count=total)
    current = listed.get_page(request.GET.get("page"))
    # The page's ids are sorted on the narrow index; only those rows are read whole.
    shown = form.ordered(Dispute.objects.filter(pk__in=current.object_list))
    return page(
        request,
        "mediation/board.html",
        {
            "form": form,
            "page": current,
            "rows": queries.table_rows(_rows(shown), now),
            "by_risk": _counts(counts["risk"], Risk),
            "by_level": _counts(counts["level"], Level),
            "by_type": _type_counts(counts["type"]),
            "total": total,
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
