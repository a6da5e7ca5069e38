"""The register's pages (人、地、房): lists of houses, households and residents with their
filters, a record's page, the grid worker's phone forms, the care groups' lists and the
residents' Excel download.

Every page reads through ``queries`` (the models' ``visible_to``) and writes through
``services``; a ``ServiceError`` is shown beside the field it names. Personal data is
masked; "show in full" is a POST to ``services.reveal_resident`` (audited), swapped in
place by htmx.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts import masking
from gongzhi.accounts.services import unmaskable_kinds
from gongzhi.core import audit
from gongzhi.core.errors import NotFound, ServiceError

from .. import queries, register_exports, services
from ..access import access_for
from ..forms import (
    EndCareForm,
    EnrolForm,
    HouseForm,
    HouseholdForm,
    MoveOutForm,
    RegisterFilterForm,
    ResidentForm,
    StayForm,
    resident_as_is,
)
from ..models import Building, CareGroup, CareLevel, CareMembership, House, Resident

# -- who may open what ---------------------------------------------------------------------------


def _reader(request):
    """Anyone who sees people: the register's staff, and units with a care function."""
    if not queries.reads_people(request.user):
        raise PermissionDenied
    return access_for(request.user)


def _register_staff(request):
    """The staff of the register (grid workers, community, township, county, command)."""
    access = access_for(request.user)
    if not access.sees_register:
        raise PermissionDenied
    return access


def _unmaskable(user, model) -> frozenset[str]:
    """The model's sensitive fields the user's role may unmask."""
    kinds = unmaskable_kinds(user)
    return frozenset(f for f, kind in model.sensitive_fields.items() if kind in kinds)


def _address(user, record, house) -> str:
    """A house's address in full for those who govern the place; the street only for a
    unit that sees the person through a care group (it reveals to visit)."""
    if access_for(user).governs(grid_id=record.grid_id, region_path=record.region_path):
        return house.address
    return masking.mask_address(house.address)


# A field the service names and the form field it is shown beside, when their names differ.
ALIASES = {"region": "grid", "stay_until": "until"}


def _show(error: ServiceError, form) -> None:
    """Each problem the service found, beside its field when the form has it."""
    for e in error.all:
        field = next((f for f in (e.field, ALIASES.get(e.field)) if f in form.fields), None)
        form.add_error(field, e.message)


def _page(request, template: str, context: dict, status: int = 200):
    return render(request, template, context, status=status)


def submit(request, form, do, *, page, done, then):
    """The shape of every form of the register: a form that parses goes to the service
    (``do(form)``); a refusal is shown beside the fields it names and the page rendered
    again (``page(form, status)``); a success is announced (``done``: a message, or a
    function of the result) and redirected to (``then(result)``: a URL). A record that
    left the user's area meanwhile is a 404."""
    status = 400
    if form.is_valid():
        try:
            made = do(form)
        except ServiceError as error:
            if isinstance(error, NotFound):
                raise Http404 from None
            _show(error, form)
            status = error.status
        else:
            messages.success(request, done(made) if callable(done) else done)
            return redirect(then(made))
    return page(form, status)


def _paged(request, rows):
    return Paginator(rows, queries.PER_PAGE).get_page(request.GET.get("page"))


def _filters(request, *, groups: bool = False) -> RegisterFilterForm:
    user = request.user
    return RegisterFilterForm(
        request.GET,
        grids=queries.grids_for(user),
        communities=queries.communities_for(user),
        groups=queries.groups_for(user) if groups else (),
    )


# -- lists ---------------------------------------------------------------------------------------


@login_required
@require_GET
def houses(request):
    access = _register_staff(request)
    form = _filters(request)
    page = _paged(request, queries.houses(request.user, form.filters()))
    return _page(
        request,
        "people/houses.html",
        {"form": form, "page": page, "tab": "houses", "may_add": bool(access.sees_register)},
    )


@login_required
@require_GET
def households(request):
    _register_staff(request)
    form = _filters(request)
    page = _paged(request, queries.households(request.user, form.filters()))
    return _page(
        request, "people/households.html", {"form": form, "page": page, "tab": "households"}
    )


