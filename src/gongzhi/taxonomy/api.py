"""Categories for the JSON API (mounted at /api/v1/categories by ``gongzhi.api``).

GET /categories   the enabled categories as a tree in path order (each names its parent),
                  with the owning unit and the SLA each one actually uses (its own or the
                  nearest ancestor's). Reference data: the same for every signed-in caller.
"""

from __future__ import annotations

from ninja import Router, Schema

from gongzhi.core.api import ERRORS

from .models import Category

router = Router(tags=["categories"])


class SlaOut(Schema):
    code: str
    name: str
    sign_for_value: int
    sign_for_unit: str
    resolve_value: int
    resolve_unit: str


class CategoryNode(Schema):
    code: str
    name: str
    full_name: str
    level: int
    parent: str | None
    colour: str
    owner: str | None = None
    owner_name: str | None = None
    sla: SlaOut | None = None


def _sla(policy) -> dict | None:
    if policy is None:
        return None
    return {
        "code": policy.code,
        "name": policy.name,
        "sign_for_value": policy.sign_for_value,
        "sign_for_unit": policy.sign_for_unit,
        "resolve_value": policy.resolve_value,
        "resolve_unit": policy.resolve_unit,
    }


@router.get("", response={200: list[CategoryNode], **ERRORS}, summary="Categories with SLA")
def categories(request):
    """Every enabled category; a child without an owner or SLA of its own inherits its
    parent's, as routing and deadlines do."""
    # All rows, disabled ones too, so that inheritance follows the real parents.
    rows = list(Category.objects.select_related("owner", "sla").order_by("path"))
    codes = {c.pk: c.code for c in rows}
    out: dict[int, dict] = {}
    for c in rows:  # path order: a parent comes before its children
        parent = out.get(c.parent_id, {})
        out[c.pk] = {
            "code": c.code,
            "name": c.name,
            "full_name": c.full_name,
            "level": c.level,
            "parent": codes.get(c.parent_id),
            "colour": c.color,
            "owner": c.owner.code if c.owner_id else parent.get("owner"),
            "owner_name": c.owner.name if c.owner_id else parent.get("owner_name"),
            "sla": _sla(c.sla) if c.sla_id else parent.get("sla"),
            "enabled": c.enabled,  # as intake: a category is offered when it is enabled
        }
    return [row for row in out.values() if row.pop("enabled")]
