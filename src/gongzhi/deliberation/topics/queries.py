"""Selectors for the topics pages and the API: always from ``Topic.objects.visible_to``."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from gongzhi.accounts import masking

from .. import members
from ..choices import TopicState
from ..meetings.services import AGENDA_OPEN
from ..models import Comment, Meeting, Topic, TopicEvent


def visible(user, *, state: str | None = None, region: str | None = None):
    """The topics the user sees (their village as a villager, their area as staff), the
    newest first; ``state`` one of ``TopicState`` or "late" (due and past its date)."""
    topics = Topic.objects.visible_to(user).select_related("region")
    if state == "late":
        topics = topics.filter(state=TopicState.DUE, answer_due__lt=timezone.now())
    elif state in TopicState.values:
        topics = topics.filter(state=state)
    if region:
        topics = topics.filter(region_path__startswith=region)
    return topics.order_by("-created_at", "-id")


def shown_name(user, viewer) -> str:
    """A person's name as another person sees it: masked, except for the person themselves
    and the village's staff, who know their villagers anyway."""
    if user is None:
        return ""
    if viewer is not None and viewer.pk == user.pk:
        return user.display_name or user.username
    return masking.mask_name(user.display_name) or "***"


def comments(topic, viewer) -> list[dict]:
    """The topic's comments as threads: each with its replies, a hidden one as "hidden by the
    committee: reason" (its words only for the staff who may hide)."""
    staff = _may_moderate(viewer, topic)
    rows = list(
        Comment.objects.filter(topic=topic, parent__isnull=True)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Comment.objects.select_related("author").order_by("created_at", "id"),
            )
        )
        .order_by("created_at", "id")
    )

    def shown(c) -> dict:
        return {
            "id": c.pk,
            "author": shown_name(c.author, viewer),
            "at": c.created_at,
            "hidden": c.hidden,
            "reason": c.hidden_reason,
            "body": c.body if (not c.hidden or staff) else "",
        }

    return [{**shown(c), "replies": [shown(r) for r in c.replies.all()]} for c in rows]


def _may_moderate(viewer, topic) -> bool:
    if viewer is None or not viewer.is_authenticated:
        return False
    return members.is_committee(viewer, topic.region_path) or members.oversees(
        viewer, topic.region_path
    )


def may_moderate(viewer, topic) -> bool:
    return _may_moderate(viewer, topic)


def timeline(topic):
    return list(TopicEvent.objects.filter(topic=topic, is_public=True).order_by("at", "id"))


def open_meetings(topic):
    """The village's meetings whose agenda may still grow (the committee's choice)."""
    return list(
        Meeting.objects.filter(region_id=topic.region_id, state__in=AGENDA_OPEN).order_by(
            "starts_at", "id"
        )
    )


def agenda_item(topic):
    return topic.agenda_items.select_related("meeting").order_by("-id").first()


def dispute_of(topic, viewer):
    """The dispute the topic was turned into, when the viewer may see it in mediation (its
    state and a link for them; the others see its number only)."""
    if not topic.dispute_number or viewer is None or not viewer.is_authenticated:
        return None
    from gongzhi.mediation.models import Dispute

    return (
        Dispute.objects.visible_to(viewer)
        .filter(number=topic.dispute_number)
        .only("number", "state")
        .first()
    )
