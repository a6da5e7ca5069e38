"""决议公开 / 实施结果公开: a publication runs for its period, every household is told,
residents object while it runs and the committee answers in public."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.deliberation.choices import ObjectionState, PublicationKind
from gongzhi.deliberation.models import Objection, Publication
from gongzhi.deliberation.openness import services
from gongzhi.notify.models import Notification

pytestmark = pytest.mark.django_db


def publish(hall, matter, **params):
    params.setdefault("text", "经村民代表会议表决通过：硬化村东巷道路。")
    return services.create_publication(
        matter=matter,
        kind=PublicationKind.RESOLUTION,
        params=params,
        actor=hall.clerk,
        now=timezone.now(),
    )


def test_publication_tells_every_household(hall, matter, today):
    pub = publish(hall, matter)
    assert (pub.starts_on, pub.ends_on) == (today, today + dt.timedelta(days=7))
    # 12 households of 大古城村: every head has an account, so each is told in the app.
    assert pub.households_told == 12
    told = Notification.objects.filter(kind="deliberation.publication.resolution")
    recipients = set(told.values_list("recipient_id", flat=True))
    assert {v.pk for v in hall.villagers} <= recipients
    assert hall.outsider.pk not in recipients
    assert all(n.link == f"/deliberation/publications/{pub.pk}/" for n in told)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"text": "  "}, "text"),
        ({"days": 4}, "days"),
        ({"days": 31}, "days"),
        ({"days": "x"}, "days"),
    ],
)
def test_bad_publication_changes_nothing(hall, matter, params, field):
    params = {"text": "决议内容", **params}
    with pytest.raises(ServiceError) as caught:
        publish(hall, matter, **params)
    assert field in {e.field for e in caught.value.all}
    assert not Publication.objects.exists()
    assert not Notification.objects.exists()


def test_period_is_chosen_and_published_once(hall, matter, today):
    pub = publish(hall, matter, days=30)
    assert pub.ends_on == today + dt.timedelta(days=30)
    with pytest.raises(Conflict):
        publish(hall, matter)
    assert Publication.objects.count() == 1


def test_villagers_object_while_it_runs(hall, matter):
    pub = publish(hall, matter)
    objection = services.do_object(
        actor=hall.villagers[3], publication=pub, body="预算偏高，请公开明细。"
    )
    assert objection.state == ObjectionState.OPEN
    # The committee hears of it.
    assert Notification.objects.filter(kind="deliberation.objection", recipient=hall.clerk).exists()


@pytest.mark.parametrize("who", ["outsider", "nobody", "child", "clerk"])
def test_only_adult_villagers_object(hall, matter, who):
    pub = publish(hall, matter)
    with pytest.raises(NotAllowed):
        services.do_object(actor=getattr(hall, who), publication=pub, body="我反对这个决定。")
    assert not Objection.objects.exists()


def test_no_objection_before_or_after_the_period(hall, matter):
    pub = publish(hall, matter)
    after = timezone.now() + dt.timedelta(days=8)
    with pytest.raises(Conflict):
        services.do_object(
            actor=hall.villagers[1], publication=pub, body="我反对这个决定。", now=after
        )
    before = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(Conflict):
        services.do_object(
            actor=hall.villagers[1], publication=pub, body="我反对这个决定。", now=before
        )
    assert not Objection.objects.exists()


def test_short_objection_and_second_open_one_refused(hall, matter):
    pub = publish(hall, matter)
    with pytest.raises(ServiceError) as caught:
        services.do_object(actor=hall.villagers[1], publication=pub, body=" 不同意 ")
    assert caught.value.field == "body"
    first = services.do_object(actor=hall.villagers[1], publication=pub, body="路线经过我家地。")
    with pytest.raises(Conflict):
        services.do_object(actor=hall.villagers[1], publication=pub, body="还有一个问题要问。")
    # Once answered, the same person may raise another.
    services.do_answer_objection(actor=hall.clerk, objection=first, answer="已调整线路，绕开耕地。")
    services.do_object(actor=hall.villagers[1], publication=pub, body="还有一个问题要问。")
    assert Objection.objects.filter(author=hall.villagers[1]).count() == 2


def test_committee_answers_and_the_objector_is_told(hall, matter):
    pub = publish(hall, matter)
    objection = services.do_object(actor=hall.villagers[2], publication=pub, body="预算偏高了。")
    for stranger in (hall.villagers[3], hall.other_clerk):
        with pytest.raises(NotAllowed):
            services.do_answer_objection(actor=stranger, objection=objection, answer="这是答复内容")
    with pytest.raises(ServiceError):
        services.do_answer_objection(actor=hall.clerk, objection=objection, answer="好")
    services.do_answer_objection(
        actor=hall.clerk, objection=objection, answer="预算经过评审，明细见村务公开栏。"
    )
    objection.refresh_from_db()
    assert objection.state == ObjectionState.ANSWERED
    assert objection.answered_by == hall.clerk
    told = Notification.objects.get(kind="deliberation.objection_answered")
    assert told.recipient == hall.villagers[2]
    with pytest.raises(Conflict):
        services.do_answer_objection(actor=hall.clerk, objection=objection, answer="再答复一次。")
