"""Who sees which repairs, estates and scores.

A resident sees only their own household's repairs; a property company's staff their
company's estates and repairs; community staff and those above them their area's."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Organisation, OrganisationKind
from gongzhi.community.models import CompanyScore, Estate, RepairRequest
from gongzhi.core.scope import scope_for
from gongzhi.people.members import staff_paths, villager

_REPORTED = gettext_lazy("Reported")


def company_ids(user) -> list[int]:
    """The property companies the user works for."""
    scope = scope_for(user)
    paths = [p.path for p in scope.posts if p.kind == OrganisationKind.PROPERTY_COMPANY]
    if not paths:
        return []
    return list(
        Organisation.objects.filter(
            path__in=paths, kind=OrganisationKind.PROPERTY_COMPANY
        ).values_list("pk", flat=True)
    )


def _paths_q(paths, field="region_path") -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def is_staff(user) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(staff_paths(scope)) or bool(company_ids(user))


def repairs_for(user):
    """The repair requests the user may see."""
    if user is None or not user.is_authenticated:
        return RepairRequest.objects.none()
    scope = scope_for(user)
    qs = RepairRequest.objects.select_related("case", "estate", "company", "case__category")
    if scope.everything:
        return qs
    q = _paths_q(staff_paths(scope))
    companies = company_ids(user)
    if companies:
        q |= Q(company_id__in=companies) | Q(estate__company_id__in=companies)
    me = villager(user)
    if me is not None:
        q |= Q(household_id=me.household_id)
    return qs.filter(q)


def own_repairs(user):
    """Only the user's own household's (the resident's list, even for a staff member)."""
    me = villager(user)
    if me is None:
        return RepairRequest.objects.none()
    return RepairRequest.objects.select_related("case", "estate", "case__category").filter(
        household_id=me.household_id
    )


def estates_for(user):
    """Estates a staff member looks after: their area's, or their company's."""
    scope = scope_for(user)
    qs = Estate.objects.select_related("company", "region").prefetch_related("buildings")
    if scope.everything:
        return qs
    q = _paths_q(staff_paths(scope))
    companies = company_ids(user)
    if companies:
        q |= Q(company_id__in=companies)
    return qs.filter(q)


def home_estate(user):
    """The estate of the user's household's house (by its building), or None."""
    me = villager(user)
    if me is None:
        return None
    from gongzhi.people.models import Household

    building_id = (
        Household.objects.filter(pk=me.household_id)
        .values_list("house__building_id", flat=True)
        .first()
    )
    if building_id is None:
        return None
    return (
        Estate.objects.filter(buildings=building_id, enabled=True)
        .select_related("company")
        .order_by("pk")
        .first()
    )


def area_paths(user) -> tuple[bool, tuple[str, ...]]:
    """Where the user looks at the ranking from: their area as staff, their own
    community as a resident, their company's estates' communities."""
    scope = scope_for(user)
    if scope.everything:
        return True, ()
    paths = set(staff_paths(scope))
    me = villager(user)
    if me is not None:
        paths.add(me.region_path)
    companies = company_ids(user)
    if companies:
        paths.update(
            Estate.objects.filter(company_id__in=companies).values_list("region_path", flat=True)
        )
    return False, tuple(sorted(paths))


def companies_for(user):
    """The property companies serving the viewer's area (those with an estate there)."""
    everything, paths = area_paths(user)
    estates = Estate.objects.filter(company__isnull=False, enabled=True)
    if not everything:
        if not paths:
            return Organisation.objects.none()
        estates = estates.filter(_paths_q(paths))
    return Organisation.objects.filter(
        pk__in=estates.values("company_id"), kind=OrganisationKind.PROPERTY_COMPANY
    ).order_by("name")


def ranking(user, month):
    """The month's scores of the companies serving the viewer's area, best first."""
    return (
        CompanyScore.objects.filter(month=month, company__in=companies_for(user))
        .select_related("company")
        .order_by("-score", "company__name")
    )


def timeline(case) -> list[dict]:
    """The case's public timeline, oldest first (what a reporter sees on the case pages)."""
    from gongzhi.cases.workflow.table import RULES

    events = case.events.filter(is_public=True).select_related("actor_organisation")
    rows = []
    for e in events.order_by("at", "id"):
        rule = RULES.get(e.action)
        rows.append(
            {
                "at": e.at,
                "action": e.action,
                "label": str(rule.label) if rule else str(_REPORTED),
                "to_state": e.to_state,
                "unit": e.actor_organisation.name if e.actor_organisation_id else "",
                "note": e.display_note(),
            }
        )
    return rows
