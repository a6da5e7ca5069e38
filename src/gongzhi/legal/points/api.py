"""The service points and the resident's profile in the JSON API (under /api/v1/legal/).

GET /points              the enabled points: ``level``, ``service``, ``serving`` (a region
                         code: the points serving it), ``mine`` (those serving the caller)
GET /profile             the caller's village and groups
PUT /profile             set them (``region``: a village/community or township code,
                         ``groups``: audience group codes)
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from gongzhi.core.api import ErrorOut
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.regions.models import Region

from ..choices import PointLevel, Service
from ..models import AudienceGroup, ServicePoint
from . import services

router = Router(tags=["legal"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ServicePointOut(Schema):
    code: str
    name: str
    level: str
    region: str
    region_name: str
    address: str
    phone: str
    hours: str
    longitude: float | None
    latitude: float | None
    services: list[str]
    adviser: str | None
    serving_me: bool = False


class PointFilters(Schema):
    level: PointLevel | None = None
    service: Service | None = None
    serving: str | None = None
    mine: bool = False


def _out(p, serving_ids=()) -> dict:
    return {
        "code": p.code,
        "name": p.name,
        "level": p.level,
        "region": p.region.code,
        "region_name": p.region.name,
        "address": p.address,
        "phone": p.phone,
        "hours": p.hours,
        "longitude": p.longitude,
        "latitude": p.latitude,
        "services": list(p.services or []),
        "adviser": p.adviser.display_name if p.adviser_id else None,
        "serving_me": p.pk in serving_ids,
    }


@router.get("/points", response={200: list[ServicePointOut], **ERRORS}, summary="Service points")
def list_points(request, filters: Query[PointFilters]):
    qs = ServicePoint.objects.visible_to(request.user).select_related("region", "adviser")
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.serving:
        region = Region.objects.filter(code=filters.serving).first()
        if region is None:
            raise NotFound("region_not_found", _("No such region."), "serving")
        qs = qs.filter(pk__in=ServicePoint.objects.serving(region.path).values("pk"))
    profile = services.profile_of(request.user)
    serving_ids = set()
    if profile and profile.region_path:
        serving_ids = set(
            ServicePoint.objects.serving(profile.region_path).values_list("pk", flat=True)
        )
    if filters.mine:
        qs = qs.filter(pk__in=serving_ids)
    rows = list(qs.order_by("region_path", "order", "code"))
    if filters.service:
        rows = [p for p in rows if filters.service in (p.services or [])]
    rows.sort(
        key=lambda p: (
            p.pk not in serving_ids,
            services.LEVEL_RANK.get(p.level, 9) if p.pk in serving_ids else 0,
        )
    )
    return [_out(p, serving_ids) for p in rows]


class ProfileOut(Schema):
    region: str | None
    region_name: str | None
    groups: list[str]


class ProfileIn(Schema):
    region: str
    groups: list[str] = []


def _profile_out(profile) -> dict:
    if profile is None:
        return {"region": None, "region_name": None, "groups": []}
    return {
        "region": profile.region.code if profile.region_id else None,
        "region_name": profile.region.name if profile.region_id else None,
        "groups": list(profile.groups.values_list("code", flat=True)),
    }


@router.get("/profile", response={200: ProfileOut, **ERRORS}, summary="My village and groups")
def get_profile(request):
    return _profile_out(services.profile_of(request.user))


@router.put("/profile", response={200: ProfileOut, **ERRORS}, summary="Set my village and groups")
def set_profile(request, payload: ProfileIn):
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise ServiceError("region_not_found", _("No such region."), "region")
    groups = list(AudienceGroup.objects.filter(code__in=payload.groups, enabled=True))
    if len(groups) != len(set(payload.groups)):
        raise ServiceError("group_unknown", _("Choose among the groups listed."), "groups")
    services.do_set_profile(user=request.user, region=region, groups=groups)
    return _profile_out(services.profile_of(request.user))
