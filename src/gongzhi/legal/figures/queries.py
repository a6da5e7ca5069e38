"""The legal services' figures for an area and a period (issue 19, item 6).

Every figure counts the records *received* in the period (the cohort), whatever has become
of them since:

* applications: legal-aid applications received in the period;
* decided: those with a decision (granted or refused, including urgent aid granted first);
  decided in time: the decision came by its ``decision_due`` (7 working days from receipt,
  the time awaiting documents not counted, as the aid workflow keeps it); share = in time ÷
  decided;
* granted / refused, in all and per matter type;
* average working days to decision (received → decided, on the platform's calendar) and to
  assignment (decided → lawyer assigned);
* questions (legal advice) asked in the period, answered, and answered by their deadline;
* satisfaction: the mean rating (1–5) of the closed aid cases rated, and of the answered
  questions rated if the advice room keeps ratings (else left out).

Rows: the area itself (``total``), one per place one level down (for drilling down), and
one per matter type. Only the viewer's area may be asked for: reviewers and the director
their county (``staff.aid_reviewer_paths``), the 司法局 its county, leaders and those who
govern a place their territory, administrators everything; anyone else is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role
from gongzhi.core import workdays
from gongzhi.core.errors import NotAllowed
from gongzhi.core.scope import scope_for
from gongzhi.regions import areas as area
from gongzhi.regions.models import Region

from .. import staff
from . import sources

DEFAULT_DAYS = 183  # the last six months


def viewer_paths(user) -> tuple[str, ...] | None:
    """The region paths whose figures ``user`` may read; None: everywhere. Refused
    (NotAllowed) for a user with no such area (residents, lawyers, notaries)."""
    scope = scope_for(user)
    if scope.everything:
        return None
    paths = set(staff.aid_reviewer_paths(scope)) | set(staff.justice_bureau_paths(scope))
    if Role.LEADER in scope.roles:
        paths |= set(scope.territory_paths) | {
            p
            for post in scope.posts
            if post.role == Role.LEADER and post.kind != "law_firm"
            for p in post.served
        }
    if not paths:
        raise NotAllowed("forbidden", _("You may not read the legal service figures."))
    return area.widest(paths)


def areas(user) -> list[Region]:
    """The viewer's areas (the tops of their scope), for the area chooser."""
    return area.tops(viewer_paths(user))


def find_region(user, code: str | None) -> Region | None:
    """The region with ``code`` if the viewer may read it (None for no code: their whole
    area); refused outside the area, unknown codes a 400 on the field."""
    return area.find_region(viewer_paths(user), code)


def period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    return area.period(start, end, default_days=DEFAULT_DAYS)


@dataclass
class Row:
    """One line of the figures (an area, a place below it, or a matter type)."""

    key: str
    label: str
    code: str = ""
    applications: int = 0
    decided: int = 0
    decided_in_time: int = 0
    granted: int = 0
    refused: int = 0
    days_to_decision: list[int] = field(default_factory=list)
    assigned: int = 0
    days_to_assignment: list[int] = field(default_factory=list)
    rated: int = 0
    rating_sum: int = 0
    questions: int = 0
    answered: int = 0
    answered_in_time: int = 0
    questions_rated: int = 0
    question_rating_sum: int = 0

    def add_application(self, a: sources.AidRecord) -> None:
        self.applications += 1
        if a.decided_at is not None:
            self.decided += 1
            if a.decision_due is None or a.decided_at <= a.decision_due:
                self.decided_in_time += 1
            self.days_to_decision.append(
                max(0, workdays.working_days_between(a.received_at, a.decided_at))
            )
        if a.granted:
            self.granted += 1
        if a.refused:
            self.refused += 1
        if a.assigned_at is not None:
            self.assigned += 1
            start = a.decided_at or a.received_at
            self.days_to_assignment.append(
                max(0, workdays.working_days_between(start, a.assigned_at))
            )
        if a.rating:
            self.rated += 1
            self.rating_sum += a.rating

    def add_question(self, q: sources.QuestionRecord) -> None:
        self.questions += 1
        if q.answered_at is not None:
            self.answered += 1
            if q.due_at is None or q.answered_at <= q.due_at:
                self.answered_in_time += 1
        if q.rating:
            self.questions_rated += 1
            self.question_rating_sum += q.rating

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    @staticmethod
    def _mean(values) -> float | None:
        values = list(values)
        return round(sum(values) / len(values), 1) if values else None

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "code": self.code,
            "applications": self.applications,
            "decided": self.decided,
            "decided_in_time": self.decided_in_time,
            "decided_in_time_share": self._ratio(self.decided_in_time, self.decided),
            "granted": self.granted,
            "refused": self.refused,
            "avg_workdays_to_decision": self._mean(self.days_to_decision),
            "assigned": self.assigned,
            "avg_workdays_to_assignment": self._mean(self.days_to_assignment),
            "rated": self.rated,
            "avg_rating": round(self.rating_sum / self.rated, 2) if self.rated else None,
            "questions": self.questions,
            "answered": self.answered,
            "answered_in_time": self.answered_in_time,
            "answered_in_time_share": self._ratio(self.answered_in_time, self.questions),
            "questions_rated": self.questions_rated,
            "avg_question_rating": (
                round(self.question_rating_sum / self.questions_rated, 2)
                if self.questions_rated
                else None
            ),
        }


def figures(
    *, user, region: Region | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> dict:
    """The figures of ``region`` (default: the viewer's whole area) for the period from
    ``start`` to ``end`` (days, inclusive; default the last six months)."""
    paths = viewer_paths(user)
    start, end = period(start, end)
    if region is not None:
        paths = (region.path,)
        children = list(Region.objects.filter(parent=region).order_by("code"))
        label = region.name
    elif paths is None:
        children = list(Region.objects.filter(parent__isnull=True).order_by("code"))
        label = _("Everywhere")
    else:
        tops = list(Region.objects.filter(path__in=paths).order_by("path"))
        if len(tops) == 1:
            region = tops[0]
            children = list(Region.objects.filter(parent=region).order_by("code"))
            label = region.name
        else:
            children = tops
            label = _("My whole area")
    first, last = area.bounds(start, end)
    total = Row("total", label, region.code if region else "")
    by_place = {c.pk: Row(f"region:{c.code}", c.name, c.code) for c in children}
    by_type: dict[str, Row] = {}
    for a in sources.applications(paths=paths, first=first, last=last):
        total.add_application(a)
        child = area.child_of(a.region_path, children)
        if child is not None:
            by_place[child.pk].add_application(a)
        row = by_type.setdefault(a.type_key, Row(f"type:{a.type_key}", a.type_name))
        row.add_application(a)
    questions = sources.questions(paths=paths, first=first, last=last)
    for q in questions or ():
        total.add_question(q)
        child = area.child_of(q.region_path, children)
        if child is not None:
            by_place[child.pk].add_question(q)
    return {
        "region": region,
        "start": start,
        "end": end,
        "has_questions": questions is not None,
        "has_question_ratings": sources.QUESTION_RATINGS and questions is not None,
        "total": total.as_dict(),
        "places": [by_place[c.pk].as_dict() for c in children],
        "types": sorted(
            (r.as_dict() for r in by_type.values()), key=lambda r: (-r["applications"], r["label"])
        ),
    }
