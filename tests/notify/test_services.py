"""The service API: inbox rows, queuing after commit, organisation heads, webhooks fan-out."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from gongzhi.accounts.models import Membership, Organisation
from gongzhi.notify import services
from gongzhi.notify.models import Delivery, DeliveryStatus, Notification, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_in_app_rows_are_created_once_per_active_recipient(make_user):
    a, b = make_user(), make_user()
    gone = make_user(is_active=False)
    result = services.notify(
        recipients=[a, b.pk, a, gone],
        kind="case.dispatched",
        title="新工单：路灯不亮",
        body="请在 2 个工作日内签收",
        link="/cases/42",
        data={"case": 42},
    )
    assert len(result.notifications) == 2
    assert not result.deliveries
    rows = Notification.objects.order_by("recipient_id")
    assert [n.recipient for n in rows] == [a, b]
    note = rows[0]
    assert (note.kind, note.title, note.link, note.data) == (
        "case.dispatched",
        "新工单：路灯不亮",
        "/cases/42",
        {"case": 42},
    )
    assert note.read_at is None and not note.is_read


def test_a_single_user_or_a_queryset_is_accepted(make_user, django_user_model):
    a = make_user()
    assert len(services.notify(recipients=a, kind="x", title="t").notifications) == 1
    everyone = django_user_model.objects.all()
    assert len(services.notify(recipients=everyone, kind="x", title="t").notifications) == 1


@pytest.mark.parametrize(
    "change, error",
    [
        ({"channels": ("in_app", "pigeon")}, ValueError),
        ({"channels": ("webhook",)}, ValueError),
        ({"title": "  "}, ValueError),
        ({"title": "x" * 201}, ValueError),
        ({"kind": "has space"}, ValueError),
        ({"link": "javascript:alert(1)"}, ValueError),
        ({"link": "//evil.example/"}, ValueError),
        ({"data": {"not json": object()}}, TypeError),
    ],
)
def test_bad_input_raises_and_writes_nothing(make_user, change, error):
    arguments = {"recipients": [make_user()], "kind": "case.dispatched", "title": "ok"}
    with pytest.raises(error):
        services.notify(**{**arguments, **change})
    assert not Notification.objects.exists() and not Delivery.objects.exists()


def test_deliveries_are_queued_only_after_commit(
    make_user, db_tasks, sms_gateway, django_capture_on_commit_callbacks
):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.notify(
            recipients=[user],
            kind="case.supervised",
            title="督办",
            channels=("in_app", "sms", "email"),
        )
        # Rows exist in the transaction, but nothing is on the queue yet.
        assert {d.channel for d in result.deliveries} == {"sms", "email"}
        assert all(d.status == DeliveryStatus.PENDING for d in result.deliveries)
        assert all(d.notification == result.notifications[0] for d in result.deliveries)
        assert DBTaskResult.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    queued = DBTaskResult.objects.all()
    assert sorted(t.args_kwargs["args"][0] for t in queued) == sorted(
        d.pk for d in result.deliveries
    )
    assert {t.task_path for t in queued} == {"gongzhi.notify.tasks.deliver"}
    assert not sms_gateway.requests  # the DB backend waits for a worker


def test_a_rolled_back_transaction_creates_nothing_and_queues_nothing(
    make_user, db_tasks, sms_gateway, django_capture_on_commit_callbacks
):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.notify(recipients=[user], kind="k", title="t", channels=("in_app", "sms"))
                raise RuntimeError("the case could not be saved")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not sms_gateway.requests


def test_unconfigured_channel_and_missing_address_are_recorded_as_skipped(
    make_user, db_tasks, settings, django_capture_on_commit_callbacks
):
    with_phone, without_phone = make_user(), make_user(mobile="", email="")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.notify(recipients=[with_phone], kind="k", title="t", channels=("sms",))
    (skipped,) = result.deliveries
    assert skipped.status == DeliveryStatus.SKIPPED
    assert "not configured" in skipped.last_error
    assert skipped.notification is None  # no in-app row was asked for

    settings.GONGZHI_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    with django_capture_on_commit_callbacks(execute=True):
        result = services.notify(
            recipients=[with_phone, without_phone], kind="k", title="t", channels=("sms", "email")
        )
    by_user = {(d.recipient, d.channel): d for d in result.deliveries}
    assert by_user[(with_phone, "sms")].status == DeliveryStatus.PENDING
    assert by_user[(with_phone, "sms")].target == with_phone.mobile
    assert by_user[(without_phone, "sms")].status == DeliveryStatus.SKIPPED
    assert by_user[(without_phone, "email")].last_error == "recipient has no address for email"
    # Only the two sendable deliveries were queued.
    assert DBTaskResult.objects.count() == 2


def test_organisation_heads_are_notified_and_leaders_are_the_fallback(make_user):
    county = Organisation.objects.create(code="630202", name="乐都区")
    bureau = Organisation.objects.create(code="630202-zj", name="住建局", parent=county)
    head, deputy, clerk, retired = make_user(), make_user(), make_user(), make_user(is_active=False)
    Membership.objects.create(user=head, organisation=bureau, role="leader", is_head=True)
    Membership.objects.create(user=deputy, organisation=bureau, role="leader")
    Membership.objects.create(user=clerk, organisation=bureau, role="handler")
    Membership.objects.create(user=retired, organisation=bureau, role="leader", is_head=True)
    Membership.objects.create(user=clerk, organisation=county, role="leader")

    result = services.notify_organisation_heads(
        organisation=bureau, kind="case.supervised", title="督办：工单已超期"
    )
    assert [n.recipient for n in result.notifications] == [head]

    Membership.objects.filter(user=head).update(is_head=False)
    result = services.notify_organisation_heads(organisation=bureau, kind="k", title="t")
    assert sorted(n.recipient.pk for n in result.notifications) == sorted([head.pk, deputy.pk])


def test_an_organisation_without_head_or_leader_is_logged(make_user, caplog):
    office = Organisation.objects.create(code="630202-sfs", name="司法所")
    Membership.objects.create(user=make_user(), organisation=office, role="mediator")
    result = services.notify_organisation_heads(organisation=office, kind="k", title="t")
    assert result.notifications == []
    assert "has no head or leader" in caplog.text


def test_publish_event_fans_out_to_enabled_subscribed_endpoints(
    db_tasks, django_capture_on_commit_callbacks
):
    all_events = WebhookEndpoint.objects.create(name="all", url="http://127.0.0.1:9/a")
    cases = WebhookEndpoint.objects.create(
        name="cases", url="http://127.0.0.1:9/c", event_types="case.*, mediation.closed"
    )
    WebhookEndpoint.objects.create(name="off", url="http://127.0.0.1:9/o", enabled=False)
    WebhookEndpoint.objects.create(
        name="other", url="http://127.0.0.1:9/x", event_types="sensing.*"
    )

    with django_capture_on_commit_callbacks(execute=True):
        deliveries = services.publish_event(
            type="case.closed",
            data={"id": 7, "before": {"state": "resolved"}, "after": {"state": "closed"}},
        )
    assert {d.endpoint for d in deliveries} == {all_events, cases}
    events = [d.payload for d in deliveries]
    assert events[0] == events[1]  # one event, one id, for every endpoint
    assert set(events[0]) == {"type", "id", "occurred_at", "data"}
    assert events[0]["data"]["after"] == {"state": "closed"}
    assert DBTaskResult.objects.count() == 2
    (only,) = services.publish_event(type="mediation.opened", data={})
    assert only.endpoint == all_events


def test_inbox_service_unread_first_and_only_own(make_user):
    me, other = make_user(), make_user()
    first = services.notify(recipients=[me], kind="k", title="first").notifications[0]
    second = services.notify(recipients=[me], kind="k", title="second").notifications[0]
    services.notify(recipients=[other], kind="k", title="not mine")
    services.mark_read(user=me, notification_id=second.pk)
    services.notify(recipients=[me], kind="k", title="third")

    assert [n.title for n in services.inbox(user=me)] == ["third", "first", "second"]
    assert services.unread_count(user=me) == 2
    with pytest.raises(Notification.DoesNotExist):
        services.mark_read(user=other, notification_id=first.pk)
    assert services.mark_all_read(user=me) == 2
    assert services.unread_count(user=me) == 0
    assert services.unread_count(user=other) == 1
