"""Organisations for the JSON API (mounted at /api/v1/organisations by ``gongzhi.api``).

GET /organisations   the units the caller may see (``Organisation.objects.visible_to``), in
                     tree order, each naming its parent and the regions it serves.
"""

from typing import Literal

from django.db.models import Prefetch, Q
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api import ERRORS, Pages
from gongzhi.regions.models import Region

from .models import Organisation, OrganisationKind

router = Router(tags=["organisations"])

Kind = Literal[tuple(OrganisationKind.values)]  # type: ignore[valid-type]


class OrganisationOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    function: str
    parent: str | None
    phone: str = Field(description="the unit's duty phone (not personal data)")
    is_active: bool
    regions: list[str] = Field(description="codes of the regions it serves")

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_regions(obj) -> list[str]:
        return [r.code for r in obj.regions.all()]


class OrganisationFilter(Schema):
    kind: Kind | None = None
    function: str | None = Field(None, max_length=20)
    region: str | None = Field(None, max_length=12, description="serves this region")
    q: str | None = Field(None, max_length=60, description="part of the name or code")
    active: bool | None = None


@router.get("", response={200: list[OrganisationOut], **ERRORS}, summary="Organisations")
@paginate(Pages)
def organisations(request, filters: Query[OrganisationFilter]):
    rows = Organisation.objects.visible_to(request.user)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.function:
        rows = rows.filter(function=filters.function.strip())
    if filters.region:
        rows = rows.filter(regions__code=filters.region.strip())
    if filters.q:
        text = filters.q.strip()
        rows = rows.filter(
            Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__startswith=text)
        )
    if filters.active is not None:
        rows = rows.filter(is_active=filters.active)
    return (
        rows.select_related("parent")
        .prefetch_related(Prefetch("regions", queryset=Region.objects.only("code")))
        .order_by("path")
    )
