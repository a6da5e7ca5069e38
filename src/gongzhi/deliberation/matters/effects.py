"""Who hears of each step of a matter, after its commit: one table. The village's
committee (two committees and the clerk), the township (and county) staff overseeing the
village, and on its resolution the one who proposed it."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import OrganisationKind, Role, User
from gongzhi.notify import services as notify
from gongzhi.regions.models import path_prefixes

from ..members import COMMITTEE_ROLES, OVERSIGHT_KINDS

OVERSIGHT_ROLES = (Role.HANDLER, Role.LEADER, Role.DISPATCHER)


def link(matter) -> str:
    try:
        return reverse("deliberation:matter", args=[matter.number])
    except NoReverseMatch:  # the pages are not mounted
        return ""


def _staff(matter, kinds, roles):
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation__is_active=True,
            memberships__organisation__kind__in=kinds,
            memberships__role__in=roles,
            memberships__organisation__regions__path__in=path_prefixes(matter.region_path),
        ).distinct()
    )


def committee(matter):
    return _staff(matter, [OrganisationKind.COMMUNITY], COMMITTEE_ROLES)


def overseers(matter):
    return _staff(matter, OVERSIGHT_KINDS, OVERSIGHT_ROLES)


def proposer(matter):
    return [matter.proposed_by] if matter.proposed_by_id else []


TITLES = {
    "propose": gettext_lazy("A major matter was proposed"),
    "from_topic": gettext_lazy("A meeting decided a topic"),
    "deliberate": gettext_lazy("The two committees deliberated a matter"),
    "review": gettext_lazy("The Party members reviewed a matter"),
    "resolve": gettext_lazy("A matter was put to the villagers"),
    "publish": gettext_lazy("A resolution was published"),
    "start": gettext_lazy("A resolution is being implemented"),
    "publish_result": gettext_lazy("A matter's result was published"),
    "withdraw": gettext_lazy("A matter was withdrawn"),
}


def _send(matter, event, people) -> None:
    seen, recipients = set(), []
    for user in people:
        if user.pk != event.actor_id and user.pk not in seen:
            seen.add(user.pk)
            recipients.append(user)
    if not recipients:
        return
    title = str(TITLES.get(event.action) or _("Major matter"))
    notify.notify(
        recipients=recipients,
        kind=f"deliberation.matter.{event.action}",
        title=f"{title} · {matter.number} {matter.title}",
        body=(event.note or "")[:500],
        link=link(matter),
        data={"matter": matter.number, "action": event.action, "state": event.to_state},
    )


def tell_committee(matter, event):
    _send(matter, event, committee(matter))


def tell_overseers(matter, event):
    _send(matter, event, overseers(matter))


def tell_proposer(matter, event):
    if event.to_state == "resolved":
        _send(matter, event, proposer(matter))


TOLD = {
    "propose": (tell_committee, tell_overseers),
    "from_topic": (tell_committee,),
    "deliberate": (tell_committee, tell_overseers),
    "review": (tell_committee, tell_overseers),
    "resolve": (tell_committee, tell_overseers, tell_proposer),
    "publish": (tell_committee, tell_overseers),
    "start": (tell_committee,),
    "publish_result": (tell_committee, tell_overseers),
    "withdraw": (tell_committee, tell_overseers),
}


def told_for(event) -> tuple:
    return TOLD.get(event.action, ())
