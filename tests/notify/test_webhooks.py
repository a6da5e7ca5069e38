"""Events out: published events reach a real HTTP receiver, signed, retried and listed."""

import hashlib
import hmac
import json
import socket
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gongzhi.notify import services
from gongzhi.notify.channels import verify
from gongzhi.notify.models import Delivery, DeliveryStatus, WebhookEndpoint
from gongzhi.notify.services import Event
from tests.notify.webhooks import verify as receiver_verifies

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
DISPATCH = {
    "id": "HD-20261206-000042",
    "before": {"state": "accepted", "unit": None},
    "after": {"state": "dispatched", "unit": "乐都区住建局"},
    "actor": "王调度",
    "note": "请于两个工作日内签收",
}


def _make_due(delivery):
    # Stand-in for waiting out the backoff.
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_published_event_reaches_the_receiver_signed_with_the_endpoint_secret(
    webhook_receiver, django_capture_on_commit_callbacks
):
    hook = webhook_receiver.endpoint(event_types="case.*")
    occurred = datetime(2026, 12, 6, 10, 3, 4, tzinfo=SHANGHAI)
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = services.publish_event(
            type="case.dispatch", data=DISPATCH, occurred_at=occurred
        )

    ((headers, body),) = webhook_receiver.requests
    assert webhook_receiver.paths == ["/hooks/gongzhi"]
    event = json.loads(body)
    assert event == {
        "id": delivery.event_id,
        "type": "case.dispatch",
        "occurred_at": "2026-12-06T02:03:04+00:00",  # sent in UTC
        "data": DISPATCH,
    }
    assert "乐都区住建局".encode() in body  # UTF-8 as it is, not \\u escapes
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Gongzhi-Event"] == "case.dispatch"
    assert headers["X-Gongzhi-Delivery"] == event["id"] == delivery.event_id
    assert abs(int(headers["X-Gongzhi-Timestamp"]) - time.time()) < 30

    # The signature: sha256= HMAC-SHA256 of "<timestamp>.<raw body>" with the secret.
    signed = headers["X-Gongzhi-Timestamp"].encode() + b"." + body
    expected = hmac.new(hook.secret.encode(), signed, hashlib.sha256).hexdigest()
    assert headers["X-Gongzhi-Signature"] == f"sha256={expected}"
    assert receiver_verifies(hook.secret, headers, body)
    assert not receiver_verifies("another secret", headers, body)
    assert not receiver_verifies(hook.secret, headers, body.replace(b"dispatched", b"closed"))
    # The app's own verifier (for a Gongzhi receiving events) agrees, and refuses old ones.
    check = {
        "secret": hook.secret,
        "body": body,
        "timestamp": headers["X-Gongzhi-Timestamp"],
        "signature_header": headers["X-Gongzhi-Signature"],
    }
    assert verify(**check)
    assert not verify(**check, now=time.time() + 3600)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("sent", 1, 200)
    assert delivery.endpoint == hook and delivery.sent_at and not delivery.last_error


def test_a_500_is_retried_with_the_same_delivery_id_until_it_is_sent(
    webhook_receiver, django_capture_on_commit_callbacks
):
    hook = webhook_receiver.endpoint()
    webhook_receiver.respond_with(500, 200)
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = services.publish_event(type="case.close", data={"id": "HD-1"})
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.FAILED, 500)
    assert "HTTP 500" in delivery.last_error and delivery.next_attempt_at > timezone.now()

    call_command("notify", "retry")  # not due yet: nothing is sent
    assert len(webhook_receiver.requests) == 1
    _make_due(delivery)
    call_command("notify", "retry")  # the cron job, once the backoff has passed

    first, second = webhook_receiver.requests
    assert first[0]["X-Gongzhi-Delivery"] == second[0]["X-Gongzhi-Delivery"] == delivery.event_id
    assert first[1] == second[1]  # the same body, byte for byte
    assert all(webhook_receiver.verify(hook.secret, h, b) for h, b in webhook_receiver.requests)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("sent", 2, 200)
    assert not delivery.last_error


