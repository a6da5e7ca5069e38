"""Topics' services (``check_*`` / ``do_*``, keyword-only): the only module other rooms and
the demo import. Every step that moves a topic goes through ``workflow.FLOW``."""

from __future__ import annotations

import math

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import media
from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.regions.models import Region

from .. import members
from ..choices import TopicState
from ..models import AgendaItem, Comment, Support, Topic
from ..numbers import next_number
from . import thresholds
from .workflow import FLOW

TITLE_MAX, BODY_MAX, COMMENT_MAX, PLACE_MAX = 80, 4000, 2000, 100


def get_topic(*, actor, number: str) -> Topic:
    """A topic the actor may see (by its number); any other is "not found", as a missing one."""
    topic = (
        Topic.objects.visible_to(actor)
        .select_related("region", "author", "matter")
        .filter(number=(number or "").strip().upper()[:20])
        .first()
    )
    if topic is None:
        raise NotFound("not_found", _("The topic does not exist."))
    return topic


# -- raising --------------------------------------------------------------------------------


def check_raise(*, actor, title, body, photos=(), lng=None, lat=None, place=""):
    """Who may raise (an adult villager, by the register) and what they wrote; every problem
    with the input at once. Returns (villager, title, body, point, place, images)."""
    me = members.villager(actor)
    if me is None or not me.adult:
        raise NotAllowed(
            "not_villager",
            _("Only an adult resident in the village's register may raise a topic here."),
        )
    errors: list[ServiceError] = []
    title, body, place = (title or "").strip(), (body or "").strip(), (place or "").strip()
    if len(title) < 4:
        errors.append(
            ServiceError("required", _("Give the topic a title (4 characters or more)."), "title")
        )
    elif len(title) > TITLE_MAX:
        errors.append(
            ServiceError(
                "too_long",
                _("The title is too long (at most %(n)d characters).") % {"n": TITLE_MAX},
                "title",
            )
        )
    if len(body) < 10:
        errors.append(
            ServiceError("required", _("Say what it is about (10 characters or more)."), "body")
        )
    elif len(body) > BODY_MAX:
        errors.append(
            ServiceError(
                "too_long",
                _("The text is too long (at most %(n)d characters).") % {"n": BODY_MAX},
                "body",
            )
        )
    if len(place) > PLACE_MAX:
        errors.append(ServiceError("too_long", _("The place is too long."), "place"))
    point = None
    try:
        point = _point(lng, lat)
    except ServiceError as error:
        errors.append(error)
    images = []
    try:
        images = media.check_photos(photos)
    except ServiceError as error:
        errors.append(error)
    if errors:
        raise ServiceError.first_of(errors)
    return me, title, body, point, place, images


def _point(lng, lat):
    if lng in (None, "") and lat in (None, ""):
        return None
    try:
        lng, lat = float(lng), float(lat)
    except (TypeError, ValueError):
        raise ServiceError(
            "invalid_location", _("The place on the map is not valid."), "location"
        ) from None
    if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        raise ServiceError("invalid_location", _("The place on the map is not valid."), "location")
    return lng, lat


def do_raise(*, actor, title, body, photos=(), lng=None, lat=None, place="", now=None) -> Topic:
    """A villager raises a topic in their own village; its threshold is fixed now from the
    most specific enabled ``TopicRule``."""
    me, title, body, point, place, images = check_raise(
        actor=actor, title=title, body=body, photos=photos, lng=lng, lat=lat, place=place
    )
    now = now or timezone.now()
    region = Region.objects.get(pk=me.region_id)
    rule = thresholds.rule_for(region)
    households = members.register_counts(region.pk).households
    with transaction.atomic():
        number = next_number("topic", now=now)
        topic = Topic.objects.create(
            number=number,
            region=region,
            region_path=region.path,
            title=title,
            body=body,
            lng=point[0] if point else None,
            lat=point[1] if point else None,
            place=place,
            author=actor,
            resident_id=me.resident_id,
            household_id=me.household_id,
            threshold=thresholds.threshold(rule, households),
            one_per_household=bool(rule and rule.one_per_household),
            answer_days=rule.answer_days if rule else 10,
            photos=[_store(image, number, i) for i, image in enumerate(images, start=1)],
        )
        Topic.objects.filter(pk=topic.pk).update(created_at=now)  # the demo's history
        FLOW.record(topic, "raise", actor=actor, now=now, note=title)
    return topic


def _store(image, number: str, i: int) -> dict:
    full, thumb = media.prepared(image, f"{number}-{i}")
    folder = f"deliberation/topics/{number}/"
    return {
        "file": default_storage.save(folder + full.name, full),
        "thumb": default_storage.save(folder + thumb.name, thumb),
    }


# -- support --------------------------------------------------------------------------------


