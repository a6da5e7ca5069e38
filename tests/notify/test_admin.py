"""The admin pages open, and a webhook endpoint can be added there."""

import pytest
from django.urls import reverse

from gongzhi.notify import services
from gongzhi.notify.admin import mask_target
from gongzhi.notify.models import Delivery, Notification, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Notification, Delivery, WebhookEndpoint])
def test_changelist_and_change_pages_open(admin_client, make_user, settings, model):
    settings.GONGZHI_SMS_GATEWAY_URL = ""
    services.notify(recipients=[make_user()], kind="k", title="t", channels=("in_app", "sms"))
    WebhookEndpoint.objects.create(name="hook", url="http://127.0.0.1:9/")
    info = (model._meta.app_label, model._meta.model_name)
    assert admin_client.get(reverse(f"admin:{info[0]}_{info[1]}_changelist")).status_code == 200
    obj = model.objects.first()
    assert (
        admin_client.get(reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk])).status_code
        == 200
    )


def test_an_administrator_adds_a_webhook_endpoint(admin_client):
    assert admin_client.get(reverse("admin:notify_webhookendpoint_add")).status_code == 200
    response = admin_client.post(
        reverse("admin:notify_webhookendpoint_add"),
        {
            "name": "市大数据局",
            "url": "https://hooks.example.test/gongzhi",
            "secret": "s3cret",
            "event_types": "case.*",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.subscribes_to("case.closed") and not endpoint.subscribes_to("sensing.alert")


def test_the_delivery_list_warns_about_failures_and_masks_phones(admin_client, make_user, settings):
    settings.GONGZHI_SMS_GATEWAY_URL = "http://127.0.0.1:9/"
    user = make_user(mobile="13812345678")
    (delivery,) = services.notify(
        recipients=[user], kind="k", title="t", channels=("sms",)
    ).deliveries
    Delivery.objects.filter(pk=delivery.pk).update(status="dead", last_error="HTTP 500")
    html = admin_client.get(
        reverse("admin:notify_delivery_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "1 delivery failed in the last 7 days" in html
    assert "138****5678" in html and "13812345678" not in html
    detail = admin_client.get(reverse("admin:notify_delivery_change", args=[delivery.pk]))
    assert "138****5678" in detail.content.decode()
    assert "13812345678" not in detail.content.decode()
    assert mask_target("email", "a@b.test") == "a@b.test"
