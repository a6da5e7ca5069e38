"""The register's buildings (楼栋): a list filtered by grid, a building's page with its
houses, and the grid worker's phone forms to add and correct one.

Every page reads through ``Building.objects.visible_to`` and writes through
``services.do_add_building`` / ``do_update_building`` (a building moved to another grid
takes its houses and their people with it); the forms follow ``register.submit``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import queries, services
from ..forms import BuildingForm
from ..models import Building, House
from ..queries import Filters
from .register import _filters, _page, _paged, _register_staff, submit

# -- what the pages read -------------------------------------------------------------------------


def _list(user, f: Filters):
    found = Building.objects.visible_to(user)
    if f.grid_id:
        found = found.filter(grid_id=f.grid_id)
    if f.community_id:
        found = found.filter(region_id=f.community_id)
    if f.q:
        found = found.filter(Q(name__icontains=f.q) | Q(address__icontains=f.q))
    return found.annotate(
        grid_name=F("grid__name"),
        community_name=F("region__name"),
        house_count=Count("houses"),
    ).order_by("region_path", "name", "id")


def _building_or_404(request, pk) -> Building:
    found = (
        Building.objects.visible_to(request.user)
        .select_related("grid", "region")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _houses(user, building: Building):
    return (
        House.objects.visible_to(user)
        .filter(building=building)
        .annotate(household_count=Count("households"))
        .order_by("address", "id")
    )


# -- pages ---------------------------------------------------------------------------------------


@login_required
@require_GET
def buildings(request):
    access = _register_staff(request)
    form = _filters(request)
    form.fields["q"].label = _("Name or address")
    page = _paged(request, _list(request.user, form.filters()))
    context = {"form": form, "page": page, "tab": "buildings", "may_add": access.sees_register}
    return _page(request, "people/buildings.html", context)


@login_required
@require_GET
def building(request, pk):
    access = _register_staff(request)
    found = _building_or_404(request, pk)
    return _page(
        request,
        "people/building.html",
        {
            "building": found,
            "page": _paged(request, _houses(request.user, found)),
            "governs": access.governs(grid_id=found.grid_id, region_path=found.region_path),
            "tab": "buildings",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def building_new(request):
    _register_staff(request)
    grids = queries.writable_grids(request.user)

    def page(form, status=200):
        context = {"form": form, "tab": "buildings"}
        return _page(request, "people/building_form.html", context, status)

    if request.method == "GET":
        return page(BuildingForm(grids=grids, initial={"grid": grids[0].pk if grids else None}))
    return submit(
        request,
        BuildingForm(request.POST, grids=grids),
        lambda f: services.do_add_building(data=f.building_in(), actor=request.user),
        page=page,
        done=lambda made: _("Building added: %(name)s") % {"name": made},
        then=lambda made: reverse("people:building", args=[made.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def building_edit(request, pk):
    """Correct a building: its name, address, floors, position or grid (its houses follow
    it to another grid)."""
    _register_staff(request)
    found = _building_or_404(request, pk)
    grids = queries.writable_grids(request.user)

    def page(form, status=200):
        context = {"form": form, "editing": found, "tab": "buildings"}
        return _page(request, "people/building_form.html", context, status)

    if request.method == "GET":
        initial = {
            "name": found.name,
            "address": found.address,
            "grid": found.grid_id,
            "floors": found.floors,
            "lng": found.lng,
            "lat": found.lat,
        }
        return page(BuildingForm(grids=grids, initial=initial))
    return submit(
        request,
        BuildingForm(request.POST, grids=grids),
        lambda f: services.do_update_building(
            building=found, data=f.building_in(), actor=request.user
        ),
        page=page,
        done=_("The building was updated."),
        then=lambda made: reverse("people:building", args=[found.pk]),
    )


urlpatterns = [
    path("buildings/", buildings, name="buildings"),
    path("buildings/new/", building_new, name="building_new"),
    path("buildings/<int:pk>/", building, name="building"),
    path("buildings/<int:pk>/edit/", building_edit, name="building_edit"),
]
