"""The hall's figures for an area and a period (issue 20, item 6).

* raised: topics raised in the period;
* reached: topics that reached their village's support threshold in the period;
  answered in time: of those, the ones answered with a reason or put on an agenda (or
  referred, or decided) by their ``answer_due``; share = in time ÷ reached;
* decided: topics a meeting decided in the period, and decisions (major matters and
  ordinary decisions) resolved in the period;
* matters by state: the major matters and decisions begun in the period, as they stand now;
* implemented on time: implementations due in the period completed by their due day ÷
  those due in the period;
* participation: households with at least one sign-in at a meeting, or one vote, in the
  period ÷ all households of the area's villages in the register.

Rows: the area itself and one per place one level down (drilling down as the legal
figures do). Only the viewer's area may be asked for (committees their villages, township,
county and city staff theirs; ``Model.objects.visible_to``); residents are refused.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Min, Q
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed
from gongzhi.core.scope import scope_for
from gongzhi.regions import areas as area
from gongzhi.regions.models import Region

from .. import members
from ..choices import ImplementationState, MatterState, TopicState
from ..models import Attendance, Implementation, Matter, Topic, TopicEvent, Vote

DEFAULT_DAYS = 365
# A topic counts as answered once it reaches one of these.
ANSWERED_STATES = (
    TopicState.ON_AGENDA,
    TopicState.ANSWERED,
    TopicState.REFERRED,
    TopicState.DECIDED,
)


def viewer_paths(user) -> tuple[str, ...] | None:
    """The region paths whose figures ``user`` may read; None: everywhere. Refused
    (NotAllowed) for a user who works in no village, township or county of the hall."""
    scope = scope_for(user)
    if scope.everything:
        return None
    paths = members.staff_paths(scope)
    if not paths:
        raise NotAllowed("forbidden", _("You may not read the deliberation hall's figures."))
    return area.widest(paths)


def areas(user) -> list[Region]:
    return area.tops(viewer_paths(user))


def find_region(user, code: str | None) -> Region | None:
    return area.find_region(viewer_paths(user), code)


def period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    return area.period(start, end, default_days=DEFAULT_DAYS)


@dataclass
class Row:
    key: str
    label: str
    code: str = ""
    raised: int = 0
    reached: int = 0
    answered_in_time: int = 0
    topics_decided: int = 0
    decisions: int = 0
    matters: dict = field(default_factory=lambda: defaultdict(int))
    implementations_due: int = 0
    implemented_on_time: int = 0
    households: int = 0
    households_taking_part: int = 0

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "code": self.code,
            "topics_raised": self.raised,
            "topics_reached_threshold": self.reached,
            "answered_in_time": self.answered_in_time,
            "answered_in_time_share": self._ratio(self.answered_in_time, self.reached),
            "topics_decided": self.topics_decided,
            "decisions": self.decisions,
            "matters_by_state": {s: self.matters.get(s, 0) for s in MatterState.values},
            "implementations_due": self.implementations_due,
            "implemented_on_time": self.implemented_on_time,
            "implemented_on_time_share": self._ratio(
                self.implemented_on_time, self.implementations_due
            ),
            "households": self.households,
            "households_taking_part": self.households_taking_part,
            "participation": self._ratio(self.households_taking_part, self.households),
        }


class Tally:
    """Adds each record to the area's row and its place's row."""

    def __init__(self, total: Row, children: list[Region]):
        self.total = total
        self.children = children
        self.rows = {c.pk: Row(f"region:{c.code}", c.name, c.code) for c in children}

    def rows_for(self, path: str) -> list[Row]:
        child = area.child_of(path, self.children)
        return [self.total] if child is None else [self.total, self.rows[child.pk]]


def _households(where: Q, tally: Tally, first, last) -> None:
    """Households of the register (with a current resident) and those that took part: a
    sign-in at a meeting held in the period, or a ballot cast in it."""
    from gongzhi.people.models import Household, Resident

    paths = dict(
        Household.objects.filter(where, pk__in=Resident.objects.current().values("household_id"))
        .values_list("pk", "region_path")
        .iterator(chunk_size=5000)
    )
    for path in paths.values():
        for row in tally.rows_for(path):
            row.households += 1
    meeting_in = Q(meeting__starts_at__gte=first, meeting__starts_at__lt=last)
    took_part = set(
        Attendance.objects.filter(meeting_in, household__isnull=False)
        .filter(_prefixed(where, "meeting__"))
        .values_list("household_id", flat=True)
        .distinct()
    )
    # A ballot counts in the period of its meeting (the demo's history is cast in the past).
    ballots = (
        Vote.objects.filter(item__meeting__starts_at__gte=first, item__meeting__starts_at__lt=last)
        .filter(_prefixed(where, "item__meeting__"))
        .values_list("ballot", flat=True)
        .distinct()
    )
    residents = set()
    for ballot in ballots:
        if ballot[:1] == "h" and ballot[1:].isdigit():
            took_part.add(int(ballot[1:]))
        elif ballot[:1] == "r" and ballot[1:].isdigit():
            residents.add(int(ballot[1:]))
    if residents:
        took_part.update(
            Resident.objects.filter(pk__in=residents).values_list("household_id", flat=True)
        )
    for household in took_part:
        path = paths.get(household)
        if path is None:
            continue
        for row in tally.rows_for(path):
            row.households_taking_part += 1


def _prefixed(where: Q, prefix: str) -> Q:
    """The area filter (``region_path__startswith`` terms) on a related record."""
    q = Q()
    for child in where.children:
        if isinstance(child, tuple):
            q |= Q(**{f"{prefix}{child[0]}": child[1]})
    return q if where.children else Q()


def figures(
    *, user, region: Region | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> dict:
    """The figures of ``region`` (default: the viewer's whole area) for the period from
    ``start`` to ``end`` (days, inclusive; default the last year)."""
    paths = viewer_paths(user)
    start, end = period(start, end)
    if region is not None:
        within = (region.path,)
        children = list(Region.objects.filter(parent=region).order_by("code"))
        label = region.name
    elif paths is None:
        within = None
        children = list(Region.objects.filter(parent__isnull=True).order_by("code"))
        label = _("Everywhere")
    else:
        within = paths
        tops = list(Region.objects.filter(path__in=paths).order_by("path"))
        if len(tops) == 1:
            region = tops[0]
            children = list(Region.objects.filter(parent=region).order_by("code"))
            label = region.name
        else:
            children = tops
            label = _("My whole area")
    where = Q()
    for p in within or ():
        where |= Q(region_path__startswith=p)
    first, last = area.bounds(start, end)
    tally = Tally(Row("total", str(label), region.code if region else ""), children)

    topics = Topic.objects.visible_to(user).filter(where)
    for (path,) in topics.filter(created_at__gte=first, created_at__lt=last).values_list(
        "region_path"
    ):
        for row in tally.rows_for(path):
            row.raised += 1
    reached = list(
        topics.filter(threshold_reached_at__gte=first, threshold_reached_at__lt=last).values_list(
            "pk", "region_path", "answer_due", "answered_at"
        )
    )
    first_answer = dict(
        TopicEvent.objects.filter(
            topic_id__in=[pk for pk, *_r in reached], to_state__in=ANSWERED_STATES
        )
        .values_list("topic_id")
        .annotate(at=Min("at"))
        .order_by()
    )
    for pk, path, due, answered_at in reached:
        moments = [m for m in (answered_at, first_answer.get(pk)) if m is not None]
        in_time = bool(moments) and (due is None or min(moments) <= due)
        for row in tally.rows_for(path):
            row.reached += 1
            row.answered_in_time += in_time
    decided = (
        TopicEvent.objects.filter(to_state=TopicState.DECIDED, at__gte=first, at__lt=last)
        .filter(topic__in=topics)
        .values_list("topic__region_path", "topic_id")
        .distinct()
    )
    for path, _pk in decided:
        for row in tally.rows_for(path):
            row.topics_decided += 1

    matters = Matter.objects.visible_to(user).filter(where)
    for (path,) in matters.filter(resolved_at__gte=first, resolved_at__lt=last).values_list(
        "region_path"
    ):
        for row in tally.rows_for(path):
            row.decisions += 1
    for path, state in matters.filter(created_at__gte=first, created_at__lt=last).values_list(
        "region_path", "state"
    ):
        for row in tally.rows_for(path):
            row.matters[state] += 1

    # A stopped task (made moot) was not due: it is neither on time nor late.
    due = (
        Implementation.objects.visible_to(user)
        .filter(where, due_on__gte=start, due_on__lte=end)
        .exclude(state=ImplementationState.STOPPED)
    )
    for path, state, due_on, completed_on in due.values_list(
        "region_path", "state", "due_on", "completed_on"
    ):
        on_time = (
            state == ImplementationState.COMPLETED
            and completed_on is not None
            and completed_on <= due_on
        )
        for row in tally.rows_for(path):
            row.implementations_due += 1
            row.implemented_on_time += on_time

    _households(where, tally, first, last)
    return {
        "region": region,
        "start": start,
        "end": end,
        "total": tally.total.as_dict(),
        "places": [tally.rows[c.pk].as_dict() for c in children],
        "states": [(value, str(label)) for value, label in MatterState.choices],
    }