@login_required
@require_GET
def residents(request):
    _reader(request)
    form = _filters(request, groups=True)
    page = _paged(request, queries.residents(request.user, form.filters()))
    today = timezone.localdate()
    for r in page.object_list:
        r.age = r.age_on(today)
        r.address = _address(request.user, r, r.household.house)
    return _page(
        request,
        "people/residents.html",
        {
            "form": form,
            "page": page,
            "tab": "residents",
            "may_export_full": bool(_unmaskable(request.user, Resident)),
        },
    )


@login_required
@require_GET
def groups(request):
    _reader(request)
    counts = queries.group_counts(request.user)
    rows = [(g, counts.get(g.pk, 0)) for g in queries.groups_for(request.user)]
    return _page(request, "people/groups.html", {"rows": rows, "tab": "groups"})


@login_required
@require_GET
def group_members(request, code):
    _reader(request)
    group = next((g for g in queries.groups_for(request.user) if g.code == code), None)
    if group is None:  # a group the user may not see is no group at all to them
        raise Http404
    form = RegisterFilterForm(request.GET, grids=queries.grids_for(request.user), communities=[])
    page = _paged(request, queries.members(request.user, group, grid_id=form.filters().grid_id))
    today = timezone.localdate()
    for m in page.object_list:
        m.age = m.resident.age_on(today)
        m.address = _address(request.user, m.resident, m.resident.household.house)
    return _page(
        request, "people/group.html", {"group": group, "form": form, "page": page, "tab": "groups"}
    )


# -- the residents' download ---------------------------------------------------------------------


