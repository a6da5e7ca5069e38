"""Carrying out a resolution: tasks with owners, deadlines and budgets; progress that never
goes back and completes at 100%; a late task noticed once; the result ready only when every
task is finished; ratings once, by villagers, after the result is published."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.deliberation.choices import ImplementationState, MatterState
from gongzhi.deliberation.models import Implementation, Progress, Rating
from gongzhi.deliberation.openness import jobs, services
from gongzhi.notify.models import Notification

pytestmark = pytest.mark.django_db


def add(hall, matter, soon, **kw):
    kw.setdefault("title", "路基平整")
    kw.setdefault("owner_name", "村建设队")
    return services.do_add_implementation(actor=hall.clerk, matter=matter, due_on=soon, **kw)


def test_adding_a_task_starts_the_implementation(hall, matter, soon):
    task = add(hall, matter, soon, owner=hall.clerk, owner_name="", budget="20000")
    assert (task.owner, task.owner_name, task.budget) == (hall.clerk, "韩文书", Decimal("20000"))
    assert task.state == ImplementationState.PLANNED
    matter.refresh_from_db()
    assert matter.state == MatterState.IMPLEMENTING
    add(hall, matter, soon, title="浇筑路面")  # and more while implementing
    assert matter.implementations.count() == 2


@pytest.mark.parametrize("state", [MatterState.RESOLVED, MatterState.DONE, MatterState.FAILED])
def test_no_task_before_publication_or_after_the_end(hall, make_matter, soon, state):
    matter = make_matter(state=state)
    with pytest.raises(Conflict):
        add(hall, matter, soon)
    assert not Implementation.objects.exists()


def test_only_the_committee_plans(hall, matter, soon):
    for who in (hall.villagers[0], hall.other_clerk, hall.township_staff):
        with pytest.raises(NotAllowed):
            services.do_add_implementation(
                actor=who, matter=matter, title="x", owner_name="y", due_on=soon
            )
    assert not Implementation.objects.exists()


def test_owner_must_be_village_staff_and_due_date_ahead(hall, matter, soon, today):
    with pytest.raises(ServiceError) as caught:
        add(hall, matter, soon, owner=hall.other_clerk)
    assert caught.value.field == "owner"
    with pytest.raises(ServiceError) as caught:
        services.do_add_implementation(
            actor=hall.clerk, matter=matter, title="", owner_name="", due_on=today - dt.timedelta(1)
        )
    assert {e.field for e in caught.value.all} == {"title", "owner_name", "due_on"}
    assert not Implementation.objects.exists()


def test_budgets_may_not_exceed_the_matters(hall, matter, soon):
    add(hall, matter, soon, budget="30000")
    add(hall, matter, soon, budget="20000")  # exactly the ¥50,000 of the matter
    with pytest.raises(ServiceError) as caught:
        add(hall, matter, soon, budget="0.01")
    assert caught.value.code == "over_budget"
    assert matter.implementations.count() == 2
    with pytest.raises(ServiceError):
        add(hall, matter, soon, budget="-5")


def test_no_matter_budget_no_limit(hall, make_matter, soon):
    matter = make_matter(budget=None)
    add(hall, matter, soon, budget="900000")
    assert matter.implementations.count() == 1


def progress(hall, task, percent, note="完成部分工程", **kw):
    kw.setdefault("actor", hall.clerk)
    return services.do_progress(implementation=task, percent=percent, note=note, **kw)


def test_progress_never_goes_back_and_100_completes(hall, matter, soon, today):
    task = add(hall, matter, soon)
    progress(hall, task, 30)
    assert task.state == ImplementationState.UNDER_WAY and task.percent == 30
    with pytest.raises(ServiceError) as caught:
        progress(hall, task, 20)
    assert caught.value.code == "backwards"
    for bad in (-1, 101, "abc"):
        with pytest.raises(ServiceError):
            progress(hall, task, bad)
    progress(hall, task, 30, note="雨天停工")  # the same percentage is allowed
    progress(hall, task, 100, note="路面浇筑完成")
    assert task.state == ImplementationState.COMPLETED and task.completed_on == today
    with pytest.raises(Conflict):
        progress(hall, task, 100)
    assert list(task.updates.values_list("percent", flat=True)) == [30, 30, 100]


def test_owner_or_committee_report_progress(hall, matter, soon):
    task = add(hall, matter, soon, owner=hall.secretary)
    progress(hall, task, 10, actor=hall.secretary)
    for who in (hall.villagers[0], hall.other_clerk, hall.township_staff):
        with pytest.raises(NotAllowed):
            progress(hall, task, 20, actor=who)
    assert Progress.objects.count() == 1


def test_spending_beyond_the_budget_needs_a_reason(hall, matter, soon):
    task = add(hall, matter, soon, budget="10000")
    with pytest.raises(ServiceError) as caught:
        progress(hall, task, 50, spent="12000")
    assert caught.value.field == "over_budget_reason"
    assert not Progress.objects.exists()
    update = progress(hall, task, 50, spent="12000", over_budget_reason="钢材涨价")
    assert "钢材涨价" in update.note
    task.refresh_from_db()
    assert task.spent == Decimal("12000")


def test_progress_photos(hall, matter, soon, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.web.phone import a_photo

    settings.MEDIA_ROOT = tmp_path
    task = add(hall, matter, soon)
    data = a_photo(tmp_path).read_bytes()
    update = progress(hall, task, 40, photos=[SimpleUploadedFile("a.jpg", data, "image/jpeg")])
    assert len(update.photos) == 1 and set(update.photos[0]) == {"full", "thumb"}
    with pytest.raises(ServiceError) as caught:
        progress(hall, task, 50, photos=[SimpleUploadedFile("b.jpg", b"not an image")])
    assert caught.value.field == "photos"
    task.refresh_from_db()
    assert task.percent == 40


def test_late_task_noticed_exactly_once(hall, matter, soon, today):
    task = add(hall, matter, soon, owner=hall.secretary)
    done = add(hall, matter, soon, title="验收")
    progress(hall, done, 100)
    Implementation.objects.filter(pk__in=[task.pk, done.pk]).update(due_on=today - dt.timedelta(3))
    now = timezone.now()
    assert jobs.tick(now=now) == {"late_noticed": 1}
    assert jobs.tick(now=now + dt.timedelta(hours=1)) == {"late_noticed": 0}
    told = Notification.objects.filter(kind="deliberation.implementation_late")
    recipients = set(told.values_list("recipient_id", flat=True))
    assert recipients == {hall.secretary.pk, hall.clerk.pk, hall.township_staff.pk}
    assert told.count() == 3
    task.refresh_from_db()
    assert task.late_noticed_at is not None


def test_not_late_before_due(hall, matter, soon):
    add(hall, matter, soon)
    assert jobs.tick(now=timezone.now()) == {"late_noticed": 0}


def test_result_ready_only_when_every_task_finished(hall, matter, soon):
    with pytest.raises(Conflict):
        services.check_result_ready(matter)
    a, b = add(hall, matter, soon), add(hall, matter, soon, title="验收")
    progress(hall, a, 100)
    with pytest.raises(Conflict):
        services.check_result_ready(matter)
    Implementation.objects.filter(pk=b.pk).update(state=ImplementationState.STOPPED)
    services.check_result_ready(matter)


def test_rating_once_by_villagers_after_done(hall, make_matter):
    implementing = make_matter(state=MatterState.IMPLEMENTING)
    with pytest.raises(Conflict):
        services.do_rate(actor=hall.villagers[0], matter=implementing, stars=5)
    done = make_matter(state=MatterState.DONE)
    for who in (hall.outsider, hall.nobody, hall.clerk):
        with pytest.raises(NotAllowed):
            services.do_rate(actor=who, matter=done, stars=5)
    for bad in (0, 6, "x"):
        with pytest.raises(ServiceError):
            services.do_rate(actor=hall.villagers[0], matter=done, stars=bad)
    rating = services.do_rate(actor=hall.villagers[0], matter=done, stars=4, comment="路好走了")
    assert rating.household_id == hall.households[0].pk
    with pytest.raises(Conflict):
        services.do_rate(actor=hall.villagers[0], matter=done, stars=1)
    services.do_rate(actor=hall.spouse, matter=done, stars=5)  # one per person
    assert Rating.objects.filter(matter=done).count() == 2