@pytest.mark.parametrize(
    "status, outcome",
    [
        (410, DeliveryStatus.DEAD),
        (400, DeliveryStatus.DEAD),
        (401, DeliveryStatus.DEAD),
        (404, DeliveryStatus.DEAD),
        (422, DeliveryStatus.DEAD),
        (408, DeliveryStatus.FAILED),
        (429, DeliveryStatus.FAILED),
        (502, DeliveryStatus.FAILED),
        (503, DeliveryStatus.FAILED),
        (307, DeliveryStatus.FAILED),  # a redirect is not followed; it may be fixed later
    ],
)
def test_a_refusing_4xx_is_final_and_everything_else_is_retried(
    webhook_receiver, django_capture_on_commit_callbacks, status, outcome
):
    webhook_receiver.endpoint()
    webhook_receiver.default_status = status
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = services.publish_event(type="case.close", data={})
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (outcome, 1, status)
    assert f"HTTP {status}" in delivery.last_error
    _make_due(delivery)
    call_command("notify", "retry")
    expected = 1 if outcome == DeliveryStatus.DEAD else 2
    assert len(webhook_receiver.requests) == expected
    assert webhook_receiver.paths == ["/hooks/gongzhi"] * expected  # never /elsewhere


def test_a_refused_connection_and_a_timeout_are_retried(
    webhook_receiver, settings, django_capture_on_commit_callbacks
):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    WebhookEndpoint.objects.create(name="gone", url=f"http://127.0.0.1:{closed_port}/hook")
    settings.GONGZHI_NOTIFY_HTTP_TIMEOUT = 0.3
    webhook_receiver.delay = 1.5
    webhook_receiver.endpoint()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_event(type="case.close", data={})
    refused = Delivery.objects.get(endpoint__name="gone")
    slow = Delivery.objects.get(endpoint__url=webhook_receiver.url)
    assert refused.status == slow.status == DeliveryStatus.FAILED
    assert refused.response_code is None and "refused" in refused.last_error.lower()
    assert slow.response_code is None and "timed out" in slow.last_error.lower()


def test_an_endpoint_gets_only_the_events_it_subscribes_to(
    webhook_receiver, django_capture_on_commit_callbacks
):
    hook = webhook_receiver.endpoint(event_types="case.*")
    with django_capture_on_commit_callbacks(execute=True):
        deliveries = services.publish_events(
            [
                Event(type="case.dispatch", data=DISPATCH),
                {"type": "dispute.accept", "data": {"id": "TJ-7"}},
                {"type": "cases.dispatch", "data": {}},  # not case.*
            ]
        )
    assert [d.endpoint for d in deliveries] == [hook]
    assert [e["type"] for e in webhook_receiver.events] == ["case.dispatch"]


