"""How a person relates to a case: the second half of each rule in the workflow table."""

from gongzhi.accounts.models import Membership, OrganisationKind, Role
from gongzhi.accounts.roles import memberships_of
from gongzhi.regions.models import GridAssignment


def handling_units(actor) -> tuple[tuple[str, bool], ...]:
    """The units whose cases ``actor`` handles as a handler or a leader: (path, with its
    sub-units). A department, township or community answers for its sub-units too; a
    government's leaders supervise the bureaus under them (they see and urge their cases)
    but do not sign for, return or resolve them. Kept on the user object, like its scope."""
    units = getattr(actor, "_gongzhi_units", None)
    if units is None:
        rows = Membership.objects.filter(
            user=actor, role__in=[Role.HANDLER, Role.LEADER], organisation__is_active=True
        ).values_list("organisation__path", "organisation__kind")
        units = tuple(sorted({(path, kind != OrganisationKind.GOVERNMENT) for path, kind in rows}))
        actor._gongzhi_units = units
    return units


def handles(units, organisation) -> bool:
    if organisation is None:
        return False
    path = organisation.path
    return any(path == p or (subtree and path.startswith(p)) for p, subtree in units)


def _member_of(actor, scope, organisation) -> bool:
    if scope.everything:
        return organisation is not None
    return handles(handling_units(actor), organisation)


def governs(actor, case, scope) -> bool:
    """The command side: governs the place, or belongs to the case's command centre."""
    if case.region_path and scope.governs_region_path(case.region_path):
        return True
    return case.command is not None and scope.covers_organisation_path(case.command.path)


def in_owner(actor, case, scope) -> bool:
    return _member_of(actor, scope, case.owner)


def in_co_handler(actor, case, scope) -> bool:
    return any(
        _member_of(actor, scope, c.organisation)
        for c in case.co_handlers.select_related("organisation")
    )


def grid_worker_of(actor, case, scope) -> bool:
    if case.grid_id and GridAssignment.objects.filter(grid_id=case.grid_id, user=actor).exists():
        return True
    return bool(case.region_path) and scope.governs_region_path(case.region_path)


def reporter(actor, case, scope) -> bool:
    return case.reporter_id is not None and case.reporter_id == actor.pk


def sees(actor, case, scope) -> bool:
    from gongzhi.cases.models import Case

    return Case.objects.visible_to(actor).filter(pk=case.pk).exists()


PREDICATES = {
    f.__name__: f for f in (governs, in_owner, in_co_handler, grid_worker_of, reporter, sees)
}


def holds(name: str, actor, case, scope) -> bool:
    return PREDICATES[name](actor, case, scope)


def acting_organisation(actor, case):
    """The unit on whose behalf a person acted, for the timeline."""
    if actor is None:
        return None
    memberships = memberships_of(actor)
    for candidate in (case.owner, case.command):
        for m in memberships:
            if candidate is not None and candidate.path.startswith(m.organisation.path):
                return m.organisation
    return memberships[0].organisation if memberships else None
