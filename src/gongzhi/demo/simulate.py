"""The live simulator behind ``gongzhi simulate``: new reports through the real intake
service, and open cases moved on through the real workflow, by the demo people who would
do it — a dispatcher who governs the place accepts and dispatches, a handler of the lead
unit signs for and resolves, the grid's worker (or a dispatcher) verifies, the reporter
rates. Nothing here writes a case directly: every change goes through ``services`` and
``workflow.transition``, with their checks, timelines and notifications.

A case whose lead unit has nobody on the demo roster stays where it is (the simulator acts
only as real people; it never acts as "the platform").
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, Role, User
from gongzhi.cases.choices import Channel, Satisfaction, State
from gongzhi.cases.intake import services
from gongzhi.cases.models import Case
from gongzhi.cases.workflow import routing
from gongzhi.cases.workflow import table as workflow
from gongzhi.core.errors import ServiceError
from gongzhi.demo import cases as demo_cases
from gongzhi.demo import texts
from gongzhi.demo.accounts import synthetic_mobile, synthetic_name
from gongzhi.demo.drafts import points_in
from gongzhi.demo.reference import Reference, category_infos, grid_infos
from gongzhi.regions.models import Grid

S = State
# What happens next to a case in each state, and how often the less usual turn is taken.
NEXT = {
    S.REPORTED: (("accept", 0.93), ("reject", 0.07)),
    S.ACCEPTED: (("dispatch", 1.0),),
    S.RETURNED: (("dispatch", 1.0),),
    S.REOPENED: (("dispatch", 1.0),),
    S.ESCALATED: (("dispatch", 1.0),),
    S.DISPATCHED: (("sign_for", 0.95), ("return", 0.05)),
    S.IN_PROGRESS: (("resolve", 1.0),),
    S.RESOLVED: (("verify_pass", 0.95), ("verify_fail", 0.05)),
}
COMMAND_ACTIONS = frozenset({"accept", "reject", "dispatch"})
OWNER_ACTIONS = frozenset({"sign_for", "return", "resolve"})
VERIFY_ACTIONS = frozenset({"verify_pass", "verify_fail"})
CHANNELS = ((Channel.GRID_WORKER, 45), (Channel.QUICK_REPORT, 30), (Channel.HOTLINE, 25))
CANDIDATES = 25  # open cases looked at per move


@dataclass
class Event:
    kind: str  # "report" | an action name
    case: Case
    actor: User | None

    def line(self) -> str:
        moment = timezone.localtime().strftime("%H:%M:%S")
        who = self.actor.display_name or self.actor.username if self.actor else "—"
        if self.kind == "report":
            return _("%(time)s  new case %(number)s · %(category)s · %(title)s → %(state)s") % {
                "time": moment,
                "number": self.case.number,
                "category": self.case.category.name,
                "title": self.case.title,
                "state": self.case.get_state_display(),
            }
        return _("%(time)s  %(action)s %(number)s by %(who)s → %(state)s") % {
            "time": moment,
            "action": workflow.RULES[self.kind].label,
            "number": self.case.number,
            "who": who,
            "state": self.case.get_state_display(),
        }


class Simulator:
    def __init__(self, *, seed: int | None = None, grids=None):
        self.rng = random.Random(seed)
        if grids is None:
            grids = demo_cases.city_grids()
            if not grids.exists():
                grids = Grid.objects.all()
        self.ref = Reference(grid_infos(grids), category_infos())
        self.weights = [g.weight for g in self.ref.grids]
        self.residents = list(
            User.objects.filter(
                is_active=True, username__startswith=demo_cases.RESIDENT_PREFIX
            ).order_by("username")[:200]
        ) or list(
            User.objects.filter(is_active=True, is_staff=False, memberships__isnull=True).order_by(
                "id"
            )[:50]
        )
        self.users = {}

    @property
    def ready(self) -> bool:
        return bool(self.ref.grids and self.ref.categories)

    def _user(self, pk):
        if pk is None:
            return None
        if pk not in self.users:
            self.users[pk] = User.objects.filter(pk=pk, is_active=True).first()
        return self.users[pk]

    # --- new reports -------------------------------------------------------------------

    def report(self) -> Event:
        rng, ref = self.rng, self.ref
        grid = rng.choices(ref.grids, weights=self.weights)[0]
        weights = [c.texts.weight for c in ref.categories]
        for _attempt in range(10):
            category = rng.choices(ref.categories, weights=weights)[0]
            if ref.owner_for(category, grid.region_path) is not None:
                break
        lng, lat = points_in(rng, grid, 1)[0]
        particulars = texts.words(rng)
        channel = rng.choices([c for c, _w in CHANNELS], weights=[w for _c, w in CHANNELS])[0]
        reporter = entered_by = None
        extra = {}
        worker = self._user(ref.grid_worker.get(grid.id))
        if channel == Channel.GRID_WORKER and worker is not None:
            reporter = worker
        elif channel == Channel.HOTLINE and ref.operator is not None:
            entered_by = self._user(ref.operator)
            name, _male = synthetic_name(rng)
            extra = {
                "reporter_name": name,
                "reporter_phone": synthetic_mobile(f"sim-{rng.random()}"),
            }
        else:
            channel = Channel.QUICK_REPORT
            reporter = rng.choice(self.residents) if self.residents else None
        case, _created = services.do_report(
            report=services.Report(
                channel=channel,
                title=texts.render(rng.choice(category.texts.titles), particulars)[:120],
                description=texts.render(rng.choice(category.texts.descriptions), particulars),
                category_id=category.id,
                lng=lng,
                lat=lat,
                address=f"{grid.township_name}{particulars['road']}{rng.randint(1, 200)}号附近",
                idempotency_key=f"sim-{uuid.UUID(int=rng.getrandbits(128)).hex}",
                is_anonymous=reporter is None and channel == Channel.QUICK_REPORT,
                **extra,
            ),
            reporter=reporter,
            entered_by=entered_by,
        )
        return Event("report", case, reporter or entered_by)

    # --- moving open cases on ----------------------------------------------------------

    def advance(self) -> Event | None:
        """Take the next step on one open case somebody on the roster can act on."""
        candidates = list(
            Case.objects.filter(state__in=list(NEXT))
            .select_related("category", "owner", "command", "grid")
            .order_by("?")[:CANDIDATES]
        )
        for case in candidates:
            action = self._pick(NEXT[case.state])
            actor = self._actor(case, action)
            if actor is None:
                continue
            params = self._params(case, action)
            if params is None:
                continue
            try:
                moved = workflow.transition(
                    case_id=case.pk, action=action, actor=actor, expected_state=case.state, **params
                )
            except ServiceError:
                continue  # someone else moved it first, or the roster cannot do it after all
            return Event(action, moved, actor)
        return None

    def _pick(self, options) -> str:
        roll, total = self.rng.random(), 0.0
        for action, share in options:
            total += share
            if roll < total:
                return action
        return options[-1][0]

    def _members(self, organisation_id, roles) -> list[User]:
        if organisation_id is None:
            return []
        ids = Membership.objects.filter(
            organisation_id=organisation_id, role__in=roles, user__is_active=True
        ).values_list("user_id", flat=True)
        return [u for u in (self._user(pk) for pk in ids) if u is not None]

    def _dispatchers(self, case) -> list[User]:
        # The case's own command centre first, then any dispatcher who governs the place.
        own = self._members(case.command_id, [Role.DISPATCHER])
        others = (
            User.objects.filter(is_active=True, memberships__role=Role.DISPATCHER)
            .exclude(pk__in=[u.pk for u in own])
            .distinct()
            .order_by("id")[:10]
        )
        return own + list(others)

    def _actor(self, case, action: str) -> User | None:
        if action in OWNER_ACTIONS:
            people = self._members(case.owner_id, [Role.HANDLER, Role.LEADER])
        elif action in VERIFY_ACTIONS:
            people = (
                list(User.objects.filter(is_active=True, grid_assignments__grid=case.grid_id))
                if case.grid_id
                else []
            )
            people += self._dispatchers(case)
        else:
            people = self._dispatchers(case)
        for person in people:
            if action in workflow.allowed_actions(case, person):
                return person
        return None

    def _params(self, case, action: str) -> dict | None:
        rng = self.rng
        particulars = texts.words(rng)
        if action == "dispatch":
            owner = routing.route_owner(case)
            if owner is None:
                return None
            if (
                case.state == S.RETURNED
                and case.events.filter(action="return", data__organisation=owner.code).exists()
            ):
                return None  # the routed unit sent it back: a person must choose
            return {"organisation": owner}
        if action == "reject":
            return {"reason": rng.choice(texts.REJECT_REASONS)}
        if action == "return":
            return {"reason": rng.choice(texts.RETURN_REASONS)}
        if action == "resolve":
            story = texts.TEXTS.get(case.category.full_name)
            result = rng.choice(story.results) if story else _("Handled on the spot.")
            return {"result": texts.render(result, particulars)}
        if action == "verify_fail":
            return {"reason": rng.choice(texts.VERIFY_FAIL_REASONS)}
        return {}

    def callback(self) -> Event | None:
        """A reporter rates a case closed lately (the 回访 behind the three rates)."""
        since = timezone.now() - timedelta(days=1)
        recent = (
            Case.objects.filter(state=S.CLOSED, closed_at__gte=since, reporter__isnull=False)
            .select_related("reporter", "category")
            .order_by("?")[:10]
        )
        case = next(
            (c for c in recent if not c.callbacks.filter(created_at__gte=c.closed_at).exists()),
            None,
        )
        if case is None:
            return None
        roll = self.rng.random()
        satisfaction = (
            Satisfaction.SATISFIED
            if roll < 0.8
            else Satisfaction.BASIC
            if roll < 0.94
            else Satisfaction.UNSATISFIED
        )
        try:
            moved = workflow.transition(
                case_id=case.pk,
                action="callback",
                actor=case.reporter,
                resolved=satisfaction != Satisfaction.UNSATISFIED,
                satisfaction=satisfaction,
                reopen=False,  # a rating here; reopening is the dispatcher's call in the demo
            )
        except ServiceError:
            return None
        return Event("callback", moved, case.reporter)

    def moves(self, mean: float) -> int:
        """How many steps to take on open cases after a report: ``mean`` on average."""
        whole = int(mean)
        return whole + (1 if self.rng.random() < mean - whole else 0)