def test_a_disabled_endpoint_receives_nothing(webhook_receiver, django_capture_on_commit_callbacks):
    webhook_receiver.endpoint(enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish_event(type="case.dispatch", data=DISPATCH) == []
    with pytest.raises(ValueError, match="disabled"):
        services.send_test_event(endpoint=WebhookEndpoint.objects.get())
    assert not Delivery.objects.exists()
    assert not webhook_receiver.requests


def test_publishing_with_no_endpoint_is_one_read_and_writes_nothing(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        with django_assert_num_queries(1):
            assert services.publish_event(type="case.dispatch", data=DISPATCH) == []
        # Endpoints that are off or listen for something else change nothing.
        WebhookEndpoint.objects.create(name="off", url="http://127.0.0.1:9/", enabled=False)
        WebhookEndpoint.objects.create(name="x", url="http://127.0.0.1:9/", event_types="sensing.*")
        with django_assert_num_queries(1):
            batch = [Event(type="case.dispatch", data=DISPATCH)] * 20
            assert services.publish_events(batch) == []
        with django_assert_num_queries(0):
            assert services.publish_events([]) == []
    assert callbacks == []
    assert not Delivery.objects.exists()


def test_a_batch_is_one_read_and_one_insert(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    for name in ("a", "b"):
        WebhookEndpoint.objects.create(name=name, url=f"http://127.0.0.1:9/{name}")
    batch = [
        Event(type="case.dispatch", data={"id": f"HD-{n}"}, id=f"HD-{n}:dispatch:1")
        for n in range(20)
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        # The endpoints, then a savepoint around one INSERT of all 40 rows.
        with django_assert_num_queries(4):
            deliveries = services.publish_events(batch)
    assert len(callbacks) == 1
    assert len(deliveries) == 40 and all(d.pk for d in deliveries)
    # Event by event, each to every endpoint; the caller's ids are kept.
    assert [(d.event_id, d.endpoint.name) for d in deliveries[:4]] == [
        ("HD-0:dispatch:1", "a"),
        ("HD-0:dispatch:1", "b"),
        ("HD-1:dispatch:1", "a"),
        ("HD-1:dispatch:1", "b"),
    ]
    assert deliveries[0].payload["id"] == "HD-0:dispatch:1"


@pytest.mark.parametrize(
    "event, error",
    [
        ({"type": "has space", "data": {}}, ValueError),
        ({"type": "case.close", "data": ["not", "a", "dict"]}, TypeError),
        ({"type": "case.close", "data": {"x": object()}}, TypeError),
        ({"type": "case.close", "data": {}, "occurred_at": datetime(2026, 1, 1)}, ValueError),
        ({"type": "case.close", "data": {}, "occurred_at": "2026-01-01"}, ValueError),
        ({"type": "case.close", "data": {}, "id": "no spaces please"}, ValueError),
        ({"type": "case.close", "data": {"photo": "x" * 300_000}}, ValueError),
        ({"type": "case.close", "data": {}, "before": {}}, ValueError),
    ],
)
def test_a_bad_event_raises_and_publishes_nothing_even_without_endpoints(event, error):
    good = {"type": "case.dispatch", "data": DISPATCH}
    with pytest.raises(error):
        services.publish_events([good, event])
    WebhookEndpoint.objects.create(name="all", url="http://127.0.0.1:9/")
    with pytest.raises(error):
        services.publish_events([good, event])
    assert not Delivery.objects.exists()


def test_dates_and_times_in_data_are_sent_as_iso_text(webhook_receiver):
    webhook_receiver.endpoint()
    deadline = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    (delivery,) = services.publish_event(type="case.extend", data={"deadline": deadline})
    assert delivery.payload["data"] == {"deadline": "2026-12-08T09:00:00Z"}


# ---- the admin: listed, tested, retried ----------------------------------------------


def _change_page(admin_client, hook):
    return admin_client.get(
        reverse("admin:notify_webhookendpoint_change", args=[hook.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()


def test_the_endpoint_page_lists_its_recent_deliveries(
    webhook_receiver, admin_client, django_capture_on_commit_callbacks
):
    hook = webhook_receiver.endpoint(name="市大数据局")
    webhook_receiver.respond_with(200, 503)
    with django_capture_on_commit_callbacks(execute=True):
        sent, failing = services.publish_events(
            [Event(type="case.dispatch", data=DISPATCH), Event(type="case.close", data={})]
        )
    html = _change_page(admin_client, hook)
    assert 'data-testid="webhook-deliveries"' in html
    for delivery in (sent, failing):
        assert delivery.event_id in html
        assert reverse("admin:notify_delivery_change", args=[delivery.pk]) in html
    assert "case.dispatch" in html and "case.close" in html
    assert "Sent" in html and "Failed, will retry" in html
    assert "503" in html and "HTTP 503" in html and "1/3" in html
    assert f"?endpoint__id__exact={hook.pk}" in html
    assert "X-Gongzhi-Signature" in html  # the signing scheme, explained by the secret
    assert "sha256= followed by the hex HMAC-SHA256 of the timestamp" in html
    chinese = admin_client.get(
        reverse("admin:notify_webhookendpoint_change", args=[hook.pk]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    for text in (
        "最近投递",
        "发送测试事件",
        "立即重试失败的投递",
        "响应状态码",
        "发送失败，待重试",
    ):
        assert text in chinese

    listing = admin_client.get(
        reverse("admin:notify_webhookendpoint_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert listing.status_code == 200
    (row,) = listing.context["cl"].result_list
    assert row.failures == 1
    # The delivery log filters by endpoint and finds a delivery by the id a receiver saw.
    log = reverse("admin:notify_delivery_changelist")
    found = admin_client.get(log, {"endpoint__id__exact": hook.pk}).context["cl"].result_list
    assert set(found) == {sent, failing}
    found = admin_client.get(log, {"q": failing.event_id}).context["cl"].result_list
    assert list(found) == [failing]


def test_a_new_endpoint_page_says_nothing_was_sent_yet(webhook_receiver, admin_client):
    hook = webhook_receiver.endpoint()
    assert "Nothing has been sent to this endpoint yet" in _change_page(admin_client, hook)


def test_send_a_test_event_from_the_endpoint_page(webhook_receiver, admin_client):
    hook = webhook_receiver.endpoint(event_types="case.*")  # a ping goes whatever is listed
    ping = reverse("admin:notify_webhookendpoint_ping", args=[hook.pk])
    assert f'action="{ping}"' in _change_page(admin_client, hook)
    assert admin_client.get(ping).status_code == 403  # it sends: never on a GET

    response = admin_client.post(ping, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Test event delivered to 测试接收端 (HTTP 200)." in response.content.decode()
    ((headers, body),) = webhook_receiver.requests
    assert headers["X-Gongzhi-Event"] == "ping"
    assert webhook_receiver.verify(hook.secret, headers, body)
    assert json.loads(body)["data"] == {"endpoint": {"id": hook.pk, "name": "测试接收端"}}
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.endpoint, delivery.response_code) == ("sent", hook, 200)
    assert delivery.event_id in _change_page(admin_client, hook)


def test_the_test_event_action_reports_failures_and_skips_disabled_endpoints(
    webhook_receiver, admin_client
):
    on = webhook_receiver.endpoint(name="on")
    off = webhook_receiver.endpoint(name="off", enabled=False)
    webhook_receiver.default_status = 500
    response = admin_client.post(
        reverse("admin:notify_webhookendpoint_changelist"),
        {"action": "send_test_event", "_selected_action": [on.pk, off.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert "The test event to on failed and will be retried: HTTP 500" in html
    assert "Off is disabled: enable it to send a test event." in html
    assert len(webhook_receiver.requests) == 1
    (delivery,) = Delivery.objects.all()
    assert (delivery.endpoint, delivery.status) == (on, DeliveryStatus.FAILED)


def test_retry_now_from_the_endpoint_page_sends_failed_deliveries_again(
    webhook_receiver, admin_client, django_capture_on_commit_callbacks
):
    hook = webhook_receiver.endpoint()
    webhook_receiver.respond_with(410)
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = services.publish_event(type="case.close", data={})
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD  # the receiver said gone; now it is back

    retry = reverse("admin:notify_webhookendpoint_retry", args=[hook.pk])
    assert f'action="{retry}"' in _change_page(admin_client, hook)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(retry, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "1 delivery queued again." in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("sent", 2, 200)
    first, second = webhook_receiver.requests
    assert first[0]["X-Gongzhi-Delivery"] == second[0]["X-Gongzhi-Delivery"]

    # The list action does the same for the selected endpoints; nothing is left to retry.
    response = admin_client.post(
        reverse("admin:notify_webhookendpoint_changelist"),
        {"action": "retry_failed", "_selected_action": [hook.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "0 deliveries queued again." in response.content.decode()


def test_only_staff_who_may_change_endpoints_can_ping_or_retry(
    webhook_receiver, client, django_user_model
):
    from django.contrib.auth.models import Permission

    hook = webhook_receiver.endpoint()
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_webhookendpoint"))
    client.force_login(viewer)
    for name in ("ping", "retry"):
        url = reverse(f"admin:notify_webhookendpoint_{name}", args=[hook.pk])
        assert client.post(url).status_code == 403
    assert not webhook_receiver.requests and not Delivery.objects.exists()
