"""Who hears of each topic step, after its commit: one table (in-app notices to the
village's committee, the township overseeing it, and the villager who raised it)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from gongzhi.accounts.models import OrganisationKind, Role, User
from gongzhi.notify import services as notify
from gongzhi.regions.models import path_prefixes

from ..members import COMMITTEE_ROLES

KIND = "deliberation.topic"


def link(topic) -> str:
    try:
        return reverse("deliberation:topic", args=[topic.number])
    except NoReverseMatch:  # the pages are not mounted
        return ""


def _active(qs):
    return qs.filter(is_active=True, memberships__organisation__is_active=True).distinct()


def committee_of(topic) -> list:
    """The village's committee and clerk (its community organisation's staff)."""
    return list(
        _active(
            User.objects.filter(
                memberships__organisation__kind=OrganisationKind.COMMUNITY,
                memberships__role__in=COMMITTEE_ROLES,
                memberships__organisation__regions__path=topic.region_path,
            )
        )
    )


def township_of(topic) -> list:
    """The township's governing staff over the village (not the county's or the city's)."""
    return list(
        _active(
            User.objects.filter(
                memberships__organisation__kind=OrganisationKind.TOWNSHIP,
                memberships__role__in=(Role.HANDLER, Role.LEADER),
                memberships__organisation__regions__path__in=path_prefixes(topic.region_path),
            )
        )
    )


def _author(topic) -> list:
    return [topic.author] if topic.author_id else []


def _tell(people, topic, title: str, body: str = "") -> None:
    if people:
        notify.notify(recipients=people, kind=KIND, title=title, body=body, link=link(topic))


def threshold_reached(topic, event) -> None:
    due = event.data.get("answer_due", "")[:10]
    _tell(
        committee_of(topic),
        topic,
        _("Topic %(n)s reached its threshold: answer or put it on an agenda by %(due)s")
        % {"n": topic.number, "due": due},
        topic.title,
    )
    _tell(_author(topic), topic, _("Your topic %(n)s has enough support") % {"n": topic.number})


def late(topic, event) -> None:
    _tell(
        committee_of(topic) + township_of(topic),
        topic,
        _("Topic %(n)s is past its answer date") % {"n": topic.number},
        topic.title,
    )


def tell_author(topic, event) -> None:
    _tell(
        _author(topic),
        topic,
        _("Your topic %(n)s: %(step)s") % {"n": topic.number, "step": event.note[:60]},
    )


def tell_comment_author(topic, event) -> None:
    from ..models import Comment

    comment = Comment.objects.filter(pk=event.data.get("comment")).select_related("author")
    comment = comment.first()
    if comment is not None and comment.author_id:
        _tell(
            [comment.author],
            topic,
            _("Your comment on %(n)s was hidden: %(reason)s")
            % {"n": topic.number, "reason": event.note},
        )


TOLD = {
    "threshold": (threshold_reached,),
    "late": (late,),
    "put_on_agenda": (tell_author,),
    "answer": (tell_author,),
    "refer": (tell_author,),
    "decided": (tell_author,),
    "off_agenda": (tell_author,),
    "hide_comment": (tell_comment_author,),
}


def told_for(event):
    return TOLD.get(event.action, ())
