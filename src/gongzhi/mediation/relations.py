"""How a person relates to a dispute: the second half of each rule in the workflow table."""

from gongzhi.accounts.models import Membership, Role
from gongzhi.accounts.roles import memberships_of

from .models import MEDIATION_ROLES, Dispute


def _units(actor) -> tuple[str, ...]:
    """The paths of the units the actor mediates or leads in, kept on the user object."""
    units = getattr(actor, "_gongzhi_mediation_units", None)
    if units is None:
        units = tuple(
            Membership.objects.filter(
                user=actor,
                role__in=[Role.MEDIATOR, Role.LEADER, Role.DISPATCHER],
                organisation__is_active=True,
            ).values_list("organisation__path", flat=True)
        )
        actor._gongzhi_mediation_units = units
    return units


def holds(actor, dispute: Dispute, scope) -> bool:
    """A mediator, leader or dispatcher of the unit that holds the dispute (or above it)."""
    if dispute.holder is None:
        return False
    path = dispute.holder.path
    return any(path.startswith(unit) for unit in _units(actor))


def mediates(actor, dispute: Dispute, scope) -> bool:
    if dispute.lead_mediator_id == actor.pk:
        return True
    return dispute.helpers.filter(pk=actor.pk).exists()


def serves(actor, dispute: Dispute, scope) -> bool:
    """Works on disputes in the place the dispute arose (a township above its villages)."""
    return bool(scope.roles & MEDIATION_ROLES) and scope.covers_region_path(dispute.region_path)


def registered(actor, dispute: Dispute, scope) -> bool:
    return dispute.registered_by_id == actor.pk


PREDICATES = {f.__name__: f for f in (holds, mediates, serves, registered)}


def acting_organisation(actor, dispute):
    if actor is None:
        return None
    memberships = memberships_of(actor)
    if dispute.holder is not None:
        for m in memberships:
            if dispute.holder.path.startswith(m.organisation.path):
                return m.organisation
    return memberships[0].organisation if memberships else None
