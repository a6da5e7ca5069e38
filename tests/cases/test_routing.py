"""Routing as data: the rules decide which level handles a category in a place."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.cases.choices import State
from gongzhi.cases.models import Case, ChannelPolicy, RoutingRule
from gongzhi.cases.workflow import reference, routing
from gongzhi.cases.workflow import table as workflow
from gongzhi.core.errors import ServiceError
from gongzhi.notify.models import Notification
from tests.factories import report_case

pytestmark = pytest.mark.django_db


def new_case(w, category, point=None, **extra):
    return report_case(w, category, point=point, **extra)


def test_county_department_serving_the_place_owns_a_road_case(world):
    assert routing.route_owner(new_case(world, world.manhole)) == world.cgj
    assert routing.route_owner(new_case(world, world.manhole, world.other_point)) == world.other_cgj


def test_a_rule_edited_as_data_changes_the_route(world):
    rule = RoutingRule.objects.get(category__full_name="道路与井盖")
    assert routing.route_owner(new_case(world, world.manhole)) == world.cgj
    for level, owner in [
        ("community", world.community),
        ("township", world.township),
        ("city_department", world.city_cgj),
    ]:
        rule.level = level
        rule.save()  # as the admin does: this process sees it at once
        assert routing.route_owner(new_case(world, world.manhole)) == owner


def test_a_rule_changed_by_another_process_applies_at_the_next_check(world, monkeypatch):
    assert routing.route_owner(new_case(world, world.manhole)) == world.cgj
    # A bulk update fires no signal, like a change made in another process.
    RoutingRule.objects.filter(category__full_name="道路与井盖").update(
        level="community", updated_at=timezone.now()
    )
    assert routing.route_owner(new_case(world, world.manhole)) == world.cgj  # checked < 1 s ago
    monkeypatch.setattr(reference, "CHECK_EVERY", 0.0)
    assert routing.route_owner(new_case(world, world.manhole)) == world.community


def test_the_deepest_rule_wins(world):
    RoutingRule.objects.create(category=world.pothole, level="community")
    assert routing.route_owner(new_case(world, world.pothole)) == world.community
    assert routing.route_owner(new_case(world, world.manhole)) == world.cgj


def test_the_dispatcher_can_override_the_route(world):
    case = new_case(world, world.manhole)
    workflow.transition(case_id=case.pk, action="accept", actor=world.dispatcher)
    case = workflow.transition(
        case_id=case.pk, action="dispatch", actor=world.dispatcher, organisation=world.zjj.pk
    )
    assert case.owner == world.zjj


def test_a_report_without_a_point_is_placed_from_its_address(world):
    case = new_case(world, world.manhole, point=(None, None), address="乐都区碾伯镇西关社区西关街")
    assert case.region == world.regions.xiguan and case.command == world.command
    assert routing.route_owner(case) == world.cgj  # the county department of that place


def test_a_report_placed_nowhere_goes_to_the_top_command_centre(world):
    case = new_case(world, world.manhole, point=(None, None), address="不知道在哪里")
    assert case.grid is None and case.region is None and case.command == world.city_command


def test_escalation_goes_to_the_command_centre_above(world):
    case = new_case(world, world.manhole)
    case = workflow.transition(
        case_id=case.pk, action="escalate", actor=world.dispatcher, reason="涉及多个区县"
    )
    assert (case.state, case.command) == (State.ESCALATED, world.city_command)
    # The city dispatcher now dispatches it; there is nothing above the city.
    case = workflow.transition(case_id=case.pk, action="dispatch", actor=world.city_dispatcher)
    assert case.state == State.DISPATCHED
    with pytest.raises(ServiceError):
        workflow.transition(
            case_id=case.pk, action="escalate", actor=world.city_dispatcher, reason="再上报"
        )


def test_a_grid_worker_report_is_accepted_automatically(world):
    case = new_case(world, world.pothole, channel="grid_worker", reporter=world.grid_worker)
    assert case.state == State.ACCEPTED
    assert [e.action for e in case.events.all()] == ["report", "accept"]


def test_a_channel_can_dispatch_its_reports_on_arrival(world, django_capture_on_commit_callbacks):
    ChannelPolicy.objects.filter(channel="grid_worker").update(auto_dispatch=True)
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(world, world.manhole, channel="grid_worker", reporter=world.grid_worker)
    # Written once, in its final state: the row, its deadlines and the whole timeline.
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.owner, stored.command) == (
        State.DISPATCHED,
        world.cgj,
        world.command,
    )
    assert stored.sign_for_due is not None and stored.resolve_due > stored.dispatched_at
    events = list(stored.events.order_by("pk"))
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("report", "", State.REPORTED),
        ("accept", State.REPORTED, State.ACCEPTED),
        ("dispatch", State.ACCEPTED, State.DISPATCHED),
    ]
    assert events[0].actor == world.grid_worker and events[2].data["organisation"] == world.cgj.code
    assert case.last_event == events[2]
    # The reporter's request is answered without telling anyone: intake's follow-up (the
    # watcher that `gongzhi serve` runs) tells the owner's people, once.
    assert not Notification.objects.filter(kind="case.dispatch").exists()
    assert stored.follow_up_pending
    out = StringIO()
    call_command("cases", "follow-up", stdout=out)
    assert json.loads(out.getvalue())["followed_up"] == 1
    told = Notification.objects.get(recipient=world.handler, kind="case.dispatch")
    assert case.number in told.title and told.link.endswith(f"/cases/{case.number}/")
    call_command("cases", "follow-up", stdout=StringIO())
    assert Notification.objects.filter(kind="case.dispatch", recipient=world.handler).count() == 1
    assert not Case.objects.get(pk=case.pk).follow_up_pending
