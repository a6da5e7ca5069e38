"""Stopping a task (中止) that will not be carried out, e.g. made moot: the committee only,
with a reason that is published beside it; no more progress (409); not late any more; its
unspent budget free for other tasks; and it does not hold up the result."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.deliberation.choices import ImplementationState
from gongzhi.deliberation.models import Implementation
from gongzhi.deliberation.openness import jobs, services
from gongzhi.notify.models import Notification

pytestmark = pytest.mark.django_db
API = "/api/v1/deliberation"
MOOT = "县里已统一安排硬化，本村不再施工。"


def add(hall, matter, soon, **kw):
    kw.setdefault("title", "路基平整")
    kw.setdefault("owner_name", "村建设队")
    return services.do_add_implementation(actor=hall.clerk, matter=matter, due_on=soon, **kw)


def as_(user):
    client = Client()
    client.force_login(user)
    return client


def test_only_the_committee_stops_and_only_with_a_reason(hall, matter, soon):
    task = add(hall, matter, soon, owner=hall.secretary)
    for who in (hall.villagers[0], hall.other_clerk, hall.township_staff):
        with pytest.raises(NotAllowed):
            services.do_stop(actor=who, implementation=task, reason=MOOT)
    for bad in ("", "  ", "不做了"):
        with pytest.raises(ServiceError) as caught:
            services.do_stop(actor=hall.clerk, implementation=task, reason=bad)
        assert caught.value.field == "reason"
    task.refresh_from_db()
    assert task.state == ImplementationState.PLANNED and task.stop_reason == ""

    services.do_stop(actor=hall.clerk, implementation=task, reason=MOOT)
    task.refresh_from_db()
    assert (task.state, task.stop_reason, task.stopped_by) == ("stopped", MOOT, hall.clerk)
    told = Notification.objects.get(kind="deliberation.task_stopped")
    assert told.recipient_id == hall.secretary.pk and MOOT in told.body
    with pytest.raises(Conflict):  # once
        services.do_stop(actor=hall.clerk, implementation=task, reason=MOOT)


def test_a_stopped_task_takes_no_progress(hall, matter, soon):
    task = add(hall, matter, soon)
    services.do_progress(actor=hall.clerk, implementation=task, percent=20, note="开工")
    services.do_stop(actor=hall.clerk, implementation=task, reason=MOOT)
    with pytest.raises(Conflict) as caught:
        services.do_progress(actor=hall.clerk, implementation=task, percent=30, note="继续")
    assert caught.value.code == "stopped" and caught.value.status == 409
    task.refresh_from_db()
    assert task.percent == 20 and task.updates.count() == 1


def test_a_completed_task_cannot_be_stopped(hall, matter, soon):
    task = add(hall, matter, soon)
    services.do_progress(actor=hall.clerk, implementation=task, percent=100, note="完工")
    with pytest.raises(Conflict):
        services.do_stop(actor=hall.clerk, implementation=task, reason=MOOT)
    task.refresh_from_db()
    assert task.state == ImplementationState.COMPLETED and task.stop_reason == ""


def test_a_stopped_task_is_no_longer_late(hall, matter, soon, today):
    late, moot = add(hall, matter, soon), add(hall, matter, soon, title="排水沟")
    Implementation.objects.filter(pk__in=[late.pk, moot.pk]).update(
        due_on=today - dt.timedelta(days=3)
    )
    services.do_stop(actor=hall.clerk, implementation=moot, reason=MOOT)
    assert jobs.tick(now=timezone.now()) == {"late_noticed": 1}  # only the other one
    assert Implementation.objects.get(pk=moot.pk).late_noticed_at is None
    rows = {r["title"]: r for r in as_(hall.clerk).get(f"{API}/implementations").json()["items"]}
    assert rows["排水沟"]["late"] is False and rows["排水沟"]["stop_reason"] == MOOT
    assert rows["路基平整"]["late"] is True
    page = as_(hall.township_staff).get(reverse("deliberation:overview")).content.decode()
    assert "路基平整" in page and "排水沟" not in page


def test_a_stopped_tasks_unspent_budget_is_free_again(hall, matter, soon):
    # The matter's budget: ¥50,000.
    task = add(hall, matter, soon, budget="30000")
    services.do_progress(
        actor=hall.clerk, implementation=task, percent=10, note="备料", spent="5000"
    )
    with pytest.raises(ServiceError) as caught:
        add(hall, matter, soon, title="另选路线", budget="25000")
    assert caught.value.code == "over_budget"
    services.do_stop(actor=hall.clerk, implementation=task, reason=MOOT)
    with pytest.raises(ServiceError):  # what it spent stays spent
        add(hall, matter, soon, title="另选路线", budget="45000.01")
    other = add(hall, matter, soon, title="另选路线", budget="45000")
    assert other.budget == Decimal("45000")


def test_stopped_tasks_do_not_hold_up_the_result(hall, matter, soon):
    done, moot = add(hall, matter, soon), add(hall, matter, soon, title="排水沟")
    services.do_progress(actor=hall.clerk, implementation=done, percent=100, note="完工")
    with pytest.raises(Conflict):
        services.check_result_ready(matter)
    services.do_stop(actor=hall.clerk, implementation=moot, reason=MOOT)
    services.check_result_ready(matter)


def test_stopped_with_its_reason_on_the_public_page(hall, matter, soon):
    kept = add(hall, matter, soon)
    moot = add(hall, matter, soon, title="排水沟")
    services.do_progress(actor=hall.clerk, implementation=kept, percent=60, note="路基完成")
    services.do_stop(actor=hall.clerk, implementation=moot, reason=MOOT)
    html = Client().get(f"/deliberation/v/{hall.village.code}/").content.decode()
    assert "排水沟" in html and "已中止" in html and MOOT in html
    data = Client().get(f"{API}/public/{hall.village.code}").json()
    tasks = {t["title"]: t for t in data["decisions"][0]["implementations"]}
    assert tasks["排水沟"]["state"] == "stopped" and tasks["排水沟"]["stop_reason"] == MOOT
    assert tasks["路基平整"]["stop_reason"] == ""
    assert data["decisions"][0]["percent"] == 60  # a stopped task is not work left undone


def test_stop_from_the_task_page(hall, matter, soon):
    task = add(hall, matter, soon)
    page = reverse("deliberation:implementation", args=[task.pk])
    act = reverse("deliberation:openness_act")
    villager = as_(hall.villagers[0])
    assert 'data-testid="stop-form"' not in villager.get(page).content.decode()
    assert villager.post(act, {"action": "stop", "id": task.pk, "reason": MOOT}).status_code == 403
    clerk = as_(hall.clerk)
    assert 'data-testid="stop-form"' in clerk.get(page).content.decode()
    r = clerk.post(act, {"action": "stop", "id": task.pk, "reason": "不做"})
    assert r.status_code == 400 and 'data-testid="action-error"' in r.content.decode()
    assert Implementation.objects.get(pk=task.pk).state == ImplementationState.PLANNED
    r = clerk.post(act, {"action": "stop", "id": task.pk, "reason": MOOT})
    assert r.status_code == 302
    shown = clerk.get(page).content.decode()
    assert 'data-testid="stop-reason"' in shown and MOOT in shown
    assert 'data-testid="stop-form"' not in shown and 'data-testid="progress-form"' not in shown
    r = clerk.post(act, {"action": "progress", "id": task.pk, "percent": 50, "note": "继续施工"})
    assert r.status_code == 409


def test_stop_through_the_api(hall, matter, soon):
    task = add(hall, matter, soon)
    url = f"{API}/implementations/{task.pk}/stop"
    r = as_(hall.villagers[0]).post(url, {"reason": MOOT}, content_type="application/json")
    assert r.status_code == 403
    r = as_(hall.clerk).post(url, {"reason": ""}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = as_(hall.clerk).post(url, {"reason": MOOT}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "stopped"
    assert r.json()["stop_reason"] == MOOT
    r = as_(hall.clerk).post(url, {"reason": MOOT}, content_type="application/json")
    assert r.status_code == 409
    r = as_(hall.clerk).post(
        f"{API}/implementations/{task.pk}/progress", {"percent": 10, "note": "开工"}
    )
    assert r.status_code == 409 and r.json()["error"] == "stopped"
    assert (
        as_(hall.outsider).post(url, {"reason": MOOT}, content_type="application/json").status_code
        == 404
    )
