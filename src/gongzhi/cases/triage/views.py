"""Triage pages: the dispatcher's category queue, possible duplicates of a case, hotspots.

Thin views over ``cases.triage_hooks`` (which hands plain data to ``gongzhi.triage``);
every list starts from ``Case.objects.visible_to(viewer)``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts.roles import STAFF_DESK, roles_of
from gongzhi.cases.triage import hooks as triage_hooks
from gongzhi.cases.views.common import case_or_404
from gongzhi.cases.workflow import table as workflow
from gongzhi.core.errors import ServiceError
from gongzhi.regions.models import Region
from gongzhi.taxonomy.models import Category

SIMILAR_CHECKED_ROWS = 50


def _staff_or_redirect(user):
    return None if roles_of(user) & STAFF_DESK else redirect("cases:report")


@login_required
@require_GET
def queue(request):
    if (away := _staff_or_redirect(request.user)) is not None:
        return away
    rows = triage_hooks.queue(request.user)
    # Say which rows have look-alikes (~4 ms a row), rather than flag every row; past the
    # first page's worth only the link to look is offered.
    checked = rows[:SIMILAR_CHECKED_ROWS]
    rejected = triage_hooks.triage.rejected_pairs([r["case"].number for r in checked])
    for row in checked:
        found = triage_hooks.similar_open_cases(
            case=row["case"],
            viewer=request.user,
            limit=3,
            rejected=rejected.get(row["case"].number, set()),
        )
        row["similar"] = len(found)
    # Each row offers its own few candidates (the suggestions, the intake's choice), and the
    # page carries the whole category list once for triage.js to offer in every row:
    # a copy per row made the page 50 KB a row.
    for row in rows:
        candidates = [p["category"] for p in row["predictions"]] + [row["case"].category]
        row["choices"] = list({c.pk: c for c in candidates if c is not None}.values())
    categories = Category.objects.filter(enabled=True).order_by("path").only("pk", "full_name")
    figures = triage_hooks.triage_figures(request.user)
    return render(
        request,
        "cases/triage/queue.html",
        {
            "rows": rows,
            "categories": categories,
            "figures": figures,
            "deferral": triage_hooks.triage.deferral(),
            "any_figures": any(w["decided"] or w["merged"] or w["rejected"] for w in figures),
        },
    )


@login_required
@require_POST
def decide(request, number):
    case = case_or_404(request.user, number)
    try:
        triage_hooks.do_decide(
            case=case, category_id=request.POST.get("category"), actor=request.user
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("cases:triage_queue")
    messages.success(request, _("Category of %(number)s confirmed.") % {"number": case.number})
    return redirect("cases:triage_queue")


@login_required
@require_POST
def offer(request, number):
    """A dispatcher's verdict on a merge offer: merge into the offered case, or "not the same
    problem" (then it is no longer offered). Either way the pair becomes labelled data."""
    case = case_or_404(request.user, number)
    verdict = request.POST.get("verdict", "")
    try:
        case = triage_hooks.do_offer_verdict(
            case=case,
            into=request.POST.get("into", ""),
            verdict=verdict,
            actor=request.user,
            expected_state=request.POST.get("expected_state") or None,
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("cases:similar", number=number)
    if verdict == "merge":
        messages.success(request, _("Merged: %(number)s.") % {"number": case.number})
        return redirect("cases:detail", number=case.number)
    messages.success(request, _("Noted: not the same problem. It will not be offered again."))
    return redirect("cases:similar", number=number)


@login_required
@require_GET
def similar(request, number):
    """Open cases that may report the same problem, each with a merge button."""
    case = case_or_404(request.user, number)
    rows = triage_hooks.similar_open_cases(case=case, viewer=request.user)
    can_merge = "merge" in workflow.allowed_actions(case, request.user)
    return render(
        request,
        "cases/triage/similar.html",
        {"case": case, "rows": rows, "can_merge": can_merge},
    )


class HotspotForm(forms.Form):
    region = forms.ModelChoiceField(
        queryset=Region.objects.none(),
        required=False,
        label=gettext_lazy("Region"),
        empty_label=gettext_lazy("All my regions"),
    )
    start = forms.DateField(required=False, label=gettext_lazy("From"))
    end = forms.DateField(required=False, label=gettext_lazy("To"))

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(viewer).order_by("path")

    def period(self):
        tz = timezone.get_current_timezone()
        end_day = self.cleaned_data.get("end")
        start_day = self.cleaned_data.get("start")
        end = (
            datetime.combine(end_day + timedelta(days=1), time.min, tz)
            if end_day
            else timezone.now()
        )
        start = datetime.combine(start_day, time.min, tz) if start_day else end - timedelta(days=90)
        return start, end


def _chosen_region(form) -> int | None:
    if form.is_bound and form.is_valid() and form.cleaned_data.get("region"):
        return form.cleaned_data["region"].pk
    return None


@login_required
@require_GET
def hotspots(request):
    if (away := _staff_or_redirect(request.user)) is not None:
        return away
    form = HotspotForm(request.GET or None, viewer=request.user)
    spots, error, start, end, computed_at = [], None, None, None, None
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        if request.GET:
            start, end = form.period()
        try:
            report = triage_hooks.hotspot_report(
                viewer=request.user, region=data.get("region"), start=start, end=end
            )
        except ServiceError as exc:
            error = exc.message
        else:
            start, end, spots = report["start"], report["end"], report["hotspots"]
            computed_at = report["computed_at"]
    else:
        error = _("Please correct the period or region.")
    return render(
        request,
        "cases/triage/hotspots.html",
        {
            "form": form,
            "spots": spots,
            "error": error,
            "start": start,
            "end": end,
            "computed_at": computed_at,
            "map_spots": _map_spots(spots),
            "api_url": reverse("api:triage_hotspots"),
            # The options written out by hand: the form's widget renders ~700 regions in 0.4 s.
            "regions": form.fields["region"].queryset.values_list("pk", "name", "level"),
            "region_pk": _chosen_region(form),
        },
        status=400 if error else 200,
    )


def _map_spots(spots: list[dict]) -> dict:
    """What hotspotmap.js draws: a circle a hotspot with a point, its cases in the popup."""
    return {
        "spots": [
            {
                "n": n,
                "label": h["label"],
                "heat": h["heat"],
                "reports": h["reports"],
                "point": h["point"],
                "cases": [
                    {
                        "number": c.number,
                        "title": c.title,
                        "url": reverse("cases:detail", args=[c.number]),
                    }
                    for c in h["cases"]
                ],
            }
            for n, h in enumerate(spots, 1)
            if h.get("point")
        ],
        "texts": {
            "heat": _("Heat %(heat)s · %(reports)s cases"),
            "more": _("See this hotspot below"),
        },
    }
