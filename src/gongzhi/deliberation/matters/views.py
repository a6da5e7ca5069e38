"""The matters' pages: the list, the secretary's proposal, and one page per matter with
the six steps of 四议两公开 as a checklist, the next step's form for those who may take it,
putting it on a meeting's agenda, and the openness room's panel. Thin: every write is one
service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.scope import scope_for

from .. import members
from ..choices import MatterState
from ..models import Meeting
from . import queries, services
from .forms import ACTION_FIELDS, ProposeForm, action_params, choices_for, secretary_regions
from .present import masked_steps, timeline_rows
from .workflow import RULES

DANGER = {"withdraw"}


def _palette():
    return [(f"mstate-{s.value}", s.colour) for s in MatterState]


def _page(request, template, context, status=200):
    response = render(request, template, {**context, "palette": _palette()}, status=status)
    add_never_cache_headers(response)
    return response


def _get(user, number):
    try:
        return services.get_matter(actor=user, number=number)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def matter_list(request):
    state = request.GET.get("state") or ""
    f = queries.Filters(
        state=[state] if state in MatterState.values else None,
        q=(request.GET.get("q") or "").strip()[:40] or None,
    )
    rows = list(queries.visible(request.user, f)[:200])
    counts = queries.counts_by_state(request.user)
    tabs = [
        {"key": s.value, "label": s.label, "count": counts.get(s.value, 0)}
        for s in MatterState.ordered()
        if counts.get(s.value)
    ]
    return _page(
        request,
        "deliberation/matters/list.html",
        {
            "rows": rows,
            "tabs": tabs,
            "state": state,
            "q": f.q or "",
            "may_propose": secretary_regions(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def matter_new(request):
    if not secretary_regions(request.user).exists():
        messages.error(request, _("Only a Party branch secretary proposes a major matter."))
        return redirect(reverse("deliberation:matters"))
    form = ProposeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            matter = services.do_propose(actor=request.user, **form.params())
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Matter %(number)s proposed.") % {"number": matter.number})
            return redirect(reverse("deliberation:matter", args=[matter.number]))
    return _page(
        request,
        "deliberation/matters/new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _action_forms(matter, user) -> list[dict]:
    forms = []
    for name in services.allowed_actions(matter, user):
        fields = [
            {
                "name": fname,
                "kind": kind,
                "label": label,
                "required": required,
                "choices": choices_for(kind, matter, name),
            }
            for fname, kind, label, required in ACTION_FIELDS.get(name, [])
        ]
        forms.append(
            {
                "name": name,
                "label": RULES[name].label,
                "kind": "danger" if name in DANGER else "primary",
                "fields": fields,
            }
        )
    return forms


def _context(request, matter, *, error=None, error_action=None) -> dict:
    from ..openness import queries as openness

    user = request.user
    scope = scope_for(user)
    staff = scope.everything or members.covers(members.staff_paths(scope), matter.region_path)
    return {
        "matter": matter,
        "steps": masked_steps(queries.checklist(matter), staff=staff),
        "timeline": timeline_rows(queries.timeline(matter), staff=staff),
        "actions": _action_forms(matter, user),
        "agenda_meetings": list(services.agenda_meetings(matter, user)),
        "agenda_items": list(
            matter.agenda_items.select_related("meeting").order_by("meeting__starts_at", "id")
        ),
        "openness": openness.matter_panel(matter, user),
        "error": error,
        "error_action": error_action,
        "staff": staff,
    }


@login_required
@require_GET
def matter_detail(request, number):
    matter = _get(request.user, number)
    return _page(request, "deliberation/matters/detail.html", _context(request, matter))


@login_required
@require_POST
def matter_act(request, number):
    """One step of the table (``action``), or ``agenda``: put it on a meeting's agenda."""
    matter = _get(request.user, number)
    action = request.POST.get("action") or ""
    try:
        if action == "agenda":
            meeting = Meeting.objects.filter(
                pk=int(request.POST.get("meeting") or 0), region_id=matter.region_id
            ).first()
            services.do_put_on_agenda(actor=request.user, matter=matter, meeting=meeting)
            done = _("Put on the meeting's agenda.")
        elif action in RULES:
            expected = request.POST.get("expected_state") or None
            services.do_step(
                actor=request.user,
                matter=matter,
                action=action,
                expected_state=expected,
                **action_params(action, request.POST),
            )
            done = _("Done: %(action)s.") % {"action": RULES[action].label}
        else:
            raise NotFound("unknown_action", _("There is no such action."))
    except (ServiceError, ValueError) as error:
        if not isinstance(error, ServiceError):
            error = ServiceError("invalid", _("There is no such meeting in this village."))
        matter = _get(request.user, number)  # as it is now: nothing was changed
        context = _context(request, matter, error=error, error_action=action)
        return _page(request, "deliberation/matters/detail.html", context, status=error.status)
    messages.success(request, done)
    return redirect(reverse("deliberation:matter", args=[matter.number]))
