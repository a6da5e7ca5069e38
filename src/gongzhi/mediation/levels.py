"""Where a dispute is held, and how risky it is: both from rows an administrator edits.

A dispute starts at the lowest level that serves its place — the village or community
committee, then the township's justice office (司法所) or government, then the county's
矛调中心 (its command centre), then a court — and moves up when it is escalated by hand,
when its risk exceeds what its level may hold, or when its time at the level runs out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from gongzhi.accounts.models import Organisation, OrganisationKind
from gongzhi.regions.models import Region, RegionLevel

from .choices import LEVEL_RANK, RISK_RANK, Level, Risk, RiskCondition
from .models import LevelPolicy, RiskRule

# Which kinds of unit hold a dispute at each level, by preference.
HOLDERS = {
    Level.VILLAGE: (OrganisationKind.COMMUNITY,),
    Level.TOWNSHIP: (OrganisationKind.JUSTICE_OFFICE, OrganisationKind.TOWNSHIP),
    Level.COUNTY: (OrganisationKind.COMMAND_CENTRE, OrganisationKind.JUSTICE_OFFICE),
    Level.COURT: (),
}
REGION_OF_LEVEL = {
    Level.VILLAGE: RegionLevel.COMMUNITY,
    Level.TOWNSHIP: RegionLevel.TOWNSHIP,
    Level.COUNTY: RegionLevel.COUNTY,
}
DEFAULT_DAYS = 30


def ancestor(region: Region, level: str) -> Region | None:
    """The region at ``level`` on the way up from ``region`` (itself included)."""
    node = region
    while node is not None and node.level != level:
        node = node.parent
    return node


def holder_at(region: Region, level: str) -> Organisation | None:
    """The unit that holds disputes of ``region`` at ``level``, or None (a court, or no unit)."""
    place = ancestor(region, REGION_OF_LEVEL.get(level, ""))
    if place is None:
        return None
    for kind in HOLDERS[level]:
        unit = (
            Organisation.objects.filter(kind=kind, is_active=True, regions=place)
            .order_by("path")
            .first()
        )
        if unit is not None:
            return unit
    return None


def levels_above(level: str) -> list[str]:
    return [lv.value for lv in Level.ordered() if LEVEL_RANK[lv.value] > LEVEL_RANK[level]]


def policy(level: str) -> LevelPolicy:
    found = LevelPolicy.objects.filter(level=level).first()
    return found or LevelPolicy(level=level, days=DEFAULT_DAYS, max_risk=Risk.MAJOR)


def may_hold(level: str, risk: str) -> bool:
    return RISK_RANK[risk] <= RISK_RANK[policy(level).max_risk]


def first_level(region: Region, risk: str, *, lowest: str = Level.VILLAGE) -> tuple[str, object]:
    """The lowest level from ``lowest`` up that has a unit for the place and may hold the
    risk: (level, holder). A court when nothing below may."""
    for level in [lowest, *levels_above(lowest)]:
        if level == Level.COURT:
            break
        unit = holder_at(region, level)
        if unit is not None and may_hold(level, risk):
            return level, unit
    return Level.COURT, None


def due(level: str, since: datetime) -> datetime | None:
    if level == Level.COURT:
        return None
    return since + timedelta(days=policy(level).days)


# -- risk ---------------------------------------------------------------------------------


def assess(*, text: str, parties, amount=None, is_repeat: bool = False) -> tuple[str, list]:
    """The risk the rules give and their reasons, highest first: (risk, [reason, ...])."""
    found: list[tuple[int, str]] = []
    parties = list(parties)
    for rule in RiskRule.objects.filter(enabled=True):
        if _applies(rule, text, parties, amount, is_repeat):
            found.append((RISK_RANK[rule.risk], rule.reason, rule.risk))
    if not found:
        return Risk.GENERAL, []
    found.sort(key=lambda f: -f[0])
    return found[0][2], [reason for _rank, reason, _risk in found]


def _applies(rule: RiskRule, text, parties, amount, is_repeat) -> bool:
    c = rule.condition
    if c == RiskCondition.WORDS:
        return any(word in text for word in rule.word_list())
    if c == RiskCondition.GROUP:
        return any(p.people >= (rule.threshold or 5) for p in parties)
    if c == RiskCondition.REPEAT:
        return is_repeat
    if c == RiskCondition.VULNERABLE:
        return any(p.is_vulnerable for p in parties)
    if c == RiskCondition.PETITION:
        return any(p.petitions >= (rule.threshold or 1) for p in parties)
    if c == RiskCondition.AMOUNT:
        return amount is not None and amount >= (rule.threshold or 0)
    return False


def higher(a: str, b: str) -> str:
    return a if RISK_RANK[a] >= RISK_RANK[b] else b
