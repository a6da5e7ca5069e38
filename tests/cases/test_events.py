"""Every step of a case is published after its commit as one event ``{type, before,
after}`` to the webhooks an administrator configured: received by a real HTTP server on
127.0.0.1, signed with the endpoint's secret."""

import pytest

from gongzhi.cases.intake import follow_up
from tests.notify.webhooks import IMMEDIATE

from .test_permissions import move, report

pytestmark = pytest.mark.django_db


def test_each_step_reaches_a_configured_webhook_signed(
    world, webhook_receiver, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    w = world
    hook = webhook_receiver.endpoint(event_types="case.*")
    with django_capture_on_commit_callbacks(execute=True):
        case = report(w)
    with django_capture_on_commit_callbacks(execute=True):
        follow_up.run()  # the report's own step is published with intake's follow-up
    for action, actor, params in [
        ("accept", w.dispatcher, {}),
        ("dispatch", w.dispatcher, {}),
        ("sign_for", w.handler, {}),
    ]:
        with django_capture_on_commit_callbacks(execute=True):
            move(case, action, actor, **params)

    events = webhook_receiver.events
    assert [e["type"] for e in events] == [
        "case.report",
        "case.accept",
        "case.dispatch",
        "case.sign_for",
    ]
    dispatched = events[2]["data"]
    assert dispatched["id"] == case.number
    assert dispatched["before"] == {"state": "accepted"}
    assert dispatched["after"]["state"] == "dispatched"
    assert dispatched["after"]["owner"] == w.cgj.code
    # Nothing personal leaves: no reporter, no phone, no person who acted.
    body = b"".join(body for _headers, body in webhook_receiver.requests).decode()
    assert w.resident.username not in body and "reporter" not in body
    for headers, body in webhook_receiver.requests:
        assert webhook_receiver.verify(hook.secret, headers, body)


def test_no_endpoint_subscribed_means_nothing_is_sent(
    world, webhook_receiver, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    webhook_receiver.endpoint(event_types="dispute.*")
    case = report(world)
    with django_capture_on_commit_callbacks(execute=True):
        move(case, "accept", world.dispatcher)
    assert webhook_receiver.requests == []
