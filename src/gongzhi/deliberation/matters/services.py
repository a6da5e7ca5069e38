"""Major matters (四议两公开): propose, take a step, put on a meeting's agenda, and the two
doors the meetings and topics rooms call when a meeting closes. The only module the pages,
the API, the demo and other rooms call, with keyword-only arguments.

``check_*`` validates and writes nothing; ``do_*`` writes in one transaction, every step
through the workflow engine (``workflow.FLOW``). Errors are ``ServiceError`` (400),
``NotAllowed`` (403), ``NotFound`` (404) or ``Conflict`` (409: a step out of order).
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.regions.models import Region

from .. import members, numbers
from ..choices import ItemOutcome, MatterState, MatterStepKind, MeetingKind, MeetingState
from ..models import Matter, MatterStep, Meeting, Topic
from . import actions
from .workflow import FLOW, RULES

log = logging.getLogger(__name__)
MAX_BUDGET = Decimal("9999999999")
# The kinds of meeting that take a matter's next step, by its state.
NEXT_MEETING = {
    MatterState.PROPOSED: {MeetingKind.COMMITTEES},
    MatterState.DELIBERATED: {MeetingKind.PARTY},
}


# -- proposing ---------------------------------------------------------------------------


def _budget(value, errors) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or amount > MAX_BUDGET:
        errors.append(ServiceError("invalid", _("The budget is not a valid amount."), "budget"))
        return None
    return amount.quantize(Decimal("0.01"))


def _count(value, errors) -> int:
    if value in (None, ""):
        return 0
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = -1
    if not 0 <= n <= actions.MAX_PEOPLE:
        errors.append(
            ServiceError("invalid", _("The number taking part is not valid."), "participant_count")
        )
        return 0
    return n


def _resolved_by(value, region, errors) -> str:
    """The villagers' assembly or representatives; in an urban community, their 居民会议
    counterpart (a village's kind given for a community is taken as its counterpart)."""
    value = value or MeetingKind.VILLAGE_REPRESENTATIVES
    if value not in actions.RESOLVING:
        errors.append(
            ServiceError(
                "invalid",
                _(
                    "A major matter is resolved by the villagers' assembly or their "
                    "representatives."
                ),
                "resolved_by",
            )
        )
        return value
    urban = members.is_urban(region)
    if urban:
        return actions.URBAN.get(value, value)
    rural = {v: k for k, v in actions.URBAN.items()}
    return rural.get(value, value)


def check_propose(
    *,
    actor,
    region,
    title,
    summary,
    resolved_by,
    budget=None,
    topic=None,
    proposer="",
    participants="",
    participant_count=0,
    minutes,
) -> dict:
    """Everything a proposal needs, every problem named at once; returns the clean fields.
    Only the village's Party branch secretary proposes (党组织提议)."""
    if actor is None or not actor.is_authenticated:
        raise NotAllowed("login_required", _("Log in to propose a matter."))
    if region is None:
        raise ServiceError("required", _("Choose the village or community."), "region")
    if not members.is_secretary(actor, region.path):
        raise NotAllowed(
            "not_permitted",
            _("Only the village's Party branch secretary proposes a major matter."),
        )
    errors: list[ServiceError] = []
    title = (title or "").strip()
    if len(title) < 2:
        errors.append(ServiceError("required", _("Give the matter a title."), "title"))
    elif len(title) > 100:
        errors.append(
            ServiceError("too_long", _("The title is too long (at most 100 characters)."), "title")
        )
    summary = (summary or "").strip()
    if len(summary) < 10:
        errors.append(
            ServiceError("required", _("Say what is proposed (at least 10 characters)."), "summary")
        )
    elif len(summary) > 4000:
        errors.append(ServiceError("too_long", _("The proposal is too long."), "summary"))
    minutes = (minutes or "").strip()
    if len(minutes) < 2:
        errors.append(
            ServiceError("required", _("Write the minutes of the branch's proposal."), "minutes")
        )
    elif len(minutes) > 4000:
        errors.append(ServiceError("too_long", _("The minutes are too long."), "minutes"))
    proposer = (proposer or "").strip() or (actor.display_name or actor.username)
    if len(proposer) > 100:
        errors.append(ServiceError("too_long", _("The proposer's name is too long."), "proposer"))
    participants = (participants or "").strip()
    if len(participants) > 2000:
        errors.append(
            ServiceError("too_long", _("The list of who took part is too long."), "participants")
        )
    count = _count(participant_count, errors)
    if not count and participants:
        count = len([p for p in participants.replace("，", "、").split("、") if p.strip()])
    kind = _resolved_by(resolved_by, region, errors)
    amount = _budget(budget, errors)
    if topic is not None:
        if topic.region_id != region.pk:
            errors.append(
                ServiceError("invalid", _("The topic belongs to another village."), "topic")
            )
        elif topic.matter_id is not None:
            errors.append(ServiceError("taken", _("The topic already became a matter."), "topic"))
    if errors:
        raise ServiceError.first_of(errors)
    return {
        "title": title,
        "summary": summary,
        "minutes": minutes,
        "proposer": proposer,
        "participants": participants,
        "participant_count": count,
        "resolved_by": kind,
        "budget": amount,
    }


def do_propose(
    *,
    actor,
    region,
    title,
    summary,
    resolved_by,
    budget=None,
    topic=None,
    proposer="",
    participants="",
    participant_count=0,
    minutes,
    now=None,
) -> Matter:
    """党组织提议: the matter, its first step and its first timeline entry, in one go."""
    clean = check_propose(
        actor=actor,
        region=region,
        title=title,
        summary=summary,
        resolved_by=resolved_by,
        budget=budget,
        topic=topic,
        proposer=proposer,
        participants=participants,
        participant_count=participant_count,
        minutes=minutes,
    )
    now = now or timezone.now()
    with transaction.atomic():
        matter = Matter.objects.create(
            number=numbers.next_number("matter", now=now),
            region=region,
            region_path=region.path,
            title=clean["title"],
            summary=clean["summary"],
            budget=clean["budget"],
            resolved_by=clean["resolved_by"],
            proposed_by=actor,
            state=MatterState.PROPOSED,
        )
        Matter.objects.filter(pk=matter.pk).update(created_at=now)
        actions.propose_step(
            matter,
            actor=actor,
            now=now,
            proposer=clean["proposer"],
            participants=clean["participants"],
            participant_count=clean["participant_count"],
            minutes=clean["minutes"],
        )
        if topic is not None:
            # The topic points at what became of it (the topics room shows the link).
            Topic.objects.filter(pk=topic.pk, matter__isnull=True).update(matter=matter)
        FLOW.record(
            matter, "propose", actor=actor, now=now, before="", note=clean["minutes"][:2000]
        )
    return matter


# -- the table's steps -------------------------------------------------------------------


def get_matter(*, actor, number: str) -> Matter:
    """The matter by its number, if the actor may see it (404 otherwise, as a missing one)."""
    matter = (
        Matter.objects.visible_to(actor)
        .select_related("region", "proposed_by")
        .filter(number=(number or "").strip().upper()[:20])
        .first()
    )
    if matter is None:
        raise NotFound("matter_not_found", _("The matter does not exist."))
    return matter


def allowed_actions(matter, actor) -> list[str]:
    """The steps ``actor`` may take now (the page's forms), in the table's order."""
    if actor is None or not actor.is_authenticated:
        return []
    return FLOW.allowed_actions(matter, actor)


def check_step(*, actor, matter, action: str, expected_state=None) -> None:
    """Whether ``actor`` may take ``action`` now (the table only; the handler checks input)."""
    FLOW.check(matter, action, actor, expected_state=expected_state)


def do_step(*, actor, matter, action: str, expected_state=None, now=None, **params) -> Matter:
    """Take one of the table's steps (deliberate, review, resolve, publish, start,
    publish_result, withdraw) with its params; ``actor`` None is the platform."""
    if action not in RULES:
        raise NotFound("unknown_action", _("There is no such action."))
    params = {k: v for k, v in params.items() if not k.startswith("_")}
    if actor is not None and not Matter.objects.visible_to(actor).filter(pk=matter.pk).exists():
        raise NotFound("matter_not_found", _("The matter does not exist."))
    return FLOW.transition(
        pk=matter.pk, action=action, actor=actor, expected_state=expected_state, now=now, **params
    )


# -- meetings ----------------------------------------------------------------------------


def next_meeting_kinds(matter) -> set[str]:
    """The kinds of meeting that take the matter's next step (none when no meeting does)."""
    if matter.state == MatterState.REVIEWED:
        return actions.resolving_kinds(matter)
    return set(NEXT_MEETING.get(matter.state, ()))


def agenda_meetings(matter, actor):
    """The village's meetings not yet begun where the matter's next step may be taken, for
    the committee to put it on their agenda."""
    kinds = next_meeting_kinds(matter)
    if not kinds or not members.is_committee(actor, matter.region_path):
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(
            region_id=matter.region_id,
            kind__in=kinds,
            state__in=[MeetingState.SCHEDULED, MeetingState.NOTIFIED],
        )
        .exclude(items__matter=matter, items__outcome=ItemOutcome.PENDING)
        .order_by("starts_at", "id")
    )


