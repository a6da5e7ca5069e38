"""The daily check-in (平安打卡): the elderly person's one-button page, reached without a
login by the secret link on their card, and the staff's pages — the plans in their area
with today's state and the open alerts, a plan's last days, starting a plan, and the card
to print. The rules are ``people.checkins``'s; these views parse, call it and render.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, re_path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts import masking
from gongzhi.core import audit, ratelimit
from gongzhi.core.errors import ServiceError

from .. import checkins
from ..access import access_for
from ..idnumbers import normalise_id_number
from ..models import CareGroup, CareMembership, CheckIn, CheckInAlert, CheckInPlan, Resident

PER_PAGE = 50
ALERTS_SHOWN = 50
# The groups whose members are offered first when a plan is started.
ELDERLY_GROUPS = ("elderly_alone", "empty_nest_elderly")
CANDIDATES = 300
DAYS_SHOWN = 14
SHOWS = {
    "waiting": gettext_lazy("Not yet today"),
    "missed": gettext_lazy("Missed yesterday"),
    "alerts": gettext_lazy("With open alerts"),
}


def _staff(request) -> None:
    """Staff who see a register (grid workers, community, township, county, centres)."""
    if not access_for(request.user).sees_register:
        raise PermissionDenied


def _visible_plans(user):
    return CheckInPlan.objects.visible_to(user)


def _plan_or_404(user, pk) -> CheckInPlan:
    return get_object_or_404(
        _visible_plans(user).select_related("resident", "worker", "grid"), pk=pk
    )


def _masked(plan: CheckInPlan) -> dict:
    return {
        "resident": masking.mask_name(plan.resident.name),
        "family_name": masking.mask_name(plan.family_name),
        "family_phone": masking.mask_mobile(plan.family_phone),
        "worker": plan.worker.masked_name if plan.worker_id else "",
    }


# -- the elderly person's page (no login) ---------------------------------------------------


def _tap_key(token: str) -> str:
    # The rate counter's key is seen in the admin: never the link's secret itself.
    return hashlib.sha256(token.encode()).hexdigest()[:32]


@never_cache
@require_http_methods(["GET", "POST"])
def tap(request, token):
    """GET shows the big button (or today's check-in); POST taps it. Always in Chinese:
    the person's phone may be set to anything."""
    with translation.override(settings.LANGUAGE_CODE):
        return _tap(request, token)


def _tap(request, token):
    by_family = (request.POST.get("by") or request.GET.get("by")) == "family"
    plan = checkins.plan_for_token(token)
    context = {"by_family": by_family, "due_by": checkins.DUE_BY}
    if plan is None:
        return render(request, "people/checkin_tap.html", {**context, "gone": True}, status=404)
    if request.method == "POST":
        rate = ratelimit.rate("checkin_tap") or checkins.TAP_RATE
        try:
            ratelimit.check("checkin_tap", _tap_key(token), rate)
        except ratelimit.RateLimited:
            return render(
                request, "people/checkin_tap.html", {**context, "too_many": True}, status=429
            )
        try:
            tapped = checkins.do_check_in(token=token, by_family=by_family)
        except ServiceError:
            return render(request, "people/checkin_tap.html", {**context, "gone": True}, status=404)
        # Back to the page by GET, so that reloading it taps nothing.
        query = "?done=" + ("1" if tapped.first else "again")
        if by_family:
            query += "&by=family"
        return redirect(reverse("people:checkin_tap", args=[token]) + query)
    checkin = checkins.todays_checkin(plan)
    return render(
        request,
        "people/checkin_tap.html",
        {
            **context,
            "checkin": checkin,
            "again": request.GET.get("done") == "again",
            "name": masking.mask_name(plan.resident.name),
        },
    )


# -- staff: the plans in scope --------------------------------------------------------------


def _annotated(plans, today: dt.date):
    yesterday = today - dt.timedelta(days=1)
    return plans.annotate(
        today_at=Subquery(CheckIn.objects.filter(plan=OuterRef("pk"), day=today).values("at")[:1]),
        checked_yesterday=Exists(CheckIn.objects.filter(plan=OuterRef("pk"), day=yesterday)),
        open_alert=Exists(
            CheckInAlert.objects.filter(plan=OuterRef("pk"), resolved_at__isnull=True)
        ),
    )


def _shown(plans, show: str, today: dt.date):
    yesterday = today - dt.timedelta(days=1)
    if show == "waiting":
        return plans.filter(today_at__isnull=True, started_on__lte=today)
    if show == "missed":
        return plans.filter(checked_yesterday=False, started_on__lt=yesterday)
    if show == "alerts":
        return plans.filter(open_alert=True)
    return plans


@login_required
@require_GET
def plan_list(request):
    _staff(request)
    user = request.user
    today = checkins.local_day()
    yesterday = today - dt.timedelta(days=1)
    show = request.GET.get("show", "")
    show = show if show in SHOWS else ""
    open_plans = _visible_plans(user).filter(ended_on__isnull=True)
    plans = _annotated(open_plans, today)
    figures = plans.aggregate(
        plans=Count("pk"),
        checked=Count("pk", filter=Q(today_at__isnull=False)),
        alerts=Count("pk", filter=Q(open_alert=True)),
    )
    figures["waiting"] = figures["plans"] - figures["checked"]
    listed = Paginator(
        _shown(plans, show, today)
        .select_related("resident", "worker", "grid")
        .order_by("grid__code", "pk"),
        PER_PAGE,
    )
    current = listed.get_page(request.GET.get("page"))
    rows = [
        {
            "plan": p,
            **_masked(p),
            "today_at": p.today_at,
            "upcoming": p.started_on > today,
            "missed_yesterday": checkins.counts(p, yesterday) and not p.checked_yesterday,
        }
        for p in current.object_list
    ]
    alerts = (
        CheckInAlert.objects.filter(resolved_at__isnull=True, plan__in=open_plans.values("pk"))
        .select_related("plan__resident", "plan__grid")
        .order_by("-day", "-level", "pk")
    )
    return render(
        request,
        "people/checkin_list.html",
        {
            "page": current,
            "rows": rows,
            "total": listed.count,
            "figures": figures,
            "show": show,
            "shows": SHOWS.items(),
            "alerts": [
                {"alert": a, "resident": masking.mask_name(a.plan.resident.name)}
                for a in alerts[:ALERTS_SHOWN]
            ],
            "alert_total": figures["alerts"],
            "today": today,
            "due_by": checkins.DUE_BY,
            "may_start": _may_start(user),
        },
    )


def _may_start(user) -> bool:
    return access_for(user).sees_register


@login_required
@require_GET
def plan_detail(request, pk):
    _staff(request)
    plan = _plan_or_404(request.user, pk)
    today = checkins.local_day()
    first = max(plan.started_on, today - dt.timedelta(days=DAYS_SHOWN - 1))
    taps = {c.day: c for c in plan.checkins.filter(day__gte=first)}
    days = []
    day = today
    while day >= first:
        days.append(
            {
                "day": day,
                "checkin": taps.get(day),
                "counts": checkins.counts(plan, day),
                "over": day <= checkins.last_due_day(),
            }
        )
        day -= dt.timedelta(days=1)
    alerts = plan.alerts.order_by("-day", "-level")[:30]
    return render(
        request,
        "people/checkin_plan.html",
        {
            "plan": plan,
            **_masked(plan),
            "days": days,
            "alerts": alerts,
            "governs": access_for(request.user).governs(
                grid_id=plan.grid_id, region_path=plan.region_path
            ),
        },
    )


@login_required
@require_POST
def plan_end(request, pk):
    _staff(request)
    plan = _plan_or_404(request.user, pk)
    try:
        checkins.do_end_plan(plan=plan, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The daily check-in has ended: its link no longer works."))
    return redirect(reverse("people:checkin_plan", args=[plan.pk]))


def _qr_svg(text: str) -> str:
    """The link as an SVG QR code, when the ``qrcode`` library is installed; else ""."""
    try:
        import qrcode
        import qrcode.image.svg
    except ImportError:
        return ""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    return image.to_string(encoding="unicode")


@login_required
@require_GET
def plan_card(request, pk):
    """The card to print for the person (and one for the family): the link and its QR code.
    The link lets anyone check in for the person, so each look at it is audited."""
    _staff(request)
    plan = _plan_or_404(request.user, pk)
    if plan.ended_on is not None:
        raise PermissionDenied
    audit.record(
        actor=request.user,
        action="checkin_card",
        obj=plan,
        reason=f"daily check-in card, resident {plan.resident_id}",
        request=request,
    )
    link = request.build_absolute_uri(reverse("people:checkin_tap", args=[plan.token]))
    family_link = link + "?by=family"
    return render(
        request,
        "people/checkin_card.html",
        {
            "plan": plan,
            **_masked(plan),
            "cards": [
                {"who": _("For the person"), "link": link, "qr": _qr_svg(link)},
                {
                    "who": _("For the family member"),
                    "link": family_link,
                    "qr": _qr_svg(family_link),
                },
            ],
            "due_by": checkins.DUE_BY,
        },
    )


# -- staff: start a plan --------------------------------------------------------------------


def _candidates(user):
    """Current members of the elderly groups the user sees who have no open plan."""
    members = (
        CareMembership.objects.visible_to(user)
        .current(checkins.local_day())
        .filter(group__in=CareGroup.objects.filter(code__in=ELDERLY_GROUPS))
        .values("resident_id")
    )
    return (
        Resident.objects.visible_to(user)
        .current()
        .filter(pk__in=members)
        .exclude(pk__in=CheckInPlan.objects.filter(ended_on__isnull=True).values("resident_id"))
        .select_related("grid")
        .order_by("grid__code", "pk")
    )


def _label(resident: Resident, today: dt.date) -> str:
    return _("%(name)s · %(age)s years · %(grid)s") % {
        "name": masking.mask_name(resident.name),
        "age": resident.age_on(today),
        "grid": resident.grid.name if resident.grid_id else "—",
    }


class StartForm(forms.Form):
    resident = forms.TypedChoiceField(
        label=gettext_lazy("Elderly person"), coerce=int, required=False, empty_value=None
    )
    id_number = forms.CharField(
        label=gettext_lazy("…or their ID number"), max_length=20, required=False
    )
    family_name = forms.CharField(
        label=gettext_lazy("Family member to tell"), max_length=50, required=False
    )
    family_phone = forms.CharField(
        label=gettext_lazy("Family member's mobile"), max_length=20, required=False
    )

    def __init__(self, *args, user, preset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        today = checkins.local_day()
        listed = list(_candidates(user)[:CANDIDATES])
        if preset is not None and preset not in listed:
            listed.insert(0, preset)
        self.fields["resident"].choices = [("", "—")] + [(r.pk, _label(r, today)) for r in listed]
        for name in ("family_name", "family_phone", "id_number"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["family_phone"].widget.input_type = "tel"

    def chosen(self) -> Resident | None:
        residents = Resident.objects.visible_to(self.user).current().select_related("grid")
        if self.cleaned_data.get("resident"):
            return residents.filter(pk=self.cleaned_data["resident"]).first()
        number = normalise_id_number(self.cleaned_data.get("id_number") or "")
        if number:
            return residents.filter(id_number=number).first()
        return None


FORM_FIELDS = {"resident", "family_name", "family_phone"}


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    _staff(request)
    user = request.user
    preset = None
    if request.GET.get("resident", "").isdigit():
        preset = (
            Resident.objects.visible_to(user)
            .current()
            .select_related("grid")
            .filter(pk=request.GET["resident"])
            .first()
        )
    status = 200
    if request.method == "POST":
        form = StartForm(request.POST, user=user, preset=preset)
        if form.is_valid():
            resident = form.chosen()
            if resident is None:
                form.add_error(
                    "resident", _("Choose a person, or give the ID number of one in your area.")
                )
                status = 400
            else:
                try:
                    plan = checkins.do_start_plan(
                        resident=resident,
                        actor=user,
                        family_name=form.cleaned_data["family_name"],
                        family_phone=form.cleaned_data["family_phone"],
                    )
                except ServiceError as error:
                    for e in error.all:
                        form.add_error(e.field if e.field in FORM_FIELDS else None, e.message)
                    status = error.status
                else:
                    messages.success(
                        request, _("Daily check-in started: print the card and give it to them.")
                    )
                    return redirect(reverse("people:checkin_card", args=[plan.pk]))
        else:
            status = 400
    else:
        initial = {"resident": preset.pk} if preset else {}
        form = StartForm(user=user, preset=preset, initial=initial)
    return render(
        request,
        "people/checkin_new.html",
        {"form": form, "has_errors": status != 200, "due_by": checkins.DUE_BY},
        status=status,
    )


urlpatterns = [
    path("checkin/", plan_list, name="checkins"),
    path("checkin/new/", plan_new, name="checkin_new"),
    path("checkin/plan/<int:pk>/", plan_detail, name="checkin_plan"),
    path("checkin/plan/<int:pk>/card/", plan_card, name="checkin_card"),
    path("checkin/plan/<int:pk>/end/", plan_end, name="checkin_end"),
    # The person's own page: the link's key is long, so it never meets the words above.
    re_path(r"^checkin/(?P<token>[A-Za-z0-9_-]{20,64})/$", tap, name="checkin_tap"),
]
