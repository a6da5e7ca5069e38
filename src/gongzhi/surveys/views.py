"""The surveys app's pages, under /surveys/: waves (list, new, page with its results and
actions), the operator's calling list and calling form, the public link form, and results
by region. Thin: each parses the request, calls one service and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import audit
from gongzhi.core.errors import ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Region

from . import figures, queries, services
from .choices import MemberState, Outcome, WaveState
from .forms import OperatorsForm, WaveForm
from .models import SampleMember

ACTIONS = ("draw", "assign", "open", "close")


def answers_from(data) -> dict[str, str]:
    """``{question id: option id}`` from the form's ``q<id>`` radio groups."""
    return {k[1:]: v for k, v in data.items() if k.startswith("q") and k[1:].isdigit()}


def _staff(request):
    if not queries.supervises(request.user):
        raise PermissionDenied


def _wave_or_404(user, pk):
    return get_object_or_404(queries.waves(user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def wave_list(request):
    if not (queries.supervises(request.user) or figures.reads_results(request.user)):
        raise PermissionDenied
    form, error = WaveForm(user=request.user), None
    if request.method == "POST":
        _staff(request)
        form = WaveForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                wave = services.do_create_wave(actor=request.user, **form.cleaned_data)
            except ServiceError as refused:
                error = refused
            else:
                messages.success(request, _("The wave is created: draw its sample."))
                return redirect("surveys:wave", wave.pk)
    return render(
        request,
        "surveys/waves.html",
        {
            "waves": queries.waves(request.user)[:200],
            "form": form,
            "error": error,
            "may_create": queries.supervises(request.user),
        },
    )


def _results_region(user, wave) -> Region | None:
    """The wave's region if the user's scope holds it, else the user's own part of it."""
    scope = scope_for(user)
    if scope.covers_region_path(wave.region.path):
        return wave.region
    inside = [p for p in scope.region_paths if p.startswith(wave.region.path)]
    return Region.objects.filter(path__in=inside).order_by("path").first()


@login_required
@require_GET
def wave_page(request, pk):
    wave = _wave_or_404(request.user, pk)
    region = _results_region(request.user, wave)
    data = None
    if region is not None and figures.reads_results(request.user):
        data = figures.results(viewer=request.user, region=region, wave=wave)
    supervising = queries.supervises(request.user) and scope_for(request.user).covers_region_path(
        wave.region.path
    )
    counts = services.state_counts(wave)
    return render(
        request,
        "surveys/wave.html",
        {
            "wave": wave,
            "data": data,
            "supervising": supervising,
            "counts": [(s, counts.get(s.value, 0)) for s in MemberState.ordered()],
            "operators_form": OperatorsForm(user=request.user) if supervising else None,
            "questions": services.questions_of(wave),
        },
    )


@login_required
@require_POST
def wave_action(request, pk, action):
    wave = _wave_or_404(request.user, pk)
    if action not in ACTIONS:
        raise PermissionDenied
    form = OperatorsForm(request.POST, user=request.user)
    operators = form.cleaned_data["operators"] if form.is_valid() else []
    try:
        if action == "draw":
            done = services.do_draw_sample(actor=request.user, wave=wave, operators=operators)
            messages.success(
                request, _("%(n)d members drawn into the sample.") % {"n": done["drawn"]}
            )
        elif action == "assign":
            n = services.do_assign(actor=request.user, wave=wave, operators=operators)
            messages.success(request, _("%(n)d members shared among the operators.") % {"n": n})
        else:
            services.do_transition(actor=request.user, wave=wave, action=action)
            messages.success(
                request,
                _("The wave is now: %(s)s")
                % {"s": WaveState.label_of("fielding" if action == "open" else "closed")},
            )
    except ServiceError as refused:
        messages.error(request, refused.message)
    return redirect("surveys:wave", wave.pk)


@login_required
@require_GET
def results_page(request):
    if not figures.reads_results(request.user):
        raise PermissionDenied
    scope = scope_for(request.user)
    regions = [
        r
        for r in Region.objects.filter(level__in=["city", "county", "township"]).order_by("path")
        if scope.covers_region_path(r.path)
    ][:300]
    code = request.GET.get("region") or (regions[0].code if regions else "")
    region = next((r for r in regions if r.code == code), None)
    data, error = None, None
    if region is None:
        error = _("Choose a region in your scope.")
    else:
        try:
            data = figures.results(
                viewer=request.user,
                region=region,
                start=figures.parse_day(request.GET.get("start")),
                end=figures.parse_day(request.GET.get("end")),
            )
        except ValueError:
            error = _("Give the dates as YYYY-MM-DD.")
        except ServiceError as refused:
            error = refused.message
    return render(
        request,
        "surveys/results.html",
        {"regions": regions, "region": region, "data": data, "error": error, "query": request.GET},
    )


@login_required
@require_GET
def calling_list(request):
    if not queries.calls(request.user):
        raise PermissionDenied
    members = list(queries.calling_list(request.user)[:300])
    return render(request, "surveys/calls.html", {"members": members, "now": timezone.now()})


def _member_or_404(user, pk):
    return get_object_or_404(
        SampleMember.objects.visible_to(user).select_related("wave", "region"), pk=pk
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def call_form(request, pk):
    if not queries.calls(request.user):
        raise PermissionDenied
    member = _member_or_404(request.user, pk)
    error, chosen = None, {}
    if request.method == "POST":
        chosen = answers_from(request.POST)
        callback_at = parse_datetime(request.POST.get("callback_at") or "")
        if callback_at is not None and timezone.is_naive(callback_at):
            callback_at = timezone.make_aware(callback_at)
        try:
            services.do_record_call(
                user=request.user,
                member=member,
                outcome=request.POST.get("outcome", ""),
                answers=chosen,
                callback_at=callback_at,
            )
        except ServiceError as refused:
            error = refused
        else:
            messages.success(request, _("The call is recorded."))
            return redirect("surveys:calls")
    return render(
        request,
        "surveys/call.html",
        {
            "member": member,
            "questions": services.questions_of(member.wave),
            "outcomes": Outcome.ordered(),
            "error": error,
            "chosen": chosen,
            "outcome": request.POST.get("outcome", "") if request.method == "POST" else "",
            "link": request.build_absolute_uri(reverse("surveys:public", args=[member.token])),
        },
    )


@login_required
@never_cache
@require_POST
def reveal_phone(request, pk):
    """The number to dial, shown once and audited."""
    member = _member_or_404(request.user, pk)
    phone = services.reveal_phone(viewer=request.user, member=member, request=request)
    return render(request, "surveys/_phone.html", {"member": member, "phone": phone})


@login_required
@never_cache
@require_GET
def member_qr(request, pk):
    """The member's link as an SVG QR code, for SMS or print. The link answers for the
    member, so each look is audited."""
    member = _member_or_404(request.user, pk)
    if not queries.calls(request.user):
        raise PermissionDenied
    import qrcode
    import qrcode.image.svg

    audit.record(actor=request.user, action="survey_link", obj=member, request=request)
    link = request.build_absolute_uri(reverse("surveys:public", args=[member.token]))
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return HttpResponse(image.to_string(encoding="unicode"), content_type="image/svg+xml")


@never_cache
@require_http_methods(["GET", "POST"])
def public_form(request, token):
    """The member's own form (no login): one response per link, while the wave is in the
    field."""
    error, member, done, chosen = None, None, False, {}
    try:
        member = services.member_for_token(token)
    except ServiceError as refused:
        return render(request, "surveys/public.html", {"gone": refused.message}, status=410)
    if request.method == "POST":
        chosen = answers_from(request.POST)
        try:
            services.do_submit_link(token=token, answers=chosen)
        except ServiceError as refused:
            error = refused
        else:
            done = True
    return render(
        request,
        "surveys/public.html",
        {
            "member": member,
            "questions": services.questions_of(member.wave),
            "error": error,
            "done": done,
            "chosen": chosen,
        },
    )


urlpatterns = [
    path("", wave_list, name="waves"),
    path("waves/<int:pk>/", wave_page, name="wave"),
    path("waves/<int:pk>/<str:action>/", wave_action, name="wave_action"),
    path("results/", results_page, name="results"),
    path("calls/", calling_list, name="calls"),
    path("calls/<int:pk>/", call_form, name="call"),
    path("calls/<int:pk>/phone/", reveal_phone, name="reveal_phone"),
    path("calls/<int:pk>/qr.svg", member_qr, name="member_qr"),
    path("r/<str:token>/", public_form, name="public"),
]
