"""Meetings' services (``check_*`` / ``do_*``, keyword-only): the only module other rooms
and the demo import. The steps that move a meeting go through the workflow's table
(``workflow.FLOW``); sign-in, ballots and the show of hands are rows of their own, one per
person (or household) by a unique key under the meeting's lock."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.people.signals import meeting_attended
from gongzhi.regions.models import RegionLevel

from .. import members
from ..choices import ItemOutcome, MeetingKind, MeetingState, SignInMethod, VoteChoice, VotePer
from ..models import AgendaItem, Attendance, Meeting, MeetingRule, Vote
from ..numbers import next_number
from . import queries, relations
from .actions import present_for_decision
from .workflow import FLOW

# States in which a meeting's agenda may still grow.
AGENDA_OPEN = {MeetingState.SCHEDULED, MeetingState.NOTIFIED}
SITTING = {MeetingState.IN_SESSION, MeetingState.VOTING}


def get_meeting(*, actor, number: str) -> Meeting:
    meeting = queries.meeting_for(actor, number)
    if meeting is None:
        raise NotFound("not_found", _("There is no such meeting."))
    return meeting


def rule_for(region, kind: str) -> MeetingRule | None:
    return MeetingRule.objects.filter(
        enabled=True, kind=kind, urban=members.is_urban(region)
    ).first()


def do_schedule(*, actor, region, kind, title, place, starts_at, now=None) -> Meeting:
    """Call a meeting of the village or community (its committee only), by the enabled rule
    of its kind for that kind of place: a 村民会议 is not held in an urban community."""
    now = now or timezone.now()
    if region is None or region.level != RegionLevel.COMMUNITY:
        raise ServiceError("invalid", _("Choose a village or community."), "region")
    if not members.is_committee(actor, region.path):
        raise NotAllowed("not_permitted", _("Only the village's committee calls its meetings."))
    errors = []
    rule = rule_for(region, kind) if kind in MeetingKind.values else None
    if rule is None:
        errors.append(
            ServiceError(
                "wrong_kind",
                _("This kind of meeting is not held in %(place)s.") % {"place": region.name},
                "kind",
            )
        )
    title, place = (title or "").strip(), (place or "").strip()
    for value, field, label in ((title, "title", _("the title")), (place, "place", _("the place"))):
        if not value:
            errors.append(
                ServiceError("required", _("Please fill in %(label)s.") % {"label": label}, field)
            )
        elif len(value) > 100:
            errors.append(
                ServiceError(
                    "too_long",
                    _("%(label)s is too long (at most 100 characters).") % {"label": label},
                    field,
                )
            )
    if not isinstance(starts_at, dt.datetime):
        errors.append(ServiceError("required", _("Please give the day and time."), "starts_at"))
    else:
        if timezone.is_naive(starts_at):
            starts_at = timezone.make_aware(starts_at)
        if starts_at <= now:
            errors.append(
                ServiceError("in_the_past", _("The meeting must start in the future."), "starts_at")
            )
    if errors:
        raise ServiceError.first_of(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            number=next_number("meeting", now=now),
            region=region,
            region_path=region.path,
            kind=kind,
            rule=rule,
            title=title,
            place=place,
            starts_at=starts_at,
            convened_by=actor,
            sign_in_token=secrets.token_urlsafe(32),
        )
        FLOW.record(meeting, "schedule", actor=actor, now=now, note=title)
    return meeting


def do_transition(*, meeting, action: str, actor, expected_state=None, now=None, **params):
    return FLOW.transition(
        pk=meeting.pk,
        action=action,
        actor=actor,
        expected_state=expected_state,
        now=now,
        **params,
    )


def do_send_notice(*, actor, meeting, now=None) -> Meeting:
    return do_transition(meeting=meeting, action="send_notice", actor=actor, now=now)


def do_open(*, actor, meeting, now=None) -> Meeting:
    return do_transition(meeting=meeting, action="open", actor=actor, now=now)


def do_open_voting(*, actor, meeting, minutes=30, now=None) -> Meeting:
    return do_transition(
        meeting=meeting, action="open_voting", actor=actor, now=now, minutes=minutes
    )


def do_close(*, actor, meeting, minutes, now=None) -> Meeting:
    return do_transition(meeting=meeting, action="close", actor=actor, now=now, minutes=minutes)


def do_cancel(*, actor, meeting, reason) -> Meeting:
    return do_transition(meeting=meeting, action="cancel", actor=actor, reason=reason)


def _locked(meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("rule").get(pk=meeting.pk)


def _attendee(actor, meeting, resident, token):
    """(key, standing or None, method): who is signing in and how, or refused."""
    from gongzhi.people.models import Resident

    on = timezone.localdate()
    if token is not None:
        if not secrets.compare_digest(str(token), meeting.sign_in_token):
            raise NotFound("bad_token", _("This sign-in code is not valid for any meeting."))
        v = members.villager(actor)
        if v is not None and v.region_id == meeting.region_id:
            return v.ballot, relations.from_villager(v), SignInMethod.QR
        if relations.staff_may_attend(meeting.rule) and members.is_committee(
            actor, meeting.region_path
        ):
            return f"u{actor.pk}", None, SignInMethod.QR
        raise NotAllowed(
            "not_entitled",
            _("Only residents of %(place)s may sign in at this meeting.")
            % {"place": meeting.region.name},
        )
    if not members.is_committee(actor, meeting.region_path):
        raise NotAllowed("not_permitted", _("Only the village's committee signs people in."))
    if resident is None:
        raise ServiceError("required", _("Choose the resident to sign in."), "resident")
    if not isinstance(resident, Resident):
        resident = Resident.objects.filter(pk=resident).first() if str(resident).isdigit() else None
    if (
        resident is None
        or resident.moved_out is not None
        or resident.region_id != meeting.region_id
    ):
        raise ServiceError(
            "not_in_register",
            _("This person is not in the register of %(place)s.") % {"place": meeting.region.name},
            "resident",
        )
    return f"r{resident.pk}", relations.standing_of(resident, on), SignInMethod.CLERK


def do_sign_in(*, actor, meeting, resident=None, token=None, now=None) -> Attendance:
    """Sign a resident in (the clerk, from the register) or oneself (a villager, with the
    meeting's code from the QR at the door): while the meeting sits, only those its basis
    entitles, once each."""
    key, who, method = _attendee(actor, meeting, resident, token)
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.state not in SITTING:
            raise Conflict("not_in_session", _("Sign-in is open only while the meeting sits."))
        if who is not None and not relations.entitled(meeting.rule, who):
            raise NotAllowed(
                "not_entitled",
                _("Only %(who)s may attend this meeting.")
                % {"who": meeting.rule.get_basis_display()},
                "resident",
            )
        if Attendance.objects.filter(meeting=meeting, key=key).exists():
            raise Conflict("already_signed_in", _("Already signed in at this meeting."))
        household = who.household_id if who is not None else None
        new_household = (
            household is not None
            and not Attendance.objects.filter(meeting=meeting, household_id=household).exists()
        )
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(
                    meeting=meeting,
                    key=key,
                    user=actor if method == SignInMethod.QR else None,
                    resident_id=who.resident_id if who is not None else None,
                    household_id=household,
                    as_representative=bool(who and who.representative),
                    method=method,
                    signed_in_by=actor,
                )
        except IntegrityError:
            raise Conflict("already_signed_in", _("Already signed in at this meeting.")) from None
        Meeting.objects.filter(pk=meeting.pk).update(
            present=F("present") + 1,
            present_households=F("present_households") + (1 if new_household else 0),
        )
        if household is not None:  # the community app awards points (people.signals)
            transaction.on_commit(
                lambda: meeting_attended.send(
                    sender=Attendance,
                    household_id=household,
                    region_id=meeting.region_id,
                    meeting=meeting.number,
                    title=meeting.title,
                    on=timezone.localdate(meeting.starts_at),
                    when=now or attendance.at,
                ),
                robust=True,
            )
    return attendance


def _voting_item(item, now) -> tuple[Meeting, AgendaItem]:
    meeting = _locked(item.meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if meeting.state != MeetingState.VOTING or meeting.voting_opened_at is None:
        raise Conflict("voting_not_open", _("Voting is not open at this meeting."))
    if not item.needs_vote or item.outcome != ItemOutcome.PENDING:
        raise Conflict("not_to_vote", _("This item is not put to a vote."))
    return meeting, item


def do_vote(*, actor, item, choice, now=None) -> Vote:
    """One ballot per person (or household, as the rule says), inside the voting window, by
    someone signed in at the meeting."""
    now = now or timezone.now()
    if choice not in VoteChoice.values:
        raise ServiceError("invalid", _("Choose for, against or abstain."), "choice")
    with transaction.atomic():
        meeting, item = _voting_item(item, now)
        if not meeting.voting_opened_at <= now < meeting.voting_closes_at:
            raise Conflict("voting_closed", _("The voting window is closed."))
        attendance = queries.attendance_of(meeting, actor)
        if attendance is None:
            raise NotAllowed("not_signed_in", _("Only those signed in at the meeting may vote."))
        ballot = attendance.key
        if meeting.rule.vote_per == VotePer.HOUSEHOLD and attendance.household_id:
            ballot = f"h{attendance.household_id}"
        if Vote.objects.filter(item=item, ballot=ballot).exists():
            raise Conflict("already_voted", _("This vote has already been cast."))
        try:
            with transaction.atomic():
                vote = Vote.objects.create(item=item, ballot=ballot, user=actor, choice=choice)
        except IntegrityError:
            raise Conflict("already_voted", _("This vote has already been cast.")) from None
        column = {"for": "votes_for", "against": "votes_against", "abstain": "votes_abstain"}[
            choice
        ]
        AgendaItem.objects.filter(pk=item.pk).update(**{column: F(column) + 1})
    return vote


def _count(value, field) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = -1
    if n < 0:
        raise ServiceError("invalid", _("Give a whole number, 0 or more."), field)
    return n


def do_count_hands(*, actor, item, votes_for, votes_against, votes_abstain, now=None) -> AgendaItem:
    """The clerk records a show of hands on an item nobody voted on by phone; the totals
    cannot exceed those present."""
    counts = {
        "votes_for": _count(votes_for, "votes_for"),
        "votes_against": _count(votes_against, "votes_against"),
        "votes_abstain": _count(votes_abstain, "votes_abstain"),
    }
    if not members.is_committee(actor, item.meeting.region_path):
        raise NotAllowed("not_permitted", _("Only the village's committee counts the hands."))
    with transaction.atomic():
        meeting, item = _voting_item(item, now)
        present = present_for_decision(meeting)
        if sum(counts.values()) > present:
            raise ServiceError(
                "too_many",
                _("The hands counted (%(n)d) exceed those present (%(present)d).")
                % {"n": sum(counts.values()), "present": present},
                "votes_for",
            )
        if item.votes.exists():
            raise Conflict("ballots_cast", _("Ballots were cast on this item: they are the count."))
        AgendaItem.objects.filter(pk=item.pk).update(**counts)
        FLOW.record(meeting, "count_hands", actor=actor, now=now, note=item.title, data=counts)
        item.refresh_from_db()
    return item


def do_add_item(
    *, meeting: Meeting, actor, title: str = "", topic=None, matter=None, needs_vote: bool = True
) -> AgendaItem:
    """Put a topic, a major matter or a plain question on a meeting's agenda (the village's
    committee only; before the meeting opens; the same village; not twice while pending)."""
    if not members.is_committee(actor, meeting.region_path):
        raise NotAllowed("not_permitted", _("Only the village's committee sets the agenda."))
    subject = topic or matter
    title = (title or (subject.title if subject is not None else "")).strip()
    if not title:
        raise ServiceError("required", _("Please give the item a title."), "title")
    if len(title) > 120:
        raise ServiceError("too_long", _("The item's title is too long."), "title")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.state not in AGENDA_OPEN:
            raise Conflict(
                "agenda_closed", _("The meeting has begun: its agenda can no longer change.")
            )
        if subject is not None and subject.region_id != meeting.region_id:
            raise ServiceError(
                "other_village", _("The item belongs to another village or community."), "meeting"
            )
        pending = AgendaItem.objects.filter(
            outcome=ItemOutcome.PENDING, meeting__state__in=AGENDA_OPEN
        )
        if topic is not None and pending.filter(topic=topic).exists():
            raise Conflict("already_on_agenda", _("This topic is already on an agenda."))
        if matter is not None and pending.filter(matter=matter, meeting=meeting).exists():
            raise Conflict("already_on_agenda", _("This matter is already on this agenda."))
        order = (meeting.items.aggregate(m=Max("order"))["m"] or 0) + 1
        return AgendaItem.objects.create(
            meeting=meeting,
            order=order,
            title=title,
            topic=topic,
            matter=matter,
            put_by=actor,
            needs_vote=needs_vote,
        )
