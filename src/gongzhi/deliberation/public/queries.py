"""Selectors for the hall's home (a villager's village, a committee's desk), the township's
overview and each village's public page. The public page reads no user at all: it shows
only what the hall publishes, and never a person's name, phone or ID number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongzhi.accounts.masking import mask_name
from gongzhi.core.scope import scope_for
from gongzhi.people import members as people_members
from gongzhi.regions import areas as area
from gongzhi.regions.models import Region, RegionLevel

from .. import members
from ..choices import (
    ImplementationState,
    MatterState,
    MeetingState,
    PublicationKind,
    TopicState,
)
from ..models import (
    AgendaItem,
    Implementation,
    Matter,
    Meeting,
    Progress,
    Publication,
    Topic,
)

OPEN_TOPICS = (TopicState.OPEN, TopicState.DUE, TopicState.ON_AGENDA)
UPCOMING = (
    MeetingState.SCHEDULED,
    MeetingState.NOTIFIED,
    MeetingState.IN_SESSION,
    MeetingState.VOTING,
)
UNFINISHED = (ImplementationState.PLANNED, ImplementationState.UNDER_WAY)
# Matters whose resolution has been published: what the public page shows.
PUBLISHED_MATTERS = (MatterState.PUBLISHED, MatterState.IMPLEMENTING, MatterState.DONE)
# How long an answered topic or a finished decision stays on the public page.
RECENT_DAYS = 365
LIST_LIMIT = 30


def link(name: str, *args) -> str:
    """The URL of another room's page, or "" while that room has not written it yet."""
    try:
        return reverse(f"deliberation:{name}", args=args)
    except NoReverseMatch:
        return ""


def topic_photos(region: Region, topic: Topic) -> list[dict]:
    """The topic's photos as ``{"url", "thumb"}``, served by the public page itself (the
    topics room's own photo page is for those signed in)."""
    out = []
    for index, _photo in enumerate(topic.photos or (), start=1):
        url = reverse("deliberation:village_photo", args=[region.code, topic.number, index])
        out.append({"url": url, "thumb": f"{url}?thumb=1"})
    return out


def progress_photos(update: Progress) -> list[dict]:
    """A progress update's photos, served by the openness room (public: 公开)."""
    out = []
    for n, _photo in enumerate(update.photos or ()):
        url = link("progress_photo", update.pk, n)
        if url:
            out.append({"url": url, "thumb": f"{url}?thumb=1"})
    return out


def public_topic_photo(code: str, number: str, index: int) -> str | None:
    """The storage name of a topic's photo if the public page shows the topic (None
    otherwise: a withdrawn or referred topic's photos are not public)."""
    topic = (
        Topic.objects.filter(
            region__code=code,
            number=number,
            state__in=(*OPEN_TOPICS, TopicState.ANSWERED),
        )
        .only("photos")
        .first()
    )
    photos = topic.photos if topic is not None else []
    if not 1 <= index <= len(photos):
        return None
    return photos[index - 1]


# -- the public page ------------------------------------------------------------------------


def public_region(code: str) -> Region | None:
    """A village or community with a public page (a region of the lowest level)."""
    return Region.objects.filter(code=code, level=RegionLevel.COMMUNITY).first()


def _public_topics(region: Region, now: dt.datetime, clean) -> tuple[list[dict], list[dict]]:
    rows = Topic.objects.filter(region=region).only(
        "number",
        "title",
        "body",
        "photos",
        "place",
        "state",
        "supports_count",
        "households_count",
        "threshold",
        "answer_due",
        "answered_at",
        "answer",
        "created_at",
    )
    open_rows = rows.filter(state__in=OPEN_TOPICS).order_by("-households_count", "-id")
    since = now - dt.timedelta(days=RECENT_DAYS)
    answered = rows.filter(state=TopicState.ANSWERED, answered_at__gte=since).order_by(
        "-answered_at"
    )

    def shown(t: Topic) -> dict:
        return {
            "number": t.number,
            "title": clean(t.title),
            "body": clean(t.body),
            "place": clean(t.place),
            "photos": topic_photos(region, t),
            "state": t.state,
            "state_label": TopicState(t.state).label,
            "supports": t.supports_count,
            "households": t.households_count,
            "threshold": t.threshold,
            "share": min(100, round(100 * t.households_count / t.threshold)) if t.threshold else 0,
            "answer_due": t.answer_due,
            "late": t.state == TopicState.DUE and t.answer_due is not None and t.answer_due < now,
            "answered_at": t.answered_at,
            "answer": clean(t.answer),
            "raised_at": t.created_at,
        }

    return [shown(t) for t in open_rows[:LIST_LIMIT]], [shown(t) for t in answered[:LIST_LIMIT]]


