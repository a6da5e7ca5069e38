"""Economic hardship (法律援助法 arts. 32, 41, 42): which exemption rules an application
meets, read from what it says (flags ticked, the matter type, the age from the ID number),
and the applicant's stated income against the county's standard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from gongzhi.regions.models import path_prefixes

from ..models.aid import ExemptionRule, IncomeStandard
from .choices import Hardship


def birth_date(id_number: str) -> dt.date | None:
    value = (id_number or "").strip()
    if len(value) != 18:
        return None
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def age_on(id_number: str, day: dt.date) -> int | None:
    born = birth_date(id_number)
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def rule_applies(rule: ExemptionRule, *, flags, matter_code, age, type_codes=None) -> bool:
    """Every condition the rule names holds (a rule with none never applies)."""
    types = set(
        type_codes if type_codes is not None else rule.matter_types.values_list("code", flat=True)
    )
    named = bool(rule.flags) or bool(types) or rule.min_age is not None or rule.max_age is not None
    if not named:
        return False
    if not set(rule.flags) <= set(flags):
        return False
    if types and matter_code not in types:
        return False
    if rule.min_age is not None and (age is None or age < rule.min_age):
        return False
    if rule.max_age is not None and (age is None or age > rule.max_age):
        return False
    return True


def recognise(*, flags, matter_type, id_number: str, on: dt.date) -> list[ExemptionRule]:
    """The enabled exemption rules the application meets, in the rules' order."""
    age = age_on(id_number, on)
    code = matter_type.code if matter_type is not None else None
    rules = ExemptionRule.objects.filter(enabled=True).prefetch_related("matter_types")
    return [
        r
        for r in rules
        if rule_applies(
            r,
            flags=flags or [],
            matter_code=code,
            age=age,
            type_codes=[t.code for t in r.matter_types.all()],
        )
    ]


def standard_for(region_path: str) -> IncomeStandard | None:
    """The income standard of the county holding the place (the nearest row above it)."""
    prefixes = path_prefixes(region_path)
    rows = {s.region_path: s for s in IncomeStandard.objects.filter(region_path__in=prefixes)}
    for prefix in reversed(prefixes):
        if prefix in rows:
            return rows[prefix]
    return None


@dataclass
class HardshipCheck:
    result: str
    standard: Decimal | None
    exemptions: list[str]
    reasons: list[str]


def check(
    *, region_path, flags, matter_type, id_number, income: Decimal | None, on: dt.date
) -> HardshipCheck:
    """The hardship check of an application: exempt if a rule applies; otherwise the income
    per head against the county's standard (no standard: unknown, left to the reviewer)."""
    rules = recognise(flags=flags, matter_type=matter_type, id_number=id_number, on=on)
    standard = standard_for(region_path)
    amount = standard.yuan_per_person_month if standard else None
    if rules:
        result = Hardship.EXEMPT
    elif amount is None or income is None:
        result = Hardship.UNKNOWN
    elif Decimal(income) <= amount:
        result = Hardship.MEETS
    else:
        result = Hardship.EXCEEDS
    return HardshipCheck(result, amount, [r.code for r in rules], [r.reason for r in rules])
