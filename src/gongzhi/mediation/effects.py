"""Who hears of each step of a dispute, after its commit: one table."""

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role, User
from gongzhi.notify import services as notify

from . import levels
from .choices import Level, Risk


def _link(dispute) -> str:
    return reverse("mediation:detail", args=[dispute.number])


def _send(dispute, event, recipients, title) -> None:
    recipients = [u for u in recipients if u.pk != event.actor_id]
    if not recipients:
        return
    notify.notify_each(
        [
            notify.Item(
                recipients=recipients,
                kind=f"dispute.{event.action}",
                title=f"{title} · {dispute.number}",
                body=f"{dispute.title}\n{event.note}".strip(),
                link=_link(dispute),
                data={"dispute": dispute.number, "action": event.action, "risk": dispute.risk},
            )
        ]
    )


def _members(unit, *roles):
    if unit is None:
        return []
    return list(
        User.objects.filter(
            is_active=True, memberships__organisation=unit, memberships__role__in=roles
        ).distinct()
    )


def tell_holder(dispute, event):
    titles = {
        "register": _("A dispute was registered with your unit"),
        "escalate": _("A dispute was moved up to your unit"),
    }
    title = titles.get(event.action, _("Dispute update"))
    _send(dispute, event, _members(dispute.holder, Role.MEDIATOR, Role.LEADER), title)


def tell_leaders_of_risk(dispute, event):
    """A major or serious dispute reaches the township's and the county's leaders at once."""
    if dispute.risk not in (Risk.MAJOR, Risk.SERIOUS):
        return
    units = {levels.holder_at(dispute.region, lv) for lv in (Level.TOWNSHIP, Level.COUNTY)}
    people = []
    for unit in units - {None}:
        people += _members(unit, Role.LEADER)
        people += list(notify.organisation_heads(unit))
    label = _("Major-risk dispute") if dispute.risk == Risk.MAJOR else _("Serious-risk dispute")
    _send(dispute, event, list({u.pk: u for u in people}.values()), label)


def tell_mediators(dispute, event):
    people = [dispute.lead_mediator] if dispute.lead_mediator_id else []
    people += list(dispute.helpers.all())
    _send(dispute, event, people, _("You mediate this dispute"))


def tell_the_case(dispute, event):
    """A dispute converted from a case: the case hears how it ended."""
    from .conversion import follow_outcome  # conversion reads services, which read this

    follow_outcome(dispute, event)


TOLD = {
    "register": (tell_holder, tell_leaders_of_risk),
    "escalate": (tell_holder, tell_leaders_of_risk),
    "judge_risk": (tell_leaders_of_risk,),
    "start": (tell_mediators,),
    "recuse": (tell_mediators,),
    "settle": (tell_the_case,),
    "fail": (tell_the_case,),
    "withdraw": (tell_the_case,),
    "decline": (tell_the_case,),
}


def told_for(event) -> tuple:
    return TOLD.get(event.action, ())
