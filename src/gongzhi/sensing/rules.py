"""A camera's video rules, drawn on its picture by the camera's managers.

``check_rule`` finds every problem in a rule's input at once (a ``ServiceError`` naming the
field); ``do_add_rule`` / ``do_update_rule`` / ``do_delete_rule`` check, then write. Who may:
``access.may_manage`` on the camera's place and owner, the same as changing the camera.
The zone is a polygon of ``[x, y]`` points, each 0..1 of the picture (the watcher's unit).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, ServiceError

from .access import may_manage
from .models import Rule, RuleKind

MIN_POINTS, MAX_POINTS = 3, 20
MAX_SECONDS = 86_400
MAX_PEOPLE = 1000


@dataclass
class RuleIn:
    code: str
    name: str
    kind: str
    # A list of [x, y], or its JSON text as a form sends it.
    zone: object = field(default_factory=list)
    people: object = 1
    seconds: object = 0
    dedup_seconds: object = 60
    category_code: str = ""
    urgent: bool = False
    creates_case_directly: bool = False
    enabled: bool = True


def enabled_categories():
    from gongzhi.taxonomy.models import Category

    return Category.objects.filter(enabled=True).order_by("path")


def check_manages(*, camera, actor) -> None:
    if not may_manage(actor, region_path=camera.region_path, owner_id=camera.owner_id):
        raise NotAllowed("not_allowed", _("You may not change this camera's rules."))


def _zone(value, errors) -> list[list[float]]:
    if isinstance(value, str):
        try:
            value = json.loads(value or "[]")
        except ValueError:
            value = None
    try:
        points = [[float(x), float(y)] for x, y in value]
    except (TypeError, ValueError):
        points = None
    if points is None or not all(math.isfinite(v) and 0 <= v <= 1 for p in points for v in p):
        errors.append(
            ServiceError(
                "invalid_zone",
                _("Give the zone as [x, y] points, each from 0 to 1 of the picture."),
                "zone",
            )
        )
        return []
    if not MIN_POINTS <= len(points) <= MAX_POINTS:
        errors.append(
            ServiceError(
                "invalid_zone",
                _("A zone needs from %(low)d to %(high)d points.")
                % {"low": MIN_POINTS, "high": MAX_POINTS},
                "zone",
            )
        )
    return [[round(x, 4), round(y, 4)] for x, y in points]


def _whole(value, low, high, name, message, errors) -> int:
    if value is None or str(value).strip() == "":
        value = RuleIn.__dataclass_fields__[name].default  # left empty: the default
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        errors.append(ServiceError(f"invalid_{name}", message, name))
        return low
    return number


def check_rule(*, camera, data: RuleIn, actor, rule: Rule | None = None) -> dict:
    """The fields of a new or changed rule on ``camera``, or every problem found."""
    check_manages(camera=camera, actor=actor)
    errors: list[ServiceError] = []
    code = (data.code or "").strip()
    name = (data.name or "").strip()
    if (
        not code
        or len(code) > 40
        or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code)
    ):
        errors.append(
            ServiceError(
                "invalid_code", _("Give a code of letters, digits, - and _ (up to 40)."), "code"
            )
        )
    elif camera.rules.filter(code=code).exclude(pk=rule.pk if rule else None).exists():
        errors.append(
            ServiceError(
                "duplicate_code", _("This camera already has a rule with this code."), "code"
            )
        )
    if not name or len(name) > 60:
        errors.append(ServiceError("invalid_name", _("Give a name (up to 60 characters)."), "name"))
    kind = (data.kind or "").strip()
    if kind not in RuleKind.values:
        errors.append(ServiceError("invalid_kind", _("Choose a kind of rule."), "kind"))
    zone = _zone(data.zone, errors)
    people = _whole(
        data.people,
        1 if kind == RuleKind.CROWD else 0,
        MAX_PEOPLE,
        "people",
        _("A crowd needs at least one person."),
        errors,
    )
    seconds = _whole(
        data.seconds,
        0,
        MAX_SECONDS,
        "seconds",
        _("Give the seconds as a whole number from 0 to 86400."),
        errors,
    )
    dedup = _whole(
        data.dedup_seconds,
        0,
        MAX_SECONDS,
        "dedup_seconds",
        _("Give the seconds as a whole number from 0 to 86400."),
        errors,
    )
    category_code = (data.category_code or "").strip()
    if not enabled_categories().filter(code=category_code).exists():
        errors.append(
            ServiceError(
                "invalid_category", _("Choose a case category that is in use."), "category_code"
            )
        )
    if errors:
        raise ServiceError.first_of(errors)
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "zone": zone,
        "people": max(people, 1),
        "seconds": seconds,
        "dedup_seconds": dedup,
        "category_code": category_code,
        "urgent": bool(data.urgent),
        "creates_case_directly": bool(data.creates_case_directly),
        "enabled": bool(data.enabled),
    }


@transaction.atomic
def do_add_rule(*, camera, data: RuleIn, actor) -> Rule:
    return Rule.objects.create(camera=camera, **check_rule(camera=camera, data=data, actor=actor))


@transaction.atomic
def do_update_rule(*, rule: Rule, data: RuleIn, actor) -> Rule:
    fields = check_rule(camera=rule.camera, data=data, actor=actor, rule=rule)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.save(update_fields=[*fields, "updated_at"])
    return rule


@transaction.atomic
def do_delete_rule(*, rule: Rule, actor) -> None:
    """Deleted outright: its past events keep their ``rule_code`` (the rule is SET_NULL)."""
    check_manages(camera=rule.camera, actor=actor)
    rule.delete()