def _public_meetings(region: Region, now: dt.datetime, clean) -> list[dict]:
    meetings = (
        Meeting.objects.filter(
            region=region, state__in=UPCOMING, starts_at__gte=now - dt.timedelta(hours=12)
        )
        .order_by("starts_at", "id")
        .prefetch_related(
            Prefetch("items", queryset=AgendaItem.objects.only("meeting_id", "title", "order"))
        )
    )[:LIST_LIMIT]
    return [
        {
            "number": m.number,
            "title": clean(m.title),
            "kind": m.get_kind_display(),
            "place": clean(m.place),
            "starts_at": m.starts_at,
            "state": m.state,
            "state_label": m.get_state_display(),
            "agenda": [clean(i.title) for i in m.items.all()],
        }
        for m in meetings
    ]


def _public_implementation(i: Implementation, today: dt.date, clean) -> dict:
    return {
        "id": i.pk,
        "title": clean(i.title),
        # The owner as published may be a person's name: shown masked, as to any resident.
        "owner": mask_name(i.owner_name),
        "due_on": i.due_on,
        "percent": i.percent,
        "state": i.state,
        "state_label": i.get_state_display(),
        "late": i.state in UNFINISHED and i.due_on < today,
        "budget": i.budget,
        "spent": i.spent,
        "completed_on": i.completed_on,
        "stopped": i.state == ImplementationState.STOPPED,
        "stop_reason": clean(i.stop_reason) if i.state == ImplementationState.STOPPED else "",
        "updates": [
            {
                "at": p.at,
                "percent": p.percent,
                "note": clean(p.note),
                "photos": progress_photos(p),
            }
            for p in reversed(list(i.updates.all()))
        ],
    }


def _public_decisions(region: Region, now: dt.datetime, clean) -> list[dict]:
    today = timezone.localdate(now)
    since = today - dt.timedelta(days=RECENT_DAYS)
    matters = (
        Matter.objects.filter(region=region, state__in=PUBLISHED_MATTERS)
        .filter(Q(done_at__isnull=True) | Q(done_at__gte=now - dt.timedelta(days=RECENT_DAYS)))
        .annotate(rating_avg=Avg("ratings__stars"), rating_count=Count("ratings", distinct=True))
        .prefetch_related(
            Prefetch("publications", queryset=Publication.objects.order_by("starts_on", "id")),
            Prefetch(
                "implementations",
                queryset=Implementation.objects.order_by("due_on", "id").prefetch_related(
                    Prefetch("updates", queryset=Progress.objects.order_by("at", "id"))
                ),
            ),
        )
        .order_by("-resolved_at", "-id")
    )[:LIST_LIMIT]
    out = []
    for m in matters:
        publications = list(m.publications.all())
        resolution = next((p for p in publications if p.kind == PublicationKind.RESOLUTION), None)
        result = next((p for p in publications if p.kind == PublicationKind.RESULT), None)
        if resolution is not None and resolution.starts_on < since and m.state == MatterState.DONE:
            continue
        implementations = [_public_implementation(i, today, clean) for i in m.implementations.all()]
        going = [i for i in implementations if not i["stopped"]]  # a stopped task is not work
        out.append(
            {
                "number": m.number,
                "title": clean(m.title),
                "major": m.major,
                "state": m.state,
                "state_label": m.get_state_display(),
                "budget": m.budget,
                "resolved_at": m.resolved_at,
                "resolution": _publication(resolution, today, clean),
                "result": _publication(result, today, clean),
                "implementations": implementations,
                "percent": round(sum(i["percent"] for i in going) / len(going)) if going else 0,
                "late": any(i["late"] for i in implementations),
                "rating_avg": round(m.rating_avg, 1) if m.rating_avg is not None else None,
                "rating_count": m.rating_count,
            }
        )
    return out


