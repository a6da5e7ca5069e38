"""The meetings' pages: the list, calling a meeting, one meeting's page (agenda, notice,
sign-in list, quorum, voting, results, minutes; the committee's buttons and forms), its
steps (one POST), the QR sign-in page a villager's phone opens, the QR code and its
printable sheet. Thin: every step is a service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts.masking import mask_name
from gongzhi.core.errors import ServiceError

from .. import members
from ..choices import MeetingState, VotePer
from ..models import Attendance, Meeting, MeetingEvent, Vote
from . import actions, minutes, qr, queries, relations, services
from .forms import ScheduleForm, places_for
from .workflow import FLOW

SITTING = {MeetingState.IN_SESSION, MeetingState.VOTING}
OTHER_ENTRIES = {
    "schedule": gettext_lazy("Meeting called"),
    "count_hands": gettext_lazy("Show of hands recorded"),
    "notice_due": gettext_lazy("Reminder: the notice is due"),
    "voting_ended": gettext_lazy("Voting window ended"),
}
DANGER = {"cancel"}


def _palette():
    from ..choices import ItemOutcome

    return [(f"mstate-{v}", c) for v, c in MeetingState.colours().items()] + [
        (f"outcome-{v}", c) for v, c in ItemOutcome.colours().items()
    ]


@login_required
@require_GET
def meetings(request):
    rows = queries.visible_meetings(request.user)
    state = request.GET.get("state") or ""
    if state in MeetingState.values:
        rows = rows.filter(state=state)
    return render(
        request,
        "deliberation/meetings/list.html",
        {
            "meetings": rows[:100],
            "state": state,
            "states": MeetingState.choices,
            "may_call": places_for(request.user).exists(),
            "palette": _palette(),
        },
    )


@login_required
def meeting_new(request):
    if not places_for(request.user).exists():
        raise PermissionDenied
    form = ScheduleForm(request.POST or None, user=request.user)
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = services.do_schedule(
                actor=request.user,
                region=d["region"],
                kind=d["kind"],
                title=d["title"],
                place=d["place"],
                starts_at=d["starts_at"],
            )
        except ServiceError as e:
            for one in e.all:
                form.add_error(one.field if one.field in form.fields else None, one.message)
            error = e
        else:
            messages.success(request, _("Meeting %(number)s called.") % {"number": meeting.number})
            return redirect("deliberation:meeting", meeting.number)
    return render(
        request,
        "deliberation/meetings/new.html",
        {"form": form, "error": error, "palette": _palette()},
        status=400 if request.method == "POST" else 200,
    )


def _name(attendance, staff: bool) -> str:
    if attendance.resident_id:
        name = attendance.resident.name
    elif attendance.user_id:
        name = attendance.user.display_name or attendance.user.username
    else:
        name = ""
    return name if staff else mask_name(name)


def _candidates(meeting, query: str):
    """Residents of the register the clerk may sign in: entitled, not yet signed in."""
    from gongzhi.people.models import Resident

    on = timezone.localdate()
    signed = Attendance.objects.filter(meeting=meeting, resident__isnull=False).values(
        "resident_id"
    )
    rows = (
        Resident.objects.current()
        .filter(region_id=meeting.region_id)
        .exclude(pk__in=signed)
        .select_related("household")
        .order_by("household__number", "id")
    )
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(household__number__icontains=query))
    out = []
    for resident in rows[:60]:
        if relations.entitled(meeting.rule, relations.standing_of(resident, on)):
            out.append(resident)
        if len(out) >= 20:
            break
    return out


def _ballots(meeting, user) -> dict[int, str]:
    attendance = queries.attendance_of(meeting, user)
    if attendance is None:
        return {}
    keys = [attendance.key]
    if meeting.rule.vote_per == VotePer.HOUSEHOLD and attendance.household_id:
        keys.append(f"h{attendance.household_id}")
    return dict(
        Vote.objects.filter(item__meeting=meeting, ballot__in=keys).values_list("item_id", "choice")
    )


def _entry_label(action: str) -> str:
    if action in FLOW.rules:
        return FLOW.rules[action].label
    return OTHER_ENTRIES.get(action, action)


@login_required
@require_GET
def meeting(request, number):
    m = queries.meeting_for(request.user, number)
    if m is None:
        raise Http404
    user, now = request.user, timezone.now()
    staff = members.is_committee(user, m.region_path)
    attendances = list(
        Attendance.objects.filter(meeting=m).select_related("resident", "user").order_by("at", "id")
    )
    quorum = None
    if m.state in SITTING:
        ok, needed, note = actions.check_quorum(m, now)
        quorum = {"ok": ok, "needed": needed, "note": note}
    mine = queries.attendance_of(m, user)
    me = members.villager(user)
    voting_open = m.state == MeetingState.VOTING and m.voting_opened_at <= now < m.voting_closes_at
    query = (request.GET.get("q") or "").strip()[:20]
    return render(
        request,
        "deliberation/meetings/detail.html",
        {
            "m": m,
            "items": list(m.items.all()),
            "staff": staff,
            "actions": [
                (a, FLOW.rules[a].label, a in DANGER) for a in FLOW.allowed_actions(m, user)
            ],
            "attendances": [(a, _name(a, staff)) for a in attendances],
            "quorum": quorum,
            "mine": mine,
            "may_sign_in": m.state in SITTING
            and mine is None
            and me is not None
            and me.region_id == m.region_id,
            "ballots": _ballots(m, user),
            "voting_open": voting_open,
            "candidates": _candidates(m, query) if staff and m.state in SITTING else [],
            "q": query,
            "sign_in_url": request.build_absolute_uri(
                reverse("deliberation:meeting_sign_in", args=[m.sign_in_token])
            )
            if staff
            else "",
            "events": [
                (e, _entry_label(e.action))
                for e in MeetingEvent.objects.filter(meeting=m).order_by("at", "id")
            ],
            "agenda_open": m.state in services.AGENDA_OPEN,
            "has_minutes": m.state in minutes.CLOSED,
            "palette": _palette(),
            "now": now,
        },
    )


def _step(request, m):
    p = request.POST
    action = p.get("action") or ""
    if action in FLOW.rules:
        return services.do_transition(
            meeting=m,
            action=action,
            actor=request.user,
            expected_state=p.get("expected_state") or None,
            minutes=p.get("minutes") or (30 if action == "open_voting" else ""),
            reason=p.get("reason") or "",
        )
    item = m.items.filter(pk=p.get("item") or 0).first() if p.get("item", "").isdigit() else None
    if action in {"vote", "hands"} and item is None:
        raise ServiceError("invalid", _("There is no such item on this agenda."), "item")
    if action == "sign_in":
        return services.do_sign_in(
            actor=request.user, meeting=m, resident=p.get("resident") or None
        )
    if action == "vote":
        return services.do_vote(actor=request.user, item=item, choice=p.get("choice") or "")
    if action == "hands":
        return services.do_count_hands(
            actor=request.user,
            item=item,
            votes_for=p.get("votes_for"),
            votes_against=p.get("votes_against"),
            votes_abstain=p.get("votes_abstain"),
        )
    if action == "add_item":
        return services.do_add_item(
            meeting=m,
            actor=request.user,
            title=p.get("title") or "",
            needs_vote=bool(p.get("needs_vote")),
        )
    raise ServiceError("unknown_action", _("There is no such action."))


DONE = {
    "sign_in": _("Signed in."),
    "vote": _("Your vote is recorded."),
    "hands": _("The show of hands is recorded."),
    "add_item": _("Item added to the agenda."),
}


@login_required
@require_POST
def meeting_act(request, number):
    m = queries.meeting_for(request.user, number)
    if m is None:
        raise Http404
    try:
        _step(request, m)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        action = request.POST.get("action") or ""
        messages.success(request, str(DONE.get(action) or FLOW.rules[action].label))
    back = reverse("deliberation:meeting", args=[m.number])
    q = (request.POST.get("q") or "").strip()
    return redirect(f"{back}?q={q}" if q else back)


@login_required
def meeting_sign_in(request, token):
    """The page the meeting's QR code opens: the meeting, and a button to sign in."""
    m = Meeting.objects.select_related("region", "rule").filter(sign_in_token=token[:43]).first()
    if m is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.do_sign_in(actor=request.user, meeting=m, token=token)
        except ServiceError as e:
            error = e
        else:
            messages.success(request, _("Signed in."))
            if queries.visible_meetings(request.user).filter(pk=m.pk).exists():
                return redirect("deliberation:meeting", m.number)
    mine = queries.attendance_of(m, request.user)
    return render(
        request,
        "deliberation/meetings/sign_in.html",
        {"m": m, "error": error, "mine": mine, "sitting": m.state in SITTING},
        status=error.status if error else 200,
    )


def _staff_meeting(request, number):
    m = queries.meeting_for(request.user, number)
    if m is None:
        raise Http404
    if not members.is_committee(request.user, m.region_path):
        raise PermissionDenied
    url = request.build_absolute_uri(
        reverse("deliberation:meeting_sign_in", args=[m.sign_in_token])
    )
    return m, url


@login_required
@require_GET
def meeting_qr(request, number):
    _m, url = _staff_meeting(request, number)
    response = HttpResponse(qr.png(url), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def meeting_sheet(request, number):
    m, url = _staff_meeting(request, number)
    response = HttpResponse(qr.sheet(m, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{m.number}-sign-in.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def meeting_minutes(request, number):
    """The closed meeting's minutes as a PDF, for whoever may see the meeting's page."""
    m = queries.meeting_for(request.user, number)
    if m is None:
        raise Http404
    try:
        document = minutes.pdf(m)
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("deliberation:meeting", m.number)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{m.number}-minutes.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
