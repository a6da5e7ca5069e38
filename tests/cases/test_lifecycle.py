"""A case's whole life through the services, as the people in the world would live it."""

import pytest

from gongzhi.cases.choices import State
from gongzhi.cases.intake import services
from gongzhi.cases.models import Case
from gongzhi.core.errors import NotAllowed, ServiceError
from tests.factories import move as act
from tests.factories import report_case

pytestmark = pytest.mark.django_db


def report(w, **overrides):
    overrides = {"title": "井盖丢失", "description": "西关路口井盖丢失", **overrides}
    return report_case(w, w.manhole, expect_new=True, **overrides)


def test_a_report_is_located_numbered_and_routed(world):
    case = report(world)
    assert case.number.startswith("HD-") and case.number.endswith("-000001")
    assert case.grid == world.grid and case.region == world.regions.xiguan
    assert case.command == world.command
    assert case.state == State.REPORTED
    assert [e.action for e in case.events.all()] == ["report"]


def test_the_full_life_of_a_manhole_report(world):
    w = world
    case = report(w, is_urgent=True)
    case = act(case, "accept", w.dispatcher)
    case = act(case, "dispatch", w.dispatcher)
    assert case.owner == w.cgj  # the county's urban-management bureau, not the city's
    # Urgent: a crew signs for within 20 minutes and resolves within 2 hours.
    assert (case.sign_for_due - case.dispatched_at).total_seconds() == 20 * 60
    assert (case.resolve_due - case.dispatched_at).total_seconds() == 2 * 3600
    case = act(case, "sign_for", w.handler)
    case = act(case, "resolve", w.handler, result="已补装井盖")
    case = act(case, "verify_pass", w.grid_worker)
    assert case.state == State.CLOSED and case.sign_for_met and case.resolve_met
    case = act(case, "callback", w.resident, resolved=True, satisfaction="satisfied")
    assert case.state == State.CLOSED
    assert [e.action for e in case.events.all()] == [
        "report",
        "accept",
        "dispatch",
        "sign_for",
        "resolve",
        "verify_pass",
        "callback",
    ]


def test_an_unsatisfied_callback_reopens_the_case(world):
    w = world
    case = report(w)
    for action, actor, params in [
        ("accept", w.dispatcher, {}),
        ("dispatch", w.dispatcher, {}),
        ("sign_for", w.handler, {}),
        ("resolve", w.handler, {"result": "已处理"}),
        ("verify_pass", w.dispatcher, {}),
    ]:
        case = act(case, action, actor, **params)
    case = act(
        case, "callback", w.resident, resolved=False, satisfaction="unsatisfied", comment="没修好"
    )
    assert case.state == State.REOPENED
    with pytest.raises(NotAllowed):
        act(case, "callback", w.resident, resolved=True, satisfaction="satisfied")


def test_a_retried_report_returns_the_first_case(world):
    first = report(world, idempotency_key="phone-123")
    again, created = services.do_report(
        report=services.Report(
            channel="quick_report",
            title="井盖丢失",
            category_id=world.manhole.pk,
            lng=world.point[0],
            lat=world.point[1],
            idempotency_key="phone-123",
        ),
        reporter=world.resident,
    )
    assert (again.pk, created) == (first.pk, False)
    assert Case.objects.count() == 1


def test_bad_input_stores_nothing(world):
    bad = services.Report(
        channel="quick_report",
        title="",
        category_id=world.manhole.pk,
        lng=world.point[0],
        lat=world.point[1],
    )
    with pytest.raises(ServiceError) as excinfo:
        services.do_report(report=bad, reporter=world.resident)
    assert excinfo.value.field == "description"
    assert not Case.objects.exists()


def test_the_command_centre_is_told_what_happened_in_the_notice_title(
    world, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import translation

    from gongzhi.notify.models import Notification

    w = world
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        case = act(act(report(w), "accept", w.dispatcher), "dispatch", w.dispatcher)
        case = act(case, "sign_for", w.handler)
        new_due = case.resolve_due + timedelta(days=2)
        act(case, "request_extension", w.handler, new_due=new_due, reason="等配件")
        act(case, "return", w.handler, reason="不属于本单位")
    titles = list(
        Notification.objects.filter(recipient=w.dispatcher).values_list("title", flat=True)
    )
    assert any(t.startswith("Deadline extension requested") for t in titles)
    assert any(t.startswith("Case returned by its unit") for t in titles)
