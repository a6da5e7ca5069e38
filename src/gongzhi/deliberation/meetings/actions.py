"""What each step of a meeting does, after the workflow's table allowed it. A handler
validates (raising ServiceError with a message for the user), changes the meeting's fields
(never ``state``) and says what the timeline keeps; a refused step changes nothing."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, ServiceError
from gongzhi.core.workflow import Outcome, text_param
from gongzhi.notify import services as notify

from .. import members, notices
from ..choices import ItemOutcome, QuorumBasis, VotePer
from . import queries
from .quorum import passes, quorum

EARLY_OPENING = dt.timedelta(hours=1)
# Meetings told to every household; the others are told to those who hold the offices.
HOUSEHOLD_BASES = {QuorumBasis.ADULTS, QuorumBasis.HOUSEHOLDS, QuorumBasis.NONE}
MAX_VOTING_MINUTES = 240


def link(meeting) -> str:
    try:
        return reverse("deliberation:meeting", args=[meeting.number])
    except NoReverseMatch:  # the pages are not mounted
        return ""


def _office_holders(meeting) -> list[int]:
    """The accounts of the residents whose offices the meeting's basis counts (their verified
    ID number), and for the two committees the committee's own staff."""
    from gongzhi.accounts.models import OrganisationKind
    from gongzhi.people.models import Office

    kinds = {
        QuorumBasis.REPRESENTATIVES: {"representative"},
        QuorumBasis.PARTY_MEMBERS: set(members.PARTY),
        QuorumBasis.COMMITTEE: set(members.COMMITTEE),
    }.get(meeting.rule.basis, set())
    numbers = [
        n.upper()
        for n in Office.objects.current()
        .filter(region_id=meeting.region_id, kind__in=kinds, resident__moved_out__isnull=True)
        .values_list("resident__id_number", flat=True)
        if n
    ]
    users = get_user_model().objects.filter(is_active=True)
    pks = set(users.filter(id_number__in=numbers).values_list("pk", flat=True))
    if meeting.rule.basis == QuorumBasis.COMMITTEE:
        pks |= set(
            users.filter(
                memberships__organisation__kind=OrganisationKind.COMMUNITY,
                memberships__organisation__regions=meeting.region_id,
                memberships__role__in=members.COMMITTEE_ROLES,
            ).values_list("pk", flat=True)
        )
    return sorted(pks)


def announce(meeting, *, kind: str, title: str, body: str) -> int:
    """Tell those the meeting is for, inside the step's transaction: every household for an
    assembly or a hall session, the office holders for the others. Returns how many
    households (or, for office holders, people) were told."""
    if meeting.rule.basis in HOUSEHOLD_BASES:
        return notices.tell_households(
            region_id=meeting.region_id, kind=kind, title=title, body=body, link=link(meeting)
        )
    people = _office_holders(meeting)
    if people:
        notify.notify(recipients=people, kind=kind, title=title, body=body, link=link(meeting))
    return len(people)


def _when(meeting) -> str:
    return timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")


def send_notice(*, meeting, actor, now, params) -> Outcome:
    """The notice reaches those entitled at least ``notice_days`` days before (村民委员会组织法
    art. 21: ten days for a 村民会议)."""
    last_day = meeting.starts_at - dt.timedelta(days=meeting.rule.notice_days)
    if now > last_day:
        raise ServiceError(
            "too_late",
            _(
                "The notice must be given at least %(days)d days before the meeting "
                "(%(law)s). Schedule the meeting for a later day."
            )
            % {"days": meeting.rule.notice_days, "law": meeting.rule.law or meeting.rule.name},
            "starts_at",
        )
    items = "; ".join(i.title for i in meeting.items.order_by("order", "id"))
    body = _("%(when)s at %(place)s.") % {"when": _when(meeting), "place": meeting.place}
    if items:
        body = f"{body} {_('Agenda')}: {items}"
    told = announce(
        meeting,
        kind="deliberation.meeting_notice",
        title=_("Notice of a meeting: %(title)s") % {"title": meeting.title},
        body=body,
    )
    meeting.notice_sent_at = now
    meeting.households_notified = told
    return Outcome(note=body, data={"told": told})


def counts_at_opening(meeting) -> members.Counts:
    """The register as the session opened (fixed then): the meeting's basis and households."""
    basis = meeting.rule.basis
    figures = {"households": meeting.eligible_households}
    if basis not in (QuorumBasis.NONE, QuorumBasis.HOUSEHOLDS):
        figures[basis] = meeting.eligible
    return members.Counts(
        households=figures["households"],
        adults=figures.get("adults", 0),
        representatives=figures.get("representatives", 0),
        party_members=figures.get("party_members", 0),
        committee=figures.get("committee", 0),
    )