def do_support(*, actor, topic, now=None) -> Topic:
    """One support per person (and per household where the rule says so). The household
    that brings the count to the threshold moves the topic to "due", once: the topic's row
    is locked while the support is counted, so two last supports cannot both fire it."""
    now = now or timezone.now()
    with transaction.atomic():
        topic = Topic.objects.select_for_update(of=("self",)).filter(pk=topic.pk).first()
        if topic is None:
            raise NotFound("not_found", _("The topic does not exist."))
        FLOW.check(topic, "support", actor)
        me = members.villager(actor)
        if Support.objects.filter(topic=topic, user=actor).exists():
            raise Conflict("already_supported", _("You already support this topic."))
        household_in = Support.objects.filter(topic=topic, household_id=me.household_id).exists()
        if household_in and topic.one_per_household:
            raise Conflict(
                "household_supported",
                _("Someone in your household already supports this topic: one per household."),
            )
        try:
            with transaction.atomic():
                Support.objects.create(topic=topic, user=actor, household_id=me.household_id)
        except IntegrityError:
            raise Conflict("already_supported", _("You already support this topic.")) from None
        Topic.objects.filter(pk=topic.pk).update(
            supports_count=F("supports_count") + 1,
            households_count=F("households_count") + (0 if household_in else 1),
            updated_at=now,
        )
        topic.refresh_from_db(fields=["supports_count", "households_count"])
        if topic.state == TopicState.OPEN and topic.households_count >= topic.threshold:
            FLOW.transition(pk=topic.pk, action="threshold", actor=None, held=topic, now=now)
    return topic


def supported_by(*, topic, user) -> bool:
    return (
        bool(user and user.is_authenticated)
        and Support.objects.filter(topic=topic, user=user).exists()
    )


# -- comments -------------------------------------------------------------------------------


def do_comment(*, actor, topic, body, parent=None) -> Comment:
    """Villagers of the village and its committee comment; a reply to a reply joins the
    thread of the first comment (replies are one level deep)."""
    FLOW.check(topic, "comment", actor)
    body = (body or "").strip()
    if len(body) < 2:
        raise ServiceError("required", _("Write your comment."), "body")
    if len(body) > COMMENT_MAX:
        raise ServiceError(
            "too_long",
            _("The comment is too long (at most %(n)d characters).") % {"n": COMMENT_MAX},
            "body",
        )
    if parent is not None:
        if parent.topic_id != topic.pk:
            raise ServiceError("invalid", _("That comment is not on this topic."), "parent")
        if parent.hidden:
            raise ServiceError(
                "hidden", _("That comment was hidden: it cannot be replied to."), "parent"
            )
        parent = parent.parent or parent
    return Comment.objects.create(topic=topic, parent=parent, author=actor, body=body)


def do_hide_comment(*, actor, comment, reason) -> Comment:
    """The committee or the township hides a comment with a reason; its words are kept."""
    FLOW.transition(
        pk=comment.topic_id, action="hide_comment", actor=actor, comment=comment, reason=reason
    )
    comment.refresh_from_db()
    return comment


# -- the committee's steps ------------------------------------------------------------------


def do_put_on_agenda(*, actor, topic, meeting, now=None, expected_state=None) -> AgendaItem:
    if meeting is None:
        FLOW.check(topic, "put_on_agenda", actor)  # a refusal before a missing field
        raise ServiceError("required", _("Choose the meeting."), "meeting")
    done = FLOW.transition(
        pk=topic.pk,
        action="put_on_agenda",
        actor=actor,
        now=now,
        meeting=meeting,
        expected_state=expected_state,
    )
    return done._agenda_item


def do_answer(*, actor, topic, answer, now=None, expected_state=None) -> Topic:
    return FLOW.transition(
        pk=topic.pk,
        action="answer",
        actor=actor,
        now=now,
        answer=answer,
        expected_state=expected_state,
    )


def do_refer(
    *, actor, topic, to, category=None, other_party="", now=None, expected_state=None
) -> Topic:
    """Turn the topic into a case (``category``: the case category, id or code) or a dispute
    (``category``: the dispute type's id; ``other_party``: whom it is with)."""
    return FLOW.transition(
        pk=topic.pk,
        action="refer",
        actor=actor,
        now=now,
        to=to,
        category=category,
        other_party=other_party,
        expected_state=expected_state,
    )


def do_withdraw(*, actor, topic, now=None, expected_state=None) -> Topic:
    return FLOW.transition(
        pk=topic.pk, action="withdraw", actor=actor, now=now, expected_state=expected_state
    )


# -- from the meetings room -----------------------------------------------------------------


def item_decided(item, *, now) -> None:
    """Called by the meetings room, in the transaction that closes a meeting, for each of
    its agenda items that is a topic: the topic takes the meeting's outcome (decided;
    answered when voted down or only discussed; back to waiting when the meeting had no
    quorum). A topic no longer on the agenda (withdrawn meanwhile) is left as it is."""
    if item.topic_id is None:
        return
    state = Topic.objects.filter(pk=item.topic_id).values_list("state", flat=True).first()
    if state != TopicState.ON_AGENDA:
        return
    FLOW.transition(pk=item.topic_id, action="decided", actor=None, now=now, item=item)
