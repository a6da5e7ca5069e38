"""What each step of 四议两公开 does to a matter, after the table allowed it.

Each handler validates its input (ServiceError with a message for the user), writes the
step's ``MatterStep`` (once: the unique (matter, kind) pair), changes the matter's fields
(never ``state``: the engine takes it from the table) and says which branch it took. A
refused step changes nothing: the engine's transaction is rolled back.
"""

from __future__ import annotations

import functools

from django.utils.translation import gettext as _

from gongzhi.core.errors import ServiceError
from gongzhi.core.workflow import Outcome, text_param

from ..choices import ItemOutcome, MatterStepKind, MeetingKind, MeetingState
from ..models import AgendaItem, MatterStep, Meeting

_text = functools.partial(text_param, max_length=4000)
MAX_PEOPLE = 500
# A meeting counts as held once it is closed, or closed for want of a quorum.
HELD = {MeetingState.CLOSED, MeetingState.INQUORATE}
URBAN = {
    MeetingKind.VILLAGE_ASSEMBLY: MeetingKind.RESIDENT_ASSEMBLY,
    MeetingKind.VILLAGE_REPRESENTATIVES: MeetingKind.RESIDENT_REPRESENTATIVES,
}
RESOLVING = {*URBAN, *URBAN.values()}
BRANCH = {
    ItemOutcome.PASSED: "passed",
    ItemOutcome.REJECTED: "rejected",
    ItemOutcome.NO_QUORUM: "no_quorum",
}


def resolving_kinds(matter) -> set[str]:
    """The meeting kinds that may resolve this matter: its own, or its urban counterpart."""
    kinds = {matter.resolved_by}
    for rural, urban in URBAN.items():
        if matter.resolved_by in (rural, urban):
            kinds |= {rural, urban}
    return kinds


def _count(params, key: str) -> int:
    raw = params.get(key)
    if raw in (None, ""):
        return 0
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= MAX_PEOPLE:
        raise ServiceError(
            "invalid", _("Give a number between 0 and %(n)d.") % {"n": MAX_PEOPLE}, key
        )
    return value


def _meeting(params, matter, *, kinds, required: bool, label) -> Meeting | None:
    """The closed meeting of the matter's village the step was taken at."""
    meeting = params.get("meeting")
    if meeting in (None, ""):
        if required:
            raise ServiceError(
                "required",
                _("Choose the meeting where %(step)s took place.") % {"step": label},
                "meeting",
            )
        return None
    if not isinstance(meeting, Meeting):
        try:
            meeting = Meeting.objects.filter(pk=int(meeting)).first()
        except (TypeError, ValueError):
            meeting = None
    if meeting is None or meeting.region_id != matter.region_id:
        raise ServiceError("invalid", _("There is no such meeting in this village."), "meeting")
    if meeting.kind not in kinds:
        raise ServiceError(
            "wrong_meeting",
            _("“%(meeting)s” is not a meeting that may take this step.") % {"meeting": meeting},
            "meeting",
        )
    # The meetings room calls in the transaction closing the meeting, before it is saved.
    if meeting.state not in HELD and not params.get("_closing"):
        raise ServiceError(
            "meeting_open",
            _("The meeting has not closed yet: record the step once it has."),
            "meeting",
        )
    return meeting


def _step(matter, kind, *, actor, now, **fields) -> MatterStep:
    if MatterStep.objects.filter(matter=matter, kind=kind).exists():
        raise ServiceError("step_taken", _("This step has already been recorded."))
    return MatterStep.objects.create(matter=matter, kind=kind, recorded_by=actor, at=now, **fields)


def propose_step(matter, *, actor, now, proposer, participants, participant_count, minutes):
    """The first step, written with the matter (``services.do_propose``)."""
    return _step(
        matter,
        MatterStepKind.PROPOSE,
        actor=actor,
        now=now,
        proposer=proposer,
        participants=participants,
        participant_count=participant_count,
        minutes=minutes,
    )


def deliberate(*, matter, actor, now, params) -> Outcome:
    """两委会商议: the committee records who took part, the outcome and the minutes; optionally
    the joint committees meeting it was taken at."""
    outcome = params.get("outcome") or ItemOutcome.PASSED
    if outcome not in (ItemOutcome.PASSED, ItemOutcome.REJECTED):
        raise ServiceError("invalid", _("Say whether the two committees agreed."), "outcome")
    meeting = _meeting(
        params,
        matter,
        kinds={MeetingKind.COMMITTEES},
        required=False,
        label=MatterStepKind.DELIBERATE.label,
    )
    participants = _text(params, "participants", label=_("who took part"), max_length=2000)
    count = _count(params, "participant_count") or len(
        [p for p in participants.replace("，", "、").replace(",", "、").split("、") if p.strip()]
    )
    minutes = _text(params, "minutes", label=_("the minutes"))
    _step(
        matter,
        MatterStepKind.DELIBERATE,
        actor=actor,
        now=now,
        meeting=meeting,
        proposer=_text(
            params, "proposer", label=_("who presented it"), required=False, max_length=100
        ),
        participants=participants,
        participant_count=count,
        outcome=outcome,
        votes_for=_count(params, "votes_for"),
        votes_against=_count(params, "votes_against"),
        votes_abstain=_count(params, "votes_abstain"),
        minutes=minutes,
    )
    return Outcome(
        note=minutes, data={"outcome": outcome, "participants": count}, branch=BRANCH[outcome]
    )