def held_meetings(matter, action: str):
    """The village's closed meetings that had the matter on their agenda and may record
    ``action`` (review, resolve) for the clerk; for deliberate, its closed joint meetings."""
    kinds = {
        "deliberate": {MeetingKind.COMMITTEES},
        "review": {MeetingKind.PARTY},
        "resolve": actions.resolving_kinds(matter),
    }.get(action)
    if not kinds:
        return Meeting.objects.none()
    qs = Meeting.objects.filter(
        region_id=matter.region_id, kind__in=kinds, state__in=list(actions.HELD)
    )
    if action != "deliberate":
        qs = qs.filter(items__matter=matter)
    return qs.distinct().order_by("-starts_at", "-id")


def do_put_on_agenda(*, actor, matter, meeting):
    """Put the matter on a meeting of its village that takes its next step."""
    from ..meetings import services as meetings

    if meeting is None or not agenda_meetings(matter, actor).filter(pk=meeting.pk).exists():
        if not members.is_committee(actor, matter.region_path):
            raise NotAllowed("not_permitted", _("Only the village's committee sets the agenda."))
        raise ServiceError(
            "wrong_meeting",
            _(
                "Choose a meeting of this village, not yet begun, that takes the matter's next "
                "step."
            ),
            "meeting",
        )
    return meetings.do_add_item(meeting=meeting, actor=actor, matter=matter)


