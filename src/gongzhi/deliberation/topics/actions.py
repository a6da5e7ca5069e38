"""What each step of a topic's table does (its handler): validate the step's input and
change the topic's fields, never its state (the table names the next state)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import workdays
from gongzhi.core.errors import Conflict, ServiceError
from gongzhi.core.workflow import Outcome, text_param

from ..choices import ItemOutcome, MeetingState

MIN_ANSWER = 10
REFER_TO = ("case", "dispute")
LIVE_MEETING = (
    MeetingState.SCHEDULED,
    MeetingState.NOTIFIED,
    MeetingState.IN_SESSION,
    MeetingState.VOTING,
)


def checked_only(**kwargs) -> Outcome:
    """Support and comment are in the table for who may do them and when; they move no
    state and write no timeline entry (``services`` checks them against the table)."""
    raise RuntimeError("support and comment are checked against the table, not taken as steps")


def threshold(*, topic, actor, now, params) -> Outcome:
    """The platform's step: enough households support it, the answer's clock starts."""
    topic.threshold_reached_at = now
    topic.answer_due = workdays.add_working_days(now, topic.answer_days)
    return Outcome(
        note=_("%(n)d households support it: it must be put on an agenda or answered by %(due)s.")
        % {"n": topic.households_count, "due": timezone.localtime(topic.answer_due).date()},
        data={"households": topic.households_count, "answer_due": topic.answer_due.isoformat()},
    )


def put_on_agenda(*, topic, actor, now, params) -> Outcome:
    from ..meetings.services import do_add_item

    meeting = params.get("meeting")
    if meeting is None:
        raise ServiceError("required", _("Choose the meeting."), "meeting")
    item = do_add_item(meeting=meeting, actor=actor, topic=topic)
    topic._agenda_item = item  # the service returns it
    when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    return Outcome(
        note=_("On the agenda of %(meeting)s (%(when)s).")
        % {"meeting": meeting.title, "when": when},
        data={"meeting": meeting.number, "item": item.pk},
    )


def answer(*, topic, actor, now, params) -> Outcome:
    text = text_param(params, "answer", label=_("the answer"), max_length=4000)
    if len(text) < MIN_ANSWER:
        raise ServiceError(
            "too_short",
            _("Give the reason in at least %(n)d characters.") % {"n": MIN_ANSWER},
            "answer",
        )
    topic.answer, topic.answered_at, topic.answered_by = text, now, actor
    return Outcome(note=text)


def withdraw(*, topic, actor, now, params) -> Outcome:
    return Outcome(note=_("Withdrawn by the person who raised it."))


def hide_comment(*, topic, actor, now, params) -> Outcome:
    comment = params.get("comment")
    if comment is None or comment.topic_id != topic.pk:
        raise ServiceError("not_found", _("There is no such comment."), "comment")
    reason = text_param(params, "reason", label=_("the reason"), max_length=200)
    if comment.hidden:
        raise ServiceError("already_hidden", _("This comment is already hidden."), "comment")
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = now, actor, reason
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    return Outcome(note=reason, data={"comment": comment.pk})


def late(*, topic, actor, now, params) -> Outcome:
    if topic.late_noticed_at is not None:  # another tick was first
        raise Conflict("already_noticed", _("The late notice was already sent."))
    topic.late_noticed_at = now
    return Outcome(note=_("Not put on an agenda or answered by its due date."))


def decided(*, topic, actor, now, params) -> Outcome:
    """A meeting closed with the topic on its agenda: its outcome is the topic's."""
    item = params["item"]
    meeting = item.meeting
    data = {
        "meeting": meeting.number,
        "outcome": item.outcome,
        "for": item.votes_for,
        "against": item.votes_against,
        "abstain": item.votes_abstain,
    }
    if item.outcome == ItemOutcome.PASSED:
        topic.matter = _matter_from(item, now) or topic.matter
        if topic.matter_id:
            data["matter"] = topic.matter.number
        return Outcome(
            note=_("Passed by %(meeting)s.") % {"meeting": meeting.title},
            data=data,
            branch="passed",
        )
    if item.outcome == ItemOutcome.NO_QUORUM:
        # Back to waiting, its clock kept: the committee must still act in time.
        return Outcome(
            note=_("%(meeting)s had no quorum: the topic waits for another meeting.")
            % {"meeting": meeting.title},
            data=data,
            branch="no_quorum_due" if topic.threshold_reached_at else "no_quorum_open",
        )
    if item.outcome == ItemOutcome.REJECTED:
        text = _("The meeting voted it down (%(meeting)s).") % {"meeting": meeting.title}
    else:
        text = _("Discussed at %(meeting)s; see its minutes.") % {"meeting": meeting.title}
    topic.answer, topic.answered_at, topic.answered_by = text, now, None
    return Outcome(note=text, data=data, branch="answered")