def _from_meeting(matter, kind, *, actor, now, params, kinds, extra=None) -> Outcome:
    """A step a meeting took (党员大会审议, 村民(代表)会议决议): its figures from the meeting's
    agenda item for this matter; a meeting without a quorum leaves the matter where it was."""
    label = MatterStepKind(kind).label
    meeting = _meeting(params, matter, kinds=kinds, required=True, label=label)
    item = params.get("_item") or (
        AgendaItem.objects.filter(meeting=meeting, matter=matter).order_by("-decided_at").first()
    )
    if item is None:
        raise ServiceError(
            "not_on_agenda", _("This matter was not on that meeting's agenda."), "meeting"
        )
    outcome = item.outcome
    if outcome not in BRANCH:
        if meeting.quorate is False:
            outcome = ItemOutcome.NO_QUORUM
        else:
            raise ServiceError(
                "not_decided", _("The meeting did not vote on this matter."), "meeting"
            )
    data = {
        "meeting": meeting.number,
        "outcome": outcome,
        "present": meeting.present,
        "for": item.votes_for,
        "against": item.votes_against,
        "abstain": item.votes_abstain,
    }
    if outcome == ItemOutcome.NO_QUORUM:
        note = _(
            "%(meeting)s had no quorum (%(present)d present): the matter waits for another meeting."
        ) % {"meeting": meeting, "present": meeting.present}
        return Outcome(note=note, data=data, branch="no_quorum")
    minutes = meeting.minutes or _text(params, "minutes", label=_("the minutes"), required=False)
    _step(
        matter,
        kind,
        actor=actor,
        now=now,
        meeting=meeting,
        proposer=(meeting.convened_by.display_name if meeting.convened_by_id else ""),
        participants=_("%(meeting)s: %(present)d of %(eligible)d present")
        % {"meeting": meeting.title, "present": meeting.present, "eligible": meeting.eligible},
        participant_count=meeting.present,
        outcome=outcome,
        votes_for=item.votes_for,
        votes_against=item.votes_against,
        votes_abstain=item.votes_abstain,
        minutes=minutes,
    )
    if extra is not None and outcome == ItemOutcome.PASSED:
        extra(meeting)
    note = _("%(meeting)s: %(for)d for, %(against)d against, %(abstain)d abstained.") % {
        "meeting": meeting,
        "for": item.votes_for,
        "against": item.votes_against,
        "abstain": item.votes_abstain,
    }
    return Outcome(note=note, data=data, branch=BRANCH[outcome])


def review(*, matter, actor, now, params) -> Outcome:
    """党员大会审议: only from a closed Party members' meeting whose agenda had this matter."""
    return _from_meeting(
        matter,
        MatterStepKind.REVIEW,
        actor=actor,
        now=now,
        params=params,
        kinds={MeetingKind.PARTY},
    )


def resolve(*, matter, actor, now, params) -> Outcome:
    """村民会议或村民代表会议决议 (居民会议 in a community): from a closed meeting of the kind the
    matter names; the resolution is the meeting's decision on it."""

    def resolved(meeting):
        text = _text(params, "resolution", label=_("the resolution"), required=False)
        matter.resolution = text or matter.summary
        matter.resolved_at = meeting.closed_at or now

    return _from_meeting(
        matter,
        MatterStepKind.RESOLVE,
        actor=actor,
        now=now,
        params=params,
        kinds=resolving_kinds(matter),
        extra=resolved,
    )


def publish(*, matter, actor, now, params) -> Outcome:
    """决议公开: the openness room publishes it for its period and tells every household."""
    from ..openness import services as openness

    publication = openness.create_publication(
        matter=matter, kind="resolution", params=params, actor=actor, now=now
    )
    text = str(getattr(publication, "text", "") or params.get("text") or "")
    _step(matter, MatterStepKind.PUBLISH, actor=actor, now=now, minutes=text)
    return Outcome(note=text[:500], data={"publication": getattr(publication, "pk", None)})


def start(*, matter, actor, now, params) -> Outcome:
    """Implementation begins (the clerk, or the platform when the first one is added)."""
    return Outcome(note=_text(params, "note", label=_("a note"), required=False))


def publish_result(*, matter, actor, now, params) -> Outcome:
    """实施结果公开: only once every implementation is completed or stopped."""
    from ..openness import services as openness

    openness.check_result_ready(matter)
    publication = openness.create_publication(
        matter=matter, kind="result", params=params, actor=actor, now=now
    )
    text = str(getattr(publication, "text", "") or params.get("text") or "")
    _step(matter, MatterStepKind.RESULT, actor=actor, now=now, minutes=text)
    matter.done_at = now
    return Outcome(note=text[:500], data={"publication": getattr(publication, "pk", None)})


def withdraw(*, matter, actor, now, params) -> Outcome:
    reason = _text(params, "reason", label=_("the reason"), max_length=1000)
    return Outcome(note=reason)
