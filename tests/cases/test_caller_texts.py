"""A hotline caller has no account: they hear of their report by SMS at the number they
gave, from an SMS gateway on 127.0.0.1 — registered (with the number and the tracking
page), not accepted, merged, handled — always in Chinese; nobody else is texted."""

import threading
from http.server import ThreadingHTTPServer
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.utils import translation

from gongzhi.cases.choices import State
from gongzhi.cases.workflow import table as workflow
from gongzhi.notify.models import Delivery, DeliveryStatus
from tests.factories import call_case, case_in, report
from tests.notify.conftest import IMMEDIATE, Receiver

pytestmark = pytest.mark.django_db
SITE = "https://gongzhi.example.test"
PHONE = "13812345678"


@pytest.fixture
def gateway(settings):
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GONGZHI_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.GONGZHI_SITE_URL = SITE
    settings.TASKS = IMMEDIATE
    yield receiver
    server.shutdown()
    server.server_close()


def track(case) -> str:
    return f"{SITE}/cases/track/{case.number}/?{urlencode({'t': case.tracking_token})}"


def texts(gateway) -> list[tuple[str, str]]:
    return [(r["json"]["phone"], r["json"]["text"]) for r in gateway.requests]


def follow_up(capture):
    with capture(execute=True):
        call_command("cases", "follow-up", stdout=StringIO())


def move(capture, case, action, actor, **params):
    with capture(execute=True):
        return workflow.transition(case_id=case.pk, action=action, actor=actor, **params)


def test_a_caller_is_told_the_number_and_where_to_follow_it(
    gateway, world, django_capture_on_commit_callbacks
):
    case = call_case(world, world.manhole, title="西关街井盖丢失", reporter_phone=PHONE)
    assert gateway.requests == []  # not from the operator's request: from the follow-up
    follow_up(django_capture_on_commit_callbacks)
    assert texts(gateway) == [
        (PHONE, f"您反映的问题已登记 · {case.number}：请保存编号，以便查询办理进度。 {track(case)}")
    ]
    assert Delivery.objects.get().status == DeliveryStatus.SENT
    follow_up(django_capture_on_commit_callbacks)
    assert len(gateway.requests) == 1  # once


def test_a_caller_hears_that_the_case_was_handled_even_from_an_english_desk(
    gateway, world, django_capture_on_commit_callbacks
):
    case = call_case(world, world.manhole, title="西关街井盖丢失", reporter_phone=PHONE)
    path = {
        State.REPORTED: ("accept", world.dispatcher, {}),
        State.ACCEPTED: ("dispatch", world.dispatcher, {}),
        State.DISPATCHED: ("sign_for", world.handler, {}),
        State.IN_PROGRESS: ("resolve", world.handler, {"result": "已补装井盖"}),
        State.RESOLVED: ("verify_pass", world.dispatcher, {}),
    }
    with translation.override("en"):
        while case.state != State.CLOSED:
            action, actor, params = path[case.state]
            case = move(django_capture_on_commit_callbacks, case, action, actor, **params)
    ((phone, text),) = [t for t in texts(gateway) if "已办结" in t[1]]
    assert phone == PHONE
    assert text.startswith(f"您反映的问题已办结 · {case.number}：已补装井盖 我们将电话回访")


def test_a_caller_hears_why_the_report_was_not_accepted(
    gateway, world, django_capture_on_commit_callbacks
):
    case = call_case(world, world.manhole, title="咨询社保", reporter_phone=PHONE)
    move(
        django_capture_on_commit_callbacks,
        case,
        "reject",
        world.dispatcher,
        reason="不属于受理范围",
    )
    reason = f"您反映的问题不予受理 · {case.number}：不属于受理范围"
    assert [t for t in texts(gateway) if "不予受理" in t[1]][0] == (
        PHONE,
        f"{reason} {track(case)}",
    )


def test_nobody_else_is_texted(gateway, world, django_capture_on_commit_callbacks):
    # A resident with an account hears in the app; an anonymous reporter left no number;
    # a report from an app or an Open311 client is followed there, not by SMS.
    own = case_in(world, "resolved")
    anonymous = case_in(world, "resolved", reporter=None, is_anonymous=True)
    not_a_call = case_in(world, "resolved", reporter=None, reporter_phone=PHONE)
    for case in (own, anonymous, not_a_call):
        move(django_capture_on_commit_callbacks, case, "verify_pass", world.grid_worker)
    follow_up(django_capture_on_commit_callbacks)
    assert gateway.requests == [] and not Delivery.objects.exists()
    assert own.reporter.notifications.filter(kind="case.verify_pass").exists()


def test_without_a_gateway_nothing_is_queued(settings, world, django_capture_on_commit_callbacks):
    settings.GONGZHI_SMS_GATEWAY_URL = ""
    call_case(world, world.manhole, reporter_phone=PHONE)
    follow_up(django_capture_on_commit_callbacks)
    assert not Delivery.objects.exists()


def test_a_caller_hears_which_case_their_report_joined(
    gateway, world, django_capture_on_commit_callbacks
):
    first = report(world, title="西关街井盖丢失")
    again = call_case(world, world.manhole, title="西关街井盖又丢了", reporter_phone=PHONE)
    move(django_capture_on_commit_callbacks, again, "merge", world.dispatcher, into=first.number)
    (text,) = [t for _phone, t in texts(gateway) if "合并办理" in t]
    assert text.startswith(
        f"您反映的问题已与此前反映的同一问题合并办理 · {again.number}：事件 {first.number}"
    )


def test_the_texts_phone_is_sealed_at_rest_and_found_by_the_whole_number(
    gateway, world, admin_client, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.urls import reverse

    from gongzhi.core import crypto

    call_case(world, world.manhole, title="西关街井盖丢失", reporter_phone=PHONE)
    follow_up(django_capture_on_commit_callbacks)
    assert [phone for phone, _text in texts(gateway)] == [PHONE]  # the gateway gets the number
    delivery = Delivery.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT target FROM notify_delivery WHERE id = %s", [delivery.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith(crypto.PREFIX) and "5678" not in stored
    assert Delivery.objects.get(target=PHONE) == delivery
    # The admin finds the texts to a number by the whole number, and shows it masked.
    page = admin_client.get(reverse("admin:notify_delivery_changelist"), {"q": PHONE})
    assert list(page.context_data["cl"].result_list) == [delivery]
    assert "138****5678" in page.content.decode()
    page = admin_client.get(reverse("admin:notify_delivery_changelist"), {"q": "1381234"})
    assert list(page.context_data["cl"].result_list) == []  # no search inside sealed text
