"""The demo's history and the live workflow agree.

The history is made through ``table.transition`` (mostly on cases held in memory, written
in batches); here every entry is checked against the table, and every case is made again
the way live use makes it (a row per case, each step locking and writing it) from nothing
but its timeline: who acted, when, and what they said. Both must come out the same, step
by step and field by field. An edit to the table, a handler or the deadline scan that the
demo does not follow fails here.
"""

import ast
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gongzhi.accounts.models import Organisation
from gongzhi.cases.choices import State
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import deadlines, routing, table
from gongzhi.demo import cases as demo_cases
from gongzhi.demo import stories
from gongzhi.regions.models import Grid

pytestmark = pytest.mark.django_db

# A fixed moment, so that the same stories (and the same mix of actions) are told each run.
NOW = datetime(2026, 6, 16, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SCANNED = ("deadline_warning", "overdue")
FIELDS = (
    "state",
    "command_id",
    "owner_id",
    "merged_into_id",
    "dispatched_at",
    "signed_at",
    "resolved_at",
    "closed_at",
    "accept_due",
    "accepted_at",
    "accept_met",
    "dispatch_due",
    "dispatch_met",
    "sign_for_due",
    "resolve_due",
    "sign_for_met",
    "resolve_met",
    "is_overdue",
    "warned_at",
    "overdue_notified_at",
    "supervision_count",
    "result",
)


@pytest.fixture
def history(world):
    demo_cases.generate(count=150, days=40, grids=Grid.objects.all(), now=NOW, seed=15)
    return list(Case.objects.order_by("created_at", "id"))


def test_every_entry_is_a_step_the_table_allows(history):
    entries = CaseEvent.objects.filter(case__in=history).select_related("case")
    actions = Counter()
    for e in entries:
        actions[e.action] += 1
        if e.action == "report":
            assert (e.from_state, e.to_state) == ("", State.REPORTED)
        elif e.action in (*SCANNED, "merged_in"):  # entries that move no state
            assert e.from_state == e.to_state and e.actor_id is None or e.action == "merged_in"
        else:
            rule = table.RULES[e.action]
            assert e.from_state in rule.sources, e
            branches = rule.target if isinstance(rule.target, Mapping) else {None: rule.target}
            targets = {rule.next_state(branch, e.from_state) for branch in branches}
            assert e.to_state in targets, e
        assert not e.effects_pending, e  # long told: nothing for the sweep to send
    # The history shows the workflow's whole range, the deadline scan's notices included.
    for action in (
        "accept",
        "dispatch",
        "sign_for",
        "resolve",
        "verify_pass",
        "callback",
        "merge",
        "reject",
        *SCANNED,
    ):
        assert actions[action] > 0, action


def test_each_case_made_again_live_from_its_timeline_comes_out_the_same(history, world):
    people_acted = steps = 0
    for case in history:
        copy = _fresh_copy(case)
        for entry in case.events.order_by("at", "id").select_related("actor"):
            if entry.action in ("report", "merged_in"):
                continue  # the copy is reported as it is made; a merge is another's step
            if entry.action in SCANNED:
                deadlines.scan(now=entry.at)
                assert copy.events.filter(action=entry.action).count() == (
                    case.events.filter(action=entry.action, at__lte=entry.at).count()
                ), (case.number, entry.action)
                continue
            # A merge locks its target and checks it is open: as it was at that moment.
            restore = _open_target_as_it_was(entry) if entry.action == "merge" else None
            # The live path: the engine reads and locks the row, checks the table and the
            # person's permission, and writes the row and the entry.
            moved = table.transition(
                case_id=copy.pk,
                action=entry.action,
                actor=entry.actor,
                now=entry.at,
                tell=False,
                **_params(entry),
            )
            if restore is not None:
                Case.objects.filter(pk=restore[0]).update(state=restore[1])
            step = moved.last_event
            assert (step.from_state, step.to_state) == (entry.from_state, entry.to_state), entry
            assert step.note == entry.note, entry
            assert _comparable(step.data) == _comparable(entry.data), entry
            assert step.actor_organisation_id == entry.actor_organisation_id, entry
            if entry.action == "callback":  # as the demo does: "rated since closed?" reads it
                copy.callbacks.filter(pk=copy.callbacks.latest("pk").pk).update(created_at=entry.at)
            steps += 1
            people_acted += entry.actor_id is not None
        copy.refresh_from_db()
        case.refresh_from_db()
        assert {f: getattr(copy, f) for f in FIELDS} == {f: getattr(case, f) for f in FIELDS}, (
            case.number
        )
    assert steps > 500
    assert people_acted > 0.8 * steps  # people at their desks, seldom the platform


def test_the_history_leaves_the_deadline_scan_nothing_to_say(history):
    assert deadlines.scan(now=NOW) == {"warned": 0, "overdue": 0}
    # Nothing waits unseen for the command centre: a report still to be accepted or
    # dispatched is from this morning, on its clock, and marked overdue once past it.
    waiting = [c for c in history if c.state in (State.REPORTED, State.ACCEPTED)]
    for c in waiting:
        assert NOW - c.created_at <= stories.COMMAND_STALL_WINDOW, c.number
        due = c.accept_due if c.state == State.REPORTED else c.dispatch_due
        assert due is not None, c.number
        assert c.is_overdue == (due < NOW), c.number


def test_the_demo_uses_no_test_utilities():
    """Demo code runs in production processes: nothing from django.test."""
    root = Path(demo_cases.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
                names += [f"{node.module}.{alias.name}" for alias in node.names]
            found += [
                f"{path.name}: {name}"
                for name in names
                if name == "django.test" or name.startswith("django.test.")
            ]
    assert not found


# -- making a case again -------------------------------------------------------------------


def _fresh_copy(case: Case) -> Case:
    """The case as intake writes a report: its own row, with the command centre of its
    place (an escalation since moved the original's), reported when the original was (its
    acceptance clock runs from then)."""
    copy = Case.objects.create(
        number=f"{case.number}R",
        title=case.title,
        description=case.description,
        category=case.category,
        channel=case.channel,
        is_urgent=case.is_urgent,
        reporter=case.reporter,
        reporter_name=case.reporter_name,
        reporter_phone=case.reporter_phone,
        is_anonymous=case.is_anonymous,
        entered_by=case.entered_by,
        lng=case.lng,
        lat=case.lat,
        address=case.address,
        grid=case.grid,
        region=case.region,
        region_path=case.region_path,
        command=routing.command_for(case.region_path),
    )
    Case.objects.filter(pk=copy.pk).update(created_at=case.created_at, accept_due=case.accept_due)
    copy.refresh_from_db()
    return copy


def _params(entry: CaseEvent) -> dict:
    """What the person gave, read back from the timeline entry."""
    note, data = entry.note, entry.data
    if entry.action in ("reject", "return", "verify_fail", "escalate"):
        return {"reason": note}
    if entry.action == "resolve":
        return {"result": note}
    if entry.action == "dispatch":
        return {"organisation": Organisation.objects.get(code=data["organisation"]), "note": note}
    if entry.action == "merge":
        return {"into": Case.objects.get(number=data["into"]), "note": note}
    if entry.action == "request_extension":
        return {"reason": note, "new_due": datetime.fromisoformat(data["new_due"])}
    if entry.action == "decide_extension":
        return {"approve": data["approved"], "note": note}
    if entry.action == "callback":
        return {
            "satisfaction": data["satisfaction"],
            "resolved": data["resolved"],
            "comment": note,
            "reopen": data["reopened"],
        }
    return {"note": note}


def _open_target_as_it_was(entry: CaseEvent) -> tuple[int, str]:
    """Put the case merged into back in the state its timeline gives at that moment (the
    rebuild runs when it has long been closed); returns what to restore afterwards."""
    target = Case.objects.get(number=entry.data["into"])
    last = target.events.filter(at__lte=entry.at).order_by("at", "id").last()
    Case.objects.filter(pk=target.pk).update(state=last.to_state)
    return target.pk, target.state


def _comparable(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "request"}  # another row's id