def _publication(p: Publication | None, today: dt.date, clean) -> dict | None:
    if p is None:
        return None
    return {
        "id": p.pk,
        "text": clean(p.text),
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "running": p.starts_on <= today <= p.ends_on,
        "households_told": p.households_told,
    }


def public_page(region: Region, *, now: dt.datetime | None = None) -> dict:
    """Everything the village's public page shows: open topics, topics answered with a
    reason, upcoming meetings, published decisions with their implementations' progress,
    results and ratings. No person is named."""
    now = now or timezone.now()
    clean = people_members.public_text(region)
    open_topics, answered = _public_topics(region, now, clean)
    return {
        "region": region,
        "township": region.parent,
        "topics": open_topics,
        "answered": answered,
        "meetings": _public_meetings(region, now, clean),
        "decisions": _public_decisions(region, now, clean),
        "now": now,
    }


# -- the hall's home -----------------------------------------------------------------------


def my_village(user) -> Region | None:
    me = members.villager(user)
    if me is None:
        return None
    return Region.objects.filter(pk=me.region_id).first()


@dataclass
class Desk:
    """A committee's work at a glance, across the villages it serves."""

    due: list = field(default_factory=list)
    late: list = field(default_factory=list)
    to_notify: list = field(default_factory=list)
    to_open: list = field(default_factory=list)
    in_session: list = field(default_factory=list)
    matters_by_step: list = field(default_factory=list)
    implementations_late: list = field(default_factory=list)


def _paths_q(paths) -> Q:
    q = Q()
    for p in paths:
        q |= Q(region_path__startswith=p)
    return q


def desk(user, *, now: dt.datetime | None = None) -> Desk | None:
    """The committee's desk (None for a user on no village's committee)."""
    scope = scope_for(user)
    paths = members.committee_paths(scope)
    if not paths:
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    where = _paths_q(paths)
    topics = Topic.objects.filter(where, state=TopicState.DUE).order_by("answer_due", "id")
    out = Desk()
    for t in topics[:100]:
        t.link = link("topic", t.number)
        (out.late if t.answer_due is not None and t.answer_due < now else out.due).append(t)
    meetings = (
        Meeting.objects.filter(where, state__in=UPCOMING)
        .select_related("rule")
        .order_by("starts_at", "id")
    )
    for m in meetings[:100]:
        m.link = link("meeting", m.number)
        if m.state == MeetingState.SCHEDULED:
            m.notice_by = m.starts_at - dt.timedelta(days=m.rule.notice_days) if m.rule_id else None
            out.to_notify.append(m)
        elif m.state == MeetingState.NOTIFIED:
            out.to_open.append(m)
        else:
            out.in_session.append(m)
    counts = dict(
        Matter.objects.filter(where).values_list("state").annotate(n=Count("id")).order_by()
    )
    out.matters_by_step = [
        (value, label, counts.get(value, 0), link("matters") and f"{link('matters')}?state={value}")
        for value, label in MatterState.choices
    ]
    late = Implementation.objects.filter(where, state__in=UNFINISHED, due_on__lt=today)
    for i in late.order_by("due_on", "id")[:100]:
        i.link = link("implementation", i.pk)
        i.days_late = (today - i.due_on).days
        out.implementations_late.append(i)
    return out


def village_summary(region: Region, *, now: dt.datetime | None = None) -> dict:
    """What a villager sees of their village on the hall's home (the public page's content
    plus links into the rooms)."""
    data = public_page(region, now=now)
    for t in (*data["topics"], *data["answered"]):
        t["link"] = link("topic", t["number"])
    for m in data["meetings"]:
        m["link"] = link("meeting", m["number"])
    for d in data["decisions"]:
        d["link"] = link("matter", d["number"])
        for i in d["implementations"]:
            i["link"] = link("implementation", i["id"])
    return data


# -- the township's overview ----------------------------------------------------------------