def _export(request, *, fields: frozenset[str]):
    _reader(request)
    form = _filters(request, groups=True)
    rows = queries.residents(request.user, form.filters())
    count = rows.count()
    if count > queries.MAX_EXPORT_ROWS:
        messages.error(
            request,
            _("%(count)d residents match: narrow the filters to at most %(max)d to export them.")
            % {"count": count, "max": queries.MAX_EXPORT_ROWS},
        )
        return redirect(f"{reverse('people:residents')}?{request.GET.urlencode()}")
    content = register_exports.residents_workbook(
        rows.iterator(chunk_size=2000),
        fields=fields,
        address=lambda r: _address(request.user, r, r.household.house),
    )
    # A list of people leaving the platform is recorded like any other sensitive read; an
    # unmasked one under its own action, with the fields shown in full.
    audit.record(
        actor=request.user,
        action="export_unmasked" if fields else "export",
        fields=sorted(fields),
        reason=f"people residents ({count}): {request.GET.urlencode()}",
        request=request,
    )
    name = _("Residents") if not fields else _("Residents (unmasked)")
    response = HttpResponse(content, content_type=register_exports.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def residents_export(request):
    return _export(request, fields=frozenset())


@login_required
@require_GET
def residents_export_full(request):
    fields = _unmaskable(request.user, Resident)
    if not fields:
        raise PermissionDenied
    return _export(request, fields=fields)


# -- houses --------------------------------------------------------------------------------------


def _house_or_404(request, pk) -> House:
    house = queries.house_for(request.user, pk)
    if house is None:
        raise Http404
    return house


@login_required
@require_GET
def house(request, pk):
    _register_staff(request)
    found = _house_or_404(request, pk)
    access = access_for(request.user)
    return _page(
        request,
        "people/house.html",
        {
            "house": found,
            "owner": masking.masked_value(found, "owner_name"),
            "owner_id": masking.masked_value(found, "owner_id_number"),
            "owner_phone": masking.masked_value(found, "owner_phone"),
            "households": queries.house_households(request.user, found),
            "stays": queries.house_stays(request.user, found),
            "governs": access.governs(grid_id=found.grid_id, region_path=found.region_path),
            "can_reveal": bool(_unmaskable(request.user, House)),
            "tab": "houses",
        },
    )


def _buildings(user, grids) -> list[Building]:
    """The buildings a house may be put in: those the user sees in the grids where they
    may add houses (the form narrows them to the grid chosen)."""
    return list(
        Building.objects.visible_to(user)
        .filter(grid__in=[g.pk for g in grids])
        .only("pk", "name", "address", "grid_id")
        .order_by("grid_id", "name", "id")[: queries.MAX_CHOICES]
    )


def _house_form(request, grids, *, editing=None, **kwargs) -> HouseForm:
    buildings = _buildings(request.user, grids)
    return HouseForm(grids=grids, buildings=buildings, editing=editing, **kwargs)


def _house_initial(request, grids) -> dict:
    """A new house: in the building it is added from (its page's link), else the first
    grid."""
    building = request.GET.get("building", "")
    if building.isdigit():
        found = Building.objects.visible_to(request.user).filter(pk=int(building)).first()
        if found is not None:
            return {"building": found.pk, "grid": found.grid_id}
    return {"grid": grids[0].pk if grids else None}


@login_required
@require_http_methods(["GET", "POST"])
def house_new(request):
    _register_staff(request)
    grids = queries.writable_grids(request.user)

    def page(form, status=200):
        return _page(request, "people/house_form.html", {"form": form, "tab": "houses"}, status)

    if request.method == "GET":
        return page(_house_form(request, grids, initial=_house_initial(request, grids)))
    return submit(
        request,
        _house_form(request, grids, data=request.POST),
        lambda f: services.do_add_house(data=f.house_in(), actor=request.user),
        page=page,
        done=lambda made: _("House added: %(address)s") % {"address": made},
        then=lambda made: reverse("people:house", args=[made.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def house_edit(request, pk):
    """Correct a house on the phone: its use (自住 → 出租), address, area, owner, grid."""
    _register_staff(request)
    found = _house_or_404(request, pk)
    grids = queries.writable_grids(request.user)

    def page(form, status=200):
        context = {"form": form, "editing": found, "tab": "houses"}
        return _page(request, "people/house_form.html", context, status)

    if request.method == "GET":
        initial = {
            "address": found.address,
            "building": found.building_id,
            "grid": found.grid_id,
            "use": found.use,
            "area": found.area,
            "lng": found.lng,
            "lat": found.lat,
        }
        return page(_house_form(request, grids, editing=found, initial=initial))
    return submit(
        request,
        _house_form(request, grids, editing=found, data=request.POST),
        lambda f: services.do_update_house(house=found, data=f.house_in(), actor=request.user),
        page=page,
        done=_("The house was updated."),
        then=lambda made: reverse("people:house", args=[found.pk]),
    )


@login_required
@require_POST
def house_reveal(request, pk):
    found = _house_or_404(request, pk)
    fragment = bool(request.headers.get("HX-Request"))
    template = "people/_revealed.html" if fragment else "people/revealed.html"
    context = {"back": reverse("people:house", args=[found.pk])}
    try:
        values = services.reveal_house_owner(viewer=request.user, house=found, request=request)
    except ServiceError as error:
        response = _page(request, template, {**context, "refused": True}, status=error.status)
    else:
        context["fields"] = [(House._meta.get_field(f).verbose_name, v) for f, v in values.items()]
        response = _page(request, template, context)
    add_never_cache_headers(response)
    return response


# -- households ----------------------------------------------------------------------------------


@login_required
@require_GET
def household(request, pk):
    _register_staff(request)
    found = queries.household_for(request.user, pk)
    if found is None:
        raise Http404
    access = access_for(request.user)
    today = timezone.localdate()
    members = list(queries.household_members(request.user, found))
    for r in members:
        r.age = r.age_on(today)
    return _page(
        request,
        "people/household.html",
        {
            "household": found,
            "members": members,
            "governs": access.governs(grid_id=found.grid_id, region_path=found.region_path),
            "tab": "households",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_new(request):
    _register_staff(request)

    def page(form, status=200):
        house_id = form["house"].value()
        found = queries.house_for(request.user, int(house_id)) if str(house_id).isdigit() else None
        context = {"form": form, "house": found, "tab": "households"}
        return _page(request, "people/household_form.html", context, status)

    if request.method == "GET":
        return page(HouseholdForm(initial={"house": request.GET.get("house")}))
    return submit(
        request,
        HouseholdForm(request.POST),
        lambda f: services.do_add_household(data=f.household_in(), actor=request.user),
        page=page,
        done=_("Household added: now add the people in it."),
        then=lambda made: reverse("people:household", args=[made.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk):
    """Correct a household's number (户号) or registration (户籍/流动)."""
    _register_staff(request)
    found = queries.household_for(request.user, pk)
    if found is None:
        raise Http404

    def page(form, status=200):
        context = {"form": form, "house": found.house, "editing": found, "tab": "households"}
        return _page(request, "people/household_form.html", context, status)

    if request.method == "GET":
        initial = {"house": found.house_id, "number": found.number, "kind": found.kind}
        return page(HouseholdForm(initial=initial))
    return submit(
        request,
        # The household stays in its house: the house is not taken from the form.
        HouseholdForm({**request.POST.dict(), "house": found.house_id}),
        lambda f: services.do_update_household(
            household=found, data=f.household_in(), actor=request.user
        ),
        page=page,
        done=_("The household was updated."),
        then=lambda made: reverse("people:household", args=[found.pk]),
    )


# -- residents -----------------------------------------------------------------------------------


def _resident_or_404(request, pk) -> Resident:
    found = queries.resident_for(request.user, pk)
    if found is None:
        raise Http404
    return found


def _resident_page(request, resident: Resident, *, bound: dict | None = None, status=200):
    """The resident's page, with the form of an action refused (``bound``) kept as typed."""
    user = request.user
    access = access_for(user)
    bound = bound or {}
    governs = access.governs(grid_id=resident.grid_id, region_path=resident.region_path)
    groups = queries.enrol_groups(user, resident) if resident.is_current else []
    levels = list(CareLevel.objects.filter(enabled=True))
    house = resident.household.house
    return _page(
        request,
        "people/resident.html",
        {
            "resident": resident,
            "age": resident.age_on(timezone.localdate()),
            "name": masking.masked_value(resident, "name"),
            "id_number": masking.masked_value(resident, "id_number"),
            "phone": masking.masked_value(resident, "phone"),
            "address": _address(user, resident, house),
            "governs": governs,
            "can_reveal": bool(_unmaskable(user, Resident)),
            "stays": list(resident.stays.select_related("house")),
            "today": timezone.localdate(),
            "care": resident.visible_care,
            "move_out_form": bound.get("move_out") or MoveOutForm(),
            "stay_form": bound.get("stay") or StayForm(),
            "enrol_form": bound.get("enrol") or EnrolForm(groups=groups, levels=levels),
            "end_form": bound.get("end") or EndCareForm(),
            "end_pk": bound.get("end_pk"),
            "open": next(iter(bound), ""),
            "tab": "residents",
        },
        status,
    )


@login_required
@require_GET
def resident(request, pk):
    _reader(request)
    return _resident_page(request, _resident_or_404(request, pk))


@login_required
@require_POST
def resident_reveal(request, pk):
    """The resident's real name, ID number and phone, as far as the role may unmask them;
    every field audited (a refusal too)."""
    _reader(request)
    found = _resident_or_404(request, pk)
    fragment = bool(request.headers.get("HX-Request"))
    template = "people/_revealed.html" if fragment else "people/revealed.html"
    context = {"back": reverse("people:resident", args=[found.pk])}
    try:
        values = services.reveal_resident(viewer=request.user, resident=found, request=request)
    except ServiceError as error:
        response = _page(request, template, {**context, "refused": True}, status=error.status)
    else:
        context["fields"] = [
            (Resident._meta.get_field(f).verbose_name, v) for f, v in values.items()
        ]
        response = _page(request, template, context)
    add_never_cache_headers(response)
    return response


def _household_for_form(request, value):
    return queries.household_for(request.user, int(value)) if str(value).isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def resident_new(request):
    _register_staff(request)
    where = _household_for_form(
        request, request.POST.get("household") or request.GET.get("household")
    )

    def page(form, status=200):
        context = {
            "form": form,
            "household": where,
            "derived": form.derived(),
            "marks": True,
            "tab": "residents",
        }
        return _page(request, "people/resident_form.html", context, status)

    if request.method == "GET":
        return page(ResidentForm(household=where))
    return submit(
        request,
        ResidentForm(request.POST, household=where),
        lambda f: services.do_add_resident(data=f.resident_in(), actor=request.user),
        page=page,
        done=lambda made: (
            _("%(name)s registered in household %(household)s.")
            % {"name": made, "household": made.household}
        ),
        then=lambda made: reverse("people:household", args=[made.household_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk):
    _register_staff(request)
    found = _resident_or_404(request, pk)

    def page(form, status=200):
        context = {
            "form": form,
            "household": found.household,
            "editing": found,
            "tab": "residents",
        }
        return _page(request, "people/resident_form.html", context, status)

    if request.method == "GET":
        initial = {"relation": found.relation, "kind": found.kind, "moved_in": found.moved_in}
        return page(ResidentForm(household=found.household, editing=found, initial=initial))
    return submit(
        request,
        ResidentForm(request.POST, household=found.household, editing=found),
        lambda f: services.do_update_resident(
            resident=found, data=f.resident_in(), actor=request.user
        ),
        page=page,
        done=_("The resident's record was updated."),
        then=lambda made: reverse("people:resident", args=[found.pk]),
    )


def _act(request, resident, key, form, do, done: str, **extra):
    """Run one action of the resident's page: back to the page with a message, or the
    page again with the form's problems beside its fields."""
    return submit(
        request,
        form,
        lambda f: do(f.cleaned_data),
        page=lambda f, status: _resident_page(
            request, resident, bound={key: f, **extra}, status=status
        ),
        done=done,
        then=lambda made: reverse("people:resident", args=[resident.pk]),
    )


@login_required
@require_POST
def resident_move_out(request, pk):
    _register_staff(request)
    found = _resident_or_404(request, pk)
    return _act(
        request,
        found,
        "move_out",
        MoveOutForm(request.POST),
        lambda d: services.do_move_out(
            resident=found,
            actor=request.user,
            on=d.get("moved_out"),
            reason=d.get("left_reason") or "",
        ),
        _("Recorded as moved out: their record stays, their care ended."),
    )


@login_required
@require_POST
def resident_stay(request, pk):
    _register_staff(request)
    found = _resident_or_404(request, pk)
    form = StayForm(request.POST)
    return _act(
        request,
        found,
        "stay",
        form,
        lambda d: services.do_update_resident(
            resident=found, data=resident_as_is(found, stay=form.stay_in()), actor=request.user
        ),
        _("The stay was added."),
    )


@login_required
@require_POST
def resident_enrol(request, pk):
    _reader(request)
    found = _resident_or_404(request, pk)
    offered = queries.enrol_groups(request.user, found)
    levels = list(CareLevel.objects.filter(enabled=True))
    # A group not offered is still passed on: the service refuses it in its own words.
    asked = CareGroup.objects.filter(code=request.POST.get("group", "")).first()
    form = EnrolForm(request.POST, groups=offered + ([asked] if asked else []), levels=levels)

    def enrol(d):
        return services.do_enrol(
            resident=found,
            group=asked,
            actor=request.user,
            level=form.levels.get(d.get("level") or ""),
            since=d.get("since"),
            note=d.get("note") or "",
        )

    return _act(request, found, "enrol", form, enrol, _("Enrolled in the care group."))


@login_required
@require_POST
def care_end(request, pk):
    _reader(request)
    membership = CareMembership.objects.visible_to(request.user).filter(pk=pk).first()
    if membership is None:
        raise Http404
    found = _resident_or_404(request, membership.resident_id)
    form = EndCareForm(request.POST)
    response = _act(
        request,
        found,
        "end",
        form,
        lambda d: services.do_end_care(
            membership=membership, actor=request.user, on=d.get("until"), note=d.get("note") or ""
        ),
        _("The care was ended."),
        end_pk=membership.pk,
    )
    return response


urlpatterns = [
    path("residents/", residents, name="residents"),
    path("residents/export/", residents_export, name="residents_export"),
    path("residents/export/full/", residents_export_full, name="residents_export_full"),
    path("residents/new/", resident_new, name="resident_new"),
    path("residents/<int:pk>/", resident, name="resident"),
    path("residents/<int:pk>/reveal/", resident_reveal, name="resident_reveal"),
    path("residents/<int:pk>/edit/", resident_edit, name="resident_edit"),
    path("residents/<int:pk>/move-out/", resident_move_out, name="resident_move_out"),
    path("residents/<int:pk>/stay/", resident_stay, name="resident_stay"),
    path("residents/<int:pk>/enrol/", resident_enrol, name="resident_enrol"),
    path("care/<int:pk>/end/", care_end, name="care_end"),
    path("houses/", houses, name="houses"),
    path("houses/new/", house_new, name="house_new"),
    path("houses/<int:pk>/", house, name="house"),
    path("houses/<int:pk>/reveal/", house_reveal, name="house_reveal"),
    path("houses/<int:pk>/edit/", house_edit, name="house_edit"),
    path("households/", households, name="households"),
    path("households/new/", household_new, name="household_new"),
    path("households/<int:pk>/", household, name="household"),
    path("households/<int:pk>/edit/", household_edit, name="household_edit"),
    path("groups/", groups, name="groups"),
    path("groups/<slug:code>/", group_members, name="group"),
]
