"""Channels against real endpoints: an SMS gateway and a webhook receiver on 127.0.0.1."""

import hashlib
import hmac
import json
import socket

import pytest

from gongzhi.notify import services
from gongzhi.notify.models import Delivery, DeliveryStatus, WebhookEndpoint
from gongzhi.notify.tasks import deliver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def test_sms_is_posted_as_json_to_the_gateway(
    make_user, sms_gateway, settings, django_capture_on_commit_callbacks
):
    settings.GONGZHI_SMS_GATEWAY_TOKEN = "t0ken"
    settings.GONGZHI_SITE_URL = "https://gongzhi.example.test/"
    user = make_user(mobile="13812345678")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.notify(
            recipients=[user],
            kind="case.dispatched",
            title="新工单",
            body="路灯不亮",
            link="/cases/42",
            channels=("in_app", "sms"),
        )
    (request,) = sms_gateway.requests
    assert request["path"] == "/sms/send"
    assert request["json"] == {
        "phone": "13812345678",
        "text": "新工单：路灯不亮 https://gongzhi.example.test/cases/42",
        "sign": "共治",
    }
    assert request["headers"]["Authorization"] == "Bearer t0ken"
    assert request["headers"]["Content-Type"].startswith("application/json")
    delivery = Delivery.objects.get(pk=result.deliveries[0].pk)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1 and delivery.sent_at and not delivery.last_error


def test_webhook_event_is_signed_with_the_endpoint_secret(
    receiver, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpoint.objects.create(
        name="区大数据局", url=receiver.url + "/hooks/gongzhi", event_types="case.*"
    )
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = services.publish_event(
            type="case.closed",
            data={"id": 7, "before": {"state": "resolved"}, "after": {"state": "closed"}},
        )
    (request,) = receiver.requests
    timestamp = request["headers"]["X-Gongzhi-Timestamp"]
    signed = timestamp.encode() + b"." + request["body"]
    expected = hmac.new(endpoint.secret.encode(), signed, hashlib.sha256).hexdigest()
    assert request["headers"]["X-Gongzhi-Signature"] == f"sha256={expected}"
    assert request["headers"]["X-Gongzhi-Event"] == "case.closed"
    # The event's id, not the row's: the same on every retry.
    assert request["headers"]["X-Gongzhi-Delivery"] == delivery.payload["id"] == delivery.event_id
    event = request["json"]
    assert event["type"] == "case.closed" and event["id"] == delivery.payload["id"]
    assert event["data"] == {"id": 7, "before": {"state": "resolved"}, "after": {"state": "closed"}}
    assert event["occurred_at"].endswith("+00:00")
    # A tampered body no longer matches the signature.
    tampered = timestamp.encode() + b"." + json.dumps({**event, "type": "case.deleted"}).encode()
    assert hmac.new(endpoint.secret.encode(), tampered, hashlib.sha256).hexdigest() != expected
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT


def test_an_endpoint_disabled_before_sending_is_skipped(
    receiver, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpoint.objects.create(name="x", url=receiver.url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (delivery,) = services.publish_event(type="case.closed", data={})
    endpoint.enabled = False
    endpoint.save()
    callbacks[0]()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SKIPPED and "disabled" in delivery.last_error
    assert not receiver.requests


def test_email_goes_through_django_mail(
    make_user, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "noreply@gongzhi.example.test"
    settings.GONGZHI_SITE_URL = "https://gongzhi.example.test"
    user = make_user(email="leader@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.notify(
            recipients=[user],
            kind="case.supervised",
            title="督办\n通知",
            body="请尽快办理",
            link="/cases/9",
            channels=("email",),
        )
    (mail,) = mailoutbox
    assert mail.to == ["leader@example.test"]
    assert mail.from_email == "noreply@gongzhi.example.test"
    assert mail.subject == "督办 通知"
    assert mail.body == "请尽快办理\n\nhttps://gongzhi.example.test/cases/9"
    assert Delivery.objects.get(pk=result.deliveries[0].pk).status == DeliveryStatus.SENT


def _sms_delivery(user, captured):
    with captured(execute=False):
        result = services.notify(recipients=[user], kind="k", title="t", channels=("sms",))
    return result.deliveries[0]


@pytest.mark.parametrize(
    "status, outcome",
    [
        (500, DeliveryStatus.FAILED),
        (503, DeliveryStatus.FAILED),
        (429, DeliveryStatus.FAILED),
        (302, DeliveryStatus.FAILED),
        (400, DeliveryStatus.DEAD),
        (404, DeliveryStatus.DEAD),
    ],
)
def test_non_2xx_is_a_failure_and_4xx_is_permanent(
    make_user, sms_gateway, status, outcome, django_capture_on_commit_callbacks
):
    sms_gateway.default_status = status
    delivery = _sms_delivery(make_user(), django_capture_on_commit_callbacks)
    assert deliver.call(delivery.pk) == outcome
    delivery.refresh_from_db()
    assert delivery.status == outcome and delivery.attempts == 1
    assert f"HTTP {status}" in delivery.last_error
    assert len(sms_gateway.requests) == 1  # a redirect is reported, not followed


def test_refused_connection_and_timeout_are_retryable_failures(
    make_user, receiver, settings, django_capture_on_commit_callbacks
):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    settings.GONGZHI_SMS_GATEWAY_URL = f"http://127.0.0.1:{closed_port}/sms"
    delivery = _sms_delivery(make_user(), django_capture_on_commit_callbacks)
    assert deliver.call(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert "refused" in delivery.last_error.lower()

    settings.GONGZHI_SMS_GATEWAY_URL = receiver.url + "/slow"
    settings.GONGZHI_NOTIFY_HTTP_TIMEOUT = 0.3
    receiver.delay = 1.5
    delivery = _sms_delivery(make_user(), django_capture_on_commit_callbacks)
    assert deliver.call(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert "timed out" in delivery.last_error.lower()