def item_decided(item, *, now) -> None:
    """Called by the meetings room, in the transaction that closes a meeting, for each of
    its agenda items that is a major matter: a Party members' meeting reviews a DELIBERATED
    matter, the resolving kind of meeting resolves a REVIEWED one; the step's figures come
    from the meeting. Passed moves it on, rejected fails it, no quorum leaves a timeline
    note (it may go to another meeting). Anything else is left alone."""
    matter = item.matter
    if matter is None:
        return
    meeting = item.meeting
    matter = Matter.objects.get(pk=matter.pk)
    if meeting.kind == MeetingKind.PARTY and matter.state == MatterState.DELIBERATED:
        action = "review"
    elif meeting.kind in actions.resolving_kinds(matter) and matter.state == MatterState.REVIEWED:
        action = "resolve"
    else:
        return
    if item.outcome not in actions.BRANCH and meeting.quorate is not False:
        return  # discussed without a vote: no step was taken
    try:
        FLOW.transition(
            pk=matter.pk,
            action=action,
            actor=None,
            now=now,
            meeting=meeting,
            _item=item,
            _closing=True,
        )
    except ServiceError:  # the meeting closes all the same; the clerk may record it later
        log.exception("matter %s: the meeting %s could not take its step", matter, meeting)


def do_from_topic(*, item, now) -> Matter:
    """A topic a meeting passed becomes an ordinary decision (``major=False``): RESOLVED, with
    its RESOLVE step from the meeting; it is then published and carried out like a major
    matter. The caller (the topics room) sets ``topic.matter``."""
    topic, meeting = item.topic, item.meeting
    if topic is None:
        raise ServiceError("invalid", _("The agenda item is not a topic."), "item")
    with transaction.atomic():
        matter = Matter.objects.create(
            number=numbers.next_number("matter", now=now),
            region_id=topic.region_id,
            region_path=topic.region_path,
            title=topic.title[:100],
            summary=topic.body,
            major=False,
            resolved_by=meeting.kind,
            proposed_by=item.put_by,
            state=MatterState.RESOLVED,
            resolution=topic.body,
            resolved_at=now,
        )
        Matter.objects.filter(pk=matter.pk).update(created_at=now)
        MatterStep.objects.create(
            matter=matter,
            kind=MatterStepKind.RESOLVE,
            meeting=meeting,
            proposer=(meeting.convened_by.display_name if meeting.convened_by_id else ""),
            participants=_("%(meeting)s: %(present)d of %(eligible)d present")
            % {"meeting": meeting.title, "present": meeting.present, "eligible": meeting.eligible},
            participant_count=meeting.present,
            outcome=item.outcome,
            votes_for=item.votes_for,
            votes_against=item.votes_against,
            votes_abstain=item.votes_abstain,
            minutes=meeting.minutes,
            recorded_by=meeting.minutes_by,
            at=now,
        )
        FLOW.record(
            matter,
            "from_topic",
            actor=None,
            now=now,
            before="",
            note=_("%(meeting)s decided topic %(topic)s.")
            % {"meeting": meeting, "topic": topic.number},
            data={"meeting": meeting.number, "topic": topic.number},
        )
    return matter


def region_for(code_or_pk) -> Region | None:
    """A village or community by its code (the API) or id (the form)."""
    if code_or_pk in (None, ""):
        return None
    qs = Region.objects.only("id", "path", "name", "code")
    if isinstance(code_or_pk, int) or str(code_or_pk).isdigit() and len(str(code_or_pk)) < 10:
        return qs.filter(pk=int(code_or_pk)).first()
    return qs.filter(code=str(code_or_pk)).first()
