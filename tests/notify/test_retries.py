"""Retries with backoff, giving up, the claim against double sends, the retry command."""

import signal
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gongzhi.notify import services
from gongzhi.notify.models import Delivery, DeliveryStatus
from gongzhi.notify.tasks import deliver

pytestmark = pytest.mark.django_db


def _queued_sms(user, captured, *, execute=False):
    with captured(execute=execute):
        result = services.notify(recipients=[user], kind="k", title="督办", channels=("sms",))
    return result.deliveries[0]


def _make_due(delivery):
    # Stand-in for waiting out the backoff.
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def _deferred_tasks(delivery):
    return DBTaskResult.objects.filter(
        args_kwargs__args=[delivery.pk], run_after__gt=timezone.now()
    )


def test_failing_gateway_is_retried_with_backoff_then_dead_and_visible_in_admin(
    make_user, db_tasks, sms_gateway, admin_client, django_capture_on_commit_callbacks
):
    sms_gateway.default_status = 500
    delivery = _queued_sms(make_user(), django_capture_on_commit_callbacks, execute=True)
    assert DBTaskResult.objects.count() == 1  # the first send, queued on commit
    DBTaskResult.objects.all().delete()  # ...and taken by the worker, which we play below

    delays = []
    for attempt in (1, 2):
        assert deliver.call(delivery.pk) == DeliveryStatus.FAILED
        delivery.refresh_from_db()
        assert delivery.attempts == attempt and delivery.status == DeliveryStatus.FAILED
        assert "HTTP 500" in delivery.last_error and "gateway broken" in delivery.last_error
        delays.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())
        # The retry is on the queue, held until it is due.
        (task,) = _deferred_tasks(delivery)
        assert task.run_after == delivery.next_attempt_at == delivery.queued_at
        # Not due yet: running it early sends nothing.
        assert deliver.call(delivery.pk) == "not-claimed"
        assert len(sms_gateway.requests) == attempt
        task.delete()
        _make_due(delivery)
    assert delays == pytest.approx([60, 120], abs=1)

    assert deliver.call(delivery.pk) == DeliveryStatus.DEAD
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("dead", 3, None)
    assert not _deferred_tasks(delivery).exists()
    assert deliver.call(delivery.pk) == "not-claimed"
    assert len(sms_gateway.requests) == 3

    changelist = reverse("admin:notify_delivery_changelist")
    page = admin_client.get(changelist, {"status__exact": "dead"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [delivery]
    assert "HTTP 500" in page.content.decode()
    assert not admin_client.get(changelist, {"status__exact": "sent"}).context["cl"].result_list


def test_a_delivery_is_claimed_once_so_it_is_never_sent_twice(
    make_user, immediate_tasks, sms_gateway, django_capture_on_commit_callbacks
):
    delivery = _queued_sms(make_user(), django_capture_on_commit_callbacks)
    assert deliver.call(delivery.pk) == DeliveryStatus.SENT
    assert deliver.call(delivery.pk) == "not-claimed"
    assert services.retry_due() == 0
    assert len(sms_gateway.requests) == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="concurrent workers need PostgreSQL (set DATABASE_URL): the in-memory SQLite "
    "test database locks whole tables across threads",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_once(make_user, db_tasks, sms_gateway):
    sms_gateway.delay = 0.3  # keep the first send in flight while the others try
    user = make_user()
    delivery = services.notify(
        recipients=[user], kind="k", title="t", channels=("sms",)
    ).deliveries[0]
    outcomes = []

    def worker():
        from django.db import connection

        try:
            outcomes.append(deliver.call(delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["not-claimed"] * 3 + ["sent"]
    assert len(sms_gateway.requests) == 1
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1


def test_retry_command_queues_due_work_once(
    make_user, db_tasks, settings, django_capture_on_commit_callbacks
):
    settings.GONGZHI_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    queued = _queued_sms(make_user(), django_capture_on_commit_callbacks, execute=True)
    lost = _queued_sms(make_user(), django_capture_on_commit_callbacks)  # on_commit never ran
    Delivery.objects.filter(pk=lost.pk).update(queued_at=None)
    later = _queued_sms(make_user(), django_capture_on_commit_callbacks)
    Delivery.objects.filter(pk=later.pk).update(
        status=DeliveryStatus.FAILED,
        queued_at=None,
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )
    assert DBTaskResult.objects.count() == 1

    call_command("notify", "retry")
    call_command("notify", "retry")  # cron firing twice, or beside a busy worker
    tasks = DBTaskResult.objects.values_list("args_kwargs__args", flat=True)
    assert sorted(tasks) == sorted([[queued.pk], [lost.pk]])

    # A task that sat unclaimed past the lease is presumed lost and queued again.
    Delivery.objects.filter(pk=queued.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    call_command("notify", "retry")
    assert DBTaskResult.objects.filter(args_kwargs__args=[queued.pk]).count() == 2
    assert not DBTaskResult.objects.filter(args_kwargs__args=[later.pk]).exists()


def test_retry_command_sends_due_failures_without_a_deferring_backend(
    make_user, immediate_tasks, sms_gateway, django_capture_on_commit_callbacks, capsys
):
    sms_gateway.statuses = [503]
    delivery = _queued_sms(make_user(), django_capture_on_commit_callbacks, execute=True)
    delivery.refresh_from_db()
    # The immediate backend cannot hold a task: nothing queued, the cron job owns the retry.
    assert delivery.status == DeliveryStatus.FAILED and delivery.queued_at is None
    call_command("notify", "retry")
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED  # not due yet
    _make_due(delivery)
    call_command("notify", "retry")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert "queued 1 deliveries" in capsys.readouterr().out


def test_admin_retry_now_gives_a_dead_delivery_one_more_try(
    make_user, immediate_tasks, sms_gateway, admin_client, django_capture_on_commit_callbacks
):
    sms_gateway.default_status = 400
    dead = _queued_sms(make_user(), django_capture_on_commit_callbacks, execute=True)
    sent = _queued_sms(make_user(), django_capture_on_commit_callbacks, execute=False)
    Delivery.objects.filter(pk=sent.pk).update(status=DeliveryStatus.SENT)
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD

    sms_gateway.default_status = 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notify_delivery_changelist"),
            {"action": "retry_now", "_selected_action": [dead.pk, sent.pk]},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert "1 delivery queued again" in response.content.decode()
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.max_attempts) == (DeliveryStatus.SENT, 2, 3)
    assert len(sms_gateway.requests) == 2  # the dead one twice, the sent one never again


def test_stuck_sending_is_reported_not_resent(make_user, immediate_tasks, sms_gateway, capsys):
    user = get_user_model().objects.create_user("stuck", mobile="13800000000")
    delivery = services.notify(
        recipients=[user], kind="k", title="t", channels=("sms",)
    ).deliveries[0]
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, last_attempt_at=timezone.now() - timedelta(hours=2)
    )
    call_command("notify", "retry")
    assert "1 deliveries stuck in 'sending'" in capsys.readouterr().err
    assert not sms_gateway.requests


@pytest.fixture
def keep_signal_handlers():
    # db_worker installs SIGINT/SIGTERM handlers; give pytest its own back afterwards.
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_and_db_worker_deliver_for_real(
    make_user, db_tasks, sms_gateway, keep_signal_handlers
):
    sms_gateway.statuses = [200, 500]
    ok = services.notify(recipients=[make_user()], kind="k", title="ok", channels=("sms",))
    failing = services.notify(recipients=[make_user()], kind="k", title="bad", channels=("sms",))
    assert DBTaskResult.objects.filter(status="READY").count() == 2

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert len(sms_gateway.requests) == 2
    assert Delivery.objects.get(pk=ok.deliveries[0].pk).status == DeliveryStatus.SENT
    retried = Delivery.objects.get(pk=failing.deliveries[0].pk)
    assert retried.status == DeliveryStatus.FAILED
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    # Its retry waits on the queue; the batch worker left it for later.
    (waiting,) = DBTaskResult.objects.filter(status="READY")
    assert waiting.run_after == retried.next_attempt_at > timezone.now()