def off_agenda(*, topic, actor, now, params) -> Outcome:
    """The platform's step for a topic left on the agenda of a meeting that was cancelled:
    back to waiting, its clock kept."""
    from ..models import AgendaItem

    if AgendaItem.objects.filter(
        topic=topic, outcome=ItemOutcome.PENDING, meeting__state__in=LIVE_MEETING
    ).exists():
        raise Conflict("still_on_agenda", _("The topic is still on a meeting's agenda."))
    return Outcome(
        note=_("Its meeting was cancelled: the topic waits for another meeting."),
        branch="due" if topic.threshold_reached_at else "open",
    )


def _matter_from(item, now):
    """The ordinary decision the matters room makes of a passed topic (once it exists)."""
    from ..matters import services as matters

    make = getattr(matters, "do_from_topic", None)
    return make(item=item, now=now) if make is not None else None


# -- referring: a case or a dispute, as a visit's need is raised (people.visits) ------------


def _key(topic, kind: str) -> str:
    # Bound to the topic by the site's secret: no API client can take this key first.
    message = f"deliberation:topic:{topic.pk}:{kind}".encode()
    return "dt-" + hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def refer(*, topic, actor, now, params) -> Outcome:
    to = params.get("to")
    if to not in REFER_TO:
        raise ServiceError("invalid", _("Turn the topic into a case or a dispute."), "to")
    if to == "case":
        topic.case_number = _raise_case(topic, actor, params.get("category"))
        return Outcome(
            note=_("Turned into case %(n)s.") % {"n": topic.case_number},
            data={"case": topic.case_number},
        )
    topic.dispute_number = _raise_dispute(
        topic, actor, params.get("category"), (params.get("other_party") or "").strip(), now
    )
    return Outcome(
        note=_("Turned into dispute %(n)s.") % {"n": topic.dispute_number},
        data={"dispute": topic.dispute_number},
    )


def _category(value):
    from gongzhi.taxonomy.models import Category

    if value in (None, ""):
        raise ServiceError("required", _("Please choose a category."), "category")
    if isinstance(value, Category):
        return value
    rows = Category.objects.filter(enabled=True)
    found = rows.filter(pk=int(value)).first() if str(value).isdigit() else None
    found = found or rows.filter(code=str(value)[:40]).first()
    if found is None:
        raise ServiceError("invalid", _("There is no such category."), "category")
    return found


def _photos(topic) -> list:
    files = []
    for photo in topic.photos or []:
        try:
            files.append(default_storage.open(photo["file"], "rb"))
        except (OSError, KeyError, TypeError):
            continue  # a photo lost from storage does not stop the case
    return files


def _raise_case(topic, actor, category) -> str:
    from gongzhi.cases.choices import Channel
    from gongzhi.cases.intake import services as intake

    report = intake.Report(
        channel=Channel.GRID_WORKER,
        title=topic.title,
        description=topic.body,
        category=_category(category),
        lng=topic.lng,
        lat=topic.lat,
        address=topic.place or topic.region.name,
        idempotency_key=_key(topic, "case"),
    )
    photos = _photos(topic)
    try:
        case, _created = intake.do_report(
            report=report, reporter=topic.author, entered_by=actor, photos=photos
        )
    except ServiceError as error:
        field = error.field if error.field == "category" else "to"
        raise ServiceError(error.code, error.message, field) from None
    finally:
        for f in photos:
            f.close()
    return case.number


def _raise_dispute(topic, actor, type_id, other_party: str, now) -> str:
    from gongzhi.mediation import services as mediation
    from gongzhi.mediation.choices import Side, Source
    from gongzhi.people.models import Resident

    errors = []
    if len(other_party) < 2:
        errors.append(ServiceError("required", _("Name the other party."), "other_party"))
    if not str(type_id or "").isdigit():
        errors.append(ServiceError("required", _("Choose the type of dispute."), "category"))
    if errors:
        raise ServiceError.first_of(errors)
    resident = Resident.objects.filter(pk=topic.resident_id).first()
    applicant = mediation.PartyIn(
        side=Side.APPLICANT,
        name=resident.name if resident else topic.author.display_name,
        phone=resident.phone if resident else "",
    )
    data = mediation.DisputeIn(
        title=topic.title,
        type_id=int(type_id),
        facts=topic.body,
        source=Source.TOPIC,
        source_ref=topic.number,
        region_id=topic.region_id,
        grid_id=resident.grid_id if resident else None,
        parties=[applicant, mediation.PartyIn(side=Side.RESPONDENT, name=other_party)],
        idempotency_key=mediation.scoped_key(owner=f"topic:{topic.pk}", raw=_key(topic, "d")),
    )
    try:
        dispute = mediation.do_register(data=data, actor=actor, now=now)
    except ServiceError as error:
        field = {"type": "category"}.get(error.field, error.field)
        field = field if field in ("category", "other_party") else "to"
        raise ServiceError(error.code, error.message, field) from None
    return dispute.number