def overview_paths(user) -> tuple[str, ...] | None:
    """The areas the user oversees (None: everything; empty: none)."""
    scope = scope_for(user)
    if scope.everything:
        return None
    return area.widest(members.oversight_paths(scope))


def _bucket(rows, children, counts, key):
    for path, n in rows:
        child = area.child_of(path, children)
        if child is not None:
            counts[child.pk][key] += n


def overview(
    *, paths: tuple[str, ...] | None, region: Region | None, now: dt.datetime | None = None
) -> dict:
    """One row per place below ``region`` (or per top of the viewer's area): open topics,
    topics late (past their answer date), meetings this month, decisions published, and
    implementations overdue. Places at the lowest level are villages: their rows link to
    their public pages; the others drill down."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if region is not None:
        children = list(Region.objects.filter(parent=region).order_by("code"))
        within = (region.path,)
    elif paths is None:
        children = list(Region.objects.filter(parent__isnull=True).order_by("code"))
        within = None
    else:
        tops = list(Region.objects.filter(path__in=paths).order_by("path"))
        if len(tops) == 1:
            region = tops[0]
            children = list(Region.objects.filter(parent=region).order_by("code"))
        else:
            children = tops
        within = paths
    where = _paths_q(within) if within is not None else Q()
    keys = ("open", "late", "meetings", "published", "overdue")
    counts = {c.pk: dict.fromkeys(keys, 0) for c in children}
    month_start = timezone.make_aware(
        dt.datetime.combine(today.replace(day=1), dt.time.min), timezone.get_current_timezone()
    )
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    month_end = timezone.make_aware(
        dt.datetime.combine(next_month, dt.time.min), timezone.get_current_timezone()
    )

    def grouped(qs):
        return qs.values_list("region_path").annotate(n=Count("id")).order_by()

    topics = Topic.objects.filter(where)
    _bucket(grouped(topics.filter(state__in=OPEN_TOPICS)), children, counts, "open")
    _bucket(
        grouped(topics.filter(state=TopicState.DUE, answer_due__lt=now)), children, counts, "late"
    )
    _bucket(
        grouped(
            Meeting.objects.filter(
                where, starts_at__gte=month_start, starts_at__lt=month_end
            ).exclude(state=MeetingState.CANCELLED)
        ),
        children,
        counts,
        "meetings",
    )
    _bucket(
        grouped(Matter.objects.filter(where, state__in=PUBLISHED_MATTERS)),
        children,
        counts,
        "published",
    )
    _bucket(
        grouped(Implementation.objects.filter(where, state__in=UNFINISHED, due_on__lt=today)),
        children,
        counts,
        "overdue",
    )
    rows = []
    for c in children:
        village = c.level == RegionLevel.COMMUNITY
        rows.append(
            {
                "code": c.code,
                "name": c.name,
                "village": village,
                "link": reverse("deliberation:village", args=[c.code])
                if village
                else f"{reverse('deliberation:overview')}?region={c.code}",
                **counts[c.pk],
            }
        )
    total = {k: sum(r[k] for r in rows) for k in keys}
    late_implementations = list(
        Implementation.objects.filter(where, state__in=UNFINISHED, due_on__lt=today)
        .select_related("region")
        .order_by("due_on", "id")[:20]
    )
    for i in late_implementations:
        i.link = link("implementation", i.pk)
        i.days_late = (today - i.due_on).days
    late_topics = list(
        Topic.objects.filter(where, state=TopicState.DUE, answer_due__lt=now)
        .select_related("region")
        .order_by("answer_due", "id")[:20]
    )
    for t in late_topics:
        t.link = link("topic", t.number)
    return {
        "region": region,
        "rows": rows,
        "total": total,
        "late_implementations": late_implementations,
        "late_topics": late_topics,
        "month": today.replace(day=1),
    }


def find_region(paths: tuple[str, ...] | None, code: str | None) -> Region | None:
    """The region with ``code`` inside the viewer's area; None for no code or one outside
    (the page then shows the viewer's whole area)."""
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        return None
    if paths is not None and not any(region.path.startswith(p) for p in paths):
        return None
    return region


crumbs = area.crumbs
