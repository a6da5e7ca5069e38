"""The legal services' home (tiles for every service, the user's own links, the points that
serve them, their desks for staff), the service points' map and list (the ones serving the
person first), and the "my village and groups" form every legal room relies on."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.errors import ServiceError
from gongzhi.core.navigation import menu_for

from ..aid import queries as aid_queries
from ..choices import PointLevel
from ..models import ServicePoint
from ..outreach.services import unread_count
from . import services
from .forms import PointFilter, ProfileForm


def _float(value):
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if -180 <= f <= 180 else None


def _point_json(p) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "level": p.level,
        "level_label": str(PointLevel(p.level).label),
        "lng": p.longitude,
        "lat": p.latitude,
        "address": p.address,
        "phone": p.phone,
        "hours": p.hours,
        "services": p.service_labels(),
        "adviser": p.adviser.display_name if p.adviser_id else "",
    }


@login_required
def home(request):
    user = request.user
    desks = [
        item
        for item in menu_for(user).get("main", [])
        if item.name.startswith("legal_") and item.name != "legal"
    ]
    return render(
        request,
        "legal/home.html",
        {
            "unread": unread_count(user),
            "serving": services.serving_points(user),
            "profile": services.profile_of(user),
            "desks": desks,
            "failed_mediations": aid_queries.failed_mediations(user),
        },
    )


@login_required
def points(request):
    form = PointFilter(request.GET or None)
    qs = form.apply(ServicePoint.objects.visible_to(request.user)) if request.GET else None
    lng, lat = _float(request.GET.get("lng")), _float(request.GET.get("lat"))
    # Unfiltered, a resident who said where they live sees their own county's points; the
    # whole list is a click away.
    first, others = services.points_for(
        request.user, lng=lng, lat=lat, queryset=qs, own_county=not request.GET
    )
    profile = services.profile_of(request.user)
    return render(
        request,
        "legal/points/list.html",
        {
            "form": form if request.GET else PointFilter(),
            "first": first,
            "others": others,
            "profile": profile,
            "by_position": bool(first) and not (profile and profile.region_path),
            "map_points": [_point_json(p) for p in [*first, *others]],
            "first_ids": [p.pk for p in first],
            "own_county": bool(profile and profile.region_path) and not request.GET,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    current = services.profile_of(request.user)
    initial = (
        {"region": current.region_id, "groups": list(current.groups.all())} if current else None
    )
    form = ProfileForm(request.POST or None, initial=initial)
    back = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        try:
            services.do_set_profile(
                user=request.user,
                region=form.cleaned_data["region"],
                groups=form.cleaned_data["groups"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Your village and groups are saved."))
            if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
                return redirect(back)
            return redirect("legal:home")
    return render(
        request,
        "legal/points/profile.html",
        {"form": form, "next": back},
        status=400 if form.errors else 200,
    )
