"""The room's pages: my / the village's registrations, registering one (the warnings shown
at once, never a block), one registration with the council's steps, the rules page, and
the monthly figures. Thin: every write is one service call."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.people import members
from gongzhi.regions.models import Region

from .. import reveal as reveal_names
from ..choices import CeremonyKind, CeremonyState
from . import queries, rules, services
from .forms import RegisterForm, RuleForm
from .queries import household_label
from .workflow import FLOW, OTHER_ENTRIES, RULES


def _page(request, template, context, status=200):
    palette = [(f"cstate-{s.value}", s.colour) for s in CeremonyState] + [
        (f"ckind-{k.value}", k.colour) for k in CeremonyKind
    ]
    response = render(request, template, {**context, "palette": palette}, status=status)
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def ceremony_list(request):
    """The registrations; ``?reveal=1`` shows the heads' names and phones where the viewer
    may see them (each person audited), and a refusal to the others."""
    rows = list(
        services.visible(request.user)
        .select_related("region", "household__head")
        .order_by("-date", "-id")[:200]
    )
    refused, status = "", 200
    try:
        opened = (
            reveal_names.opened(
                request, rows, head=lambda c: c.household.head, reason="customs registrations"
            )
            if request.GET.get("reveal") == "1"
            else set()
        )
    except ServiceError as e:
        opened, refused, status = set(), e.message, e.status
    for c in rows:
        c.household_shown = household_label(c.household, request.user, reveal=c.pk in opened)
    return _page(
        request,
        "community/customs/list.html",
        {
            "rows": rows,
            "may_register": services.registrable_households(request.user).exists(),
            "reads_figures": queries.reads_figures(request.user),
            "reveal": bool(opened),
            "may_reveal": any(reveal_names.may_reveal(request.user, c.region_path) for c in rows),
            "refused": refused,
        },
        status=status,
    )


def _household_choices(user):
    households = services.registrable_households(request_user := user).select_related("head")
    return [
        (str(h.pk), household_label(h, request_user))
        for h in households.order_by("number", "pk")[:500]
    ]


@login_required
@require_http_methods(["GET", "POST"])
def ceremony_new(request):
    choices = _household_choices(request.user)
    if not choices:
        raise Http404
    form = RegisterForm(request.POST or None)
    form.fields["household"].choices = choices
    status = 200
    if request.method == "POST":
        data = request.POST
        try:
            ceremony = services.do_register(
                actor=request.user,
                registration=services.Registration(
                    household_id=data.get("household")
                    or (choices[0][0] if len(choices) == 1 else None),
                    kind=data.get("kind"),
                    date=data.get("date"),
                    days=data.get("days"),
                    guests=data.get("guests"),
                    tables=data.get("tables"),
                    gift=data.get("gift"),
                    place=data.get("place"),
                    note=data.get("note"),
                ),
            )
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            status = 400
        else:
            if ceremony.warnings:
                messages.warning(
                    request, _("Registered, with warnings: the council will talk it over with you.")
                )
            else:
                messages.success(request, _("Registered: within the village's rules."))
            return redirect("community:customs_detail", pk=ceremony.pk)
    return _page(
        request,
        "community/customs/new.html",
        {"form": form, "one_household": len(choices) == 1, "household_shown": choices[0][1]},
        status=status,
    )


def _timeline(ceremony):
    labels = {**{k: r.label for k, r in RULES.items()}, **OTHER_ENTRIES}
    return [
        {"at": e.at, "label": labels.get(e.action, e.action), "note": e.note, "actor": e.actor}
        for e in ceremony.events.select_related("actor").order_by("at", "id")
    ]


@login_required
@require_GET
def ceremony_detail(request, pk):
    try:
        ceremony = services.get_ceremony(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    rule = rules.rule_for(ceremony.region_path, ceremony.kind)
    return _page(
        request,
        "community/customs/detail.html",
        {
            "c": ceremony,
            "household_shown": household_label(ceremony.household, request.user),
            "warnings": rules.warning_texts(ceremony),
            "rule": rule,
            "actions": [(a, RULES[a].label) for a in FLOW.allowed_actions(ceremony, request.user)],
            "timeline": _timeline(ceremony),
        },
    )


@login_required
@require_POST
def ceremony_step(request, pk):
    try:
        services.do_step(
            actor=request.user,
            pk=pk,
            action=request.POST.get("action") or "",
            note=request.POST.get("note") or "",
            expected_state=request.POST.get("expected_state") or None,
        )
    except NotFound:
        raise Http404 from None
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("community:customs_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def rule_list(request):
    regions = list(services.editable_regions(request.user).order_by("path")[:300])
    me = members.villager(request.user)
    if not regions and me is None:
        raise Http404
    form = RuleForm(request.POST or None)
    form.fields["region"].choices = [(str(r.pk), r.name) for r in regions]
    status = 200
    if request.method == "POST":
        if not regions:
            raise Http404
        d = request.POST
        try:
            services.do_save_rule(
                actor=request.user,
                region_id=d.get("region"),
                kind=d.get("kind"),
                max_tables=d.get("max_tables"),
                max_guests=d.get("max_guests"),
                max_gift=d.get("max_gift"),
                max_days=d.get("max_days"),
                note=d.get("note") or "",
                enabled=bool(d.get("enabled")),
            )
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            status = 400
        else:
            messages.success(request, _("The rule is saved."))
            return redirect("community:customs_rules")
    # The rows in force for each village the person looks after (or their own village).
    places = [r for r in regions if r.level == "community"] or (
        [Region.objects.get(pk=me.region_id)] if me else []
    )
    in_force = []
    for region in places[:50]:
        in_force.append(
            {
                "region": region,
                "rules": [rules.rule_for(region.path, k) for k in CeremonyKind.values],
            }
        )
    from ..models import CustomRule

    own = CustomRule.objects.filter(region__in=regions).select_related("region") if regions else []
    return _page(
        request,
        "community/customs/rules.html",
        {"form": form, "in_force": in_force, "own": own, "may_edit": bool(regions)},
        status=status,
    )


def _month_start(value: str | None, default: dt.date) -> dt.date:
    try:
        year, month = (int(p) for p in (value or "").split("-")[:2])
        if 2000 <= year <= 2099 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return default


@login_required
@require_GET
def figures(request):
    if not queries.reads_figures(request.user):
        raise Http404
    today = timezone.localdate()
    last = _month_start(request.GET.get("to"), today.replace(day=1))
    first = _month_start(request.GET.get("from"), (last - dt.timedelta(days=330)).replace(day=1))
    if first > last:
        first, last = last, first
    end = (last + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    rows = queries.monthly(request.user, start=first, end=end)
    return _page(
        request,
        "community/customs/figures.html",
        {
            "rows": rows,
            "months": queries.by_month(rows),
            "chart": queries.chart(rows),
            "first": first.strftime("%Y-%m"),
            "last": last.strftime("%Y-%m"),
        },
    )