def open_(*, meeting, actor, now, params) -> Outcome:
    if now < meeting.starts_at - EARLY_OPENING:
        raise ServiceError(
            "too_early",
            _("The meeting may be opened at most an hour before it starts (%(when)s).")
            % {"when": _when(meeting)},
        )
    counts = members.register_counts(meeting.region_id, on=timezone.localdate(now))
    basis = meeting.rule.basis
    meeting.eligible = counts.adults if basis == QuorumBasis.NONE else counts.of(basis)
    meeting.eligible_households = counts.households
    meeting.opened_at = now
    _ok, needed, note = quorum(
        meeting.rule, counts_at_opening(meeting), members.Counts(0, 0, 0, 0, 0)
    )
    meeting.quorum_needed = needed
    meeting.quorum_note = note[:200]
    return Outcome(
        note=note,
        data={"eligible": meeting.eligible, "households": meeting.eligible_households},
    )


def check_quorum(meeting, now) -> tuple[bool, int, str]:
    present = queries.present_counts(meeting, on=timezone.localdate(now))
    return quorum(meeting.rule, counts_at_opening(meeting), present)


def open_voting(*, meeting, actor, now, params) -> Outcome:
    try:
        minutes = int(params.get("minutes") or 30)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= MAX_VOTING_MINUTES:
        raise ServiceError(
            "invalid",
            _("Keep the voting open between 1 and %(n)d minutes.") % {"n": MAX_VOTING_MINUTES},
            "minutes",
        )
    ok, needed, note = check_quorum(meeting, now)
    if not ok:
        raise Conflict(
            "no_quorum",
            _("No quorum: %(present)d present, %(needed)d needed. %(note)s")
            % {"present": meeting.present, "needed": needed, "note": note},
        )
    meeting.quorate = True
    meeting.quorum_needed = needed
    meeting.quorum_note = note[:200]
    meeting.voting_opened_at = now
    meeting.voting_closes_at = now + dt.timedelta(minutes=minutes)
    return Outcome(note=note, data={"present": meeting.present, "minutes": minutes})


def present_for_decision(meeting) -> int:
    """Those the decision's majority is taken of: the people present, or the households
    present where each household has one vote."""
    if meeting.rule.vote_per == VotePer.HOUSEHOLD:
        return meeting.present_households
    return meeting.present


def _item_decided(item, now) -> None:
    from ..matters import services as matters
    from ..topics import services as topics

    if item.topic_id:
        topics.item_decided(item, now=now)
    if item.matter_id:
        matters.item_decided(item, now=now)


def close(*, meeting, actor, now, params) -> Outcome:
    """Record the minutes and each item's outcome; a session that never reached its quorum
    closes inquorate, its items undecided."""
    minutes = text_param(params, "minutes", label=_("the minutes"), max_length=20000)
    items = list(meeting.items.select_for_update().order_by("order", "id"))
    if meeting.voting_opened_at is None:
        ok, needed, note = check_quorum(meeting, now)
        meeting.quorum_needed, meeting.quorum_note = needed, note[:200]
        if ok and any(i.needs_vote for i in items):
            raise Conflict(
                "vote_first",
                _("The meeting is quorate and items await a vote: open the voting first."),
            )
        meeting.quorate = ok
        branch = "closed" if ok else "inquorate"
    else:
        branch = "closed"
    present = present_for_decision(meeting)
    results = {}
    for item in items:
        if item.outcome != ItemOutcome.PENDING:
            continue
        if branch == "inquorate":
            item.outcome = ItemOutcome.NO_QUORUM
        elif not item.needs_vote:
            item.outcome = ItemOutcome.DISCUSSED
        elif passes(meeting.rule, item.votes_for, present):
            item.outcome = ItemOutcome.PASSED
        else:
            item.outcome = ItemOutcome.REJECTED
        item.decided_at = now
        item.save(update_fields=["outcome", "decided_at"])
        item.meeting = meeting
        results[str(item.pk)] = item.outcome
    meeting.minutes = minutes
    meeting.minutes_by = actor
    meeting.closed_at = now
    for item in items:
        if str(item.pk) in results:
            _item_decided(item, now)
    return Outcome(note=minutes[:500], data={"items": results, "present": present}, branch=branch)


def cancel(*, meeting, actor, now, params) -> Outcome:
    reason = text_param(params, "reason", label=_("the reason"), max_length=500)
    if meeting.notice_sent_at is not None:
        announce(
            meeting,
            kind="deliberation.meeting_cancelled",
            title=_("Meeting cancelled: %(title)s") % {"title": meeting.title},
            body=reason,
        )
    return Outcome(note=reason)
