"""Who hears of a meeting's entries, after the commit. The notice itself goes out inside
its step (``actions.announce``: the inbox rows with the step, as the notice law needs a
record of it); here only the platform's reminders to the committee."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from gongzhi.accounts.models import OrganisationKind
from gongzhi.notify import services as notify

from .. import members
from .actions import link


def committee_of(meeting) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation__kind=OrganisationKind.COMMUNITY,
            memberships__organisation__is_active=True,
            memberships__organisation__regions=meeting.region_id,
            memberships__role__in=members.COMMITTEE_ROLES,
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def _tell_committee(title_of):
    def effect(meeting, event) -> None:
        people = [pk for pk in committee_of(meeting) if pk != event.actor_id]
        if people:
            notify.notify(
                recipients=people,
                kind=f"deliberation.meeting_{event.action}",
                title=f"{title_of()} · {meeting.number} {meeting.title}"[:200],
                body=event.note,
                link=link(meeting),
            )

    return effect


notice_due = _tell_committee(lambda: _("The meeting's notice is due today"))
voting_ended = _tell_committee(lambda: _("Voting has ended: close the meeting with its minutes"))

TABLE = {"notice_due": (notice_due,), "voting_ended": (voting_ended,)}


def told_for(event):
    return TABLE.get(event.action, ())
