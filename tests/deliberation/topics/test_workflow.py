"""A topic's life by role: who may raise, support, comment, answer, put on an agenda, refer
and withdraw; the threshold firing once; steps out of order refused (409) changing nothing;
the meeting's outcome taken over; the late notice sent once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.deliberation.choices import ItemOutcome, MeetingState, TopicState
from gongzhi.deliberation.models import AgendaItem, Comment, Support, Topic, TopicEvent
from gongzhi.deliberation.topics import jobs, services
from gongzhi.notify.models import Notification
from gongzhi.regions.models import Region

from .conftest import at

pytestmark = pytest.mark.django_db(transaction=False)


def state(topic) -> str:
    return Topic.objects.values_list("state", flat=True).get(pk=topic.pk)


def entries(topic, action) -> int:
    return TopicEvent.objects.filter(topic=topic, action=action).count()


# -- raising --------------------------------------------------------------------------------


def test_a_villager_raises_a_topic_in_their_own_village_with_the_threshold_fixed(tw):
    topic = tw.raise_topic(tw.villagers[4], lng=102.37, lat=36.47, place="村口")
    assert topic.region_id == tw.village.pk and topic.state == TopicState.OPEN
    assert topic.number.startswith("YT-")
    # The village's rule: min(3 households, 50 % of 12 = 6) → 3.
    assert topic.threshold == 3 and topic.answer_days == 5
    assert topic.household_id == tw.households[4].pk
    assert entries(topic, "raise") == 1
    # The rule edited later does not change the topic's terms.
    tw.rule.households = 8
    tw.rule.save()
    assert Topic.objects.get(pk=topic.pk).threshold == 3


def test_the_default_rule_takes_the_smaller_of_households_and_share(tw):
    tw.rule.enabled = False
    tw.rule.save()
    # Default: 10 households or 5 % of 12 (→ 1): one household is enough.
    assert tw.raise_topic().threshold == 1


@pytest.mark.parametrize("who", ["child", "nobody", "clerk", "township_staff"])
def test_only_an_adult_villager_may_raise(tw, who):
    with pytest.raises(NotAllowed):
        tw.raise_topic(getattr(tw, who))
    assert not Topic.objects.exists()


def test_bad_input_names_every_field_and_writes_nothing(tw):
    with pytest.raises(ServiceError) as caught:
        services.do_raise(actor=tw.villagers[0], title="路", body="短", lng=500, lat=1)
    assert {e.field for e in caught.value.all} == {"title", "body", "location"}
    assert not Topic.objects.exists() and not TopicEvent.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused(tw):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ServiceError) as caught:
        tw.raise_topic(photos=[fake])
    assert caught.value.field == "photos"
    assert not Topic.objects.exists()


# -- support and the threshold ---------------------------------------------------------------


def test_the_threshold_fires_once_and_starts_the_clock(tw, django_capture_on_commit_callbacks):
    topic = tw.raise_topic()
    topic = tw.support(topic, tw.villagers[1], tw.villagers[2])
    assert topic.state == TopicState.OPEN and topic.answer_due is None
    with django_capture_on_commit_callbacks(execute=True):
        topic = tw.support(topic, tw.villagers[3])
    assert topic.state == TopicState.DUE and topic.households_count == 3
    assert topic.threshold_reached_at is not None and topic.answer_due is not None
    first_due = topic.answer_due
    committee = Notification.objects.filter(recipient__in=[tw.clerk, tw.secretary])
    assert committee.count() == 2  # the committee is told once each
    with django_capture_on_commit_callbacks(execute=True):
        tw.support(topic, tw.villagers[5], tw.villagers[6])
    topic.refresh_from_db()
    assert entries(topic, "threshold") == 1 and topic.answer_due == first_due
    assert topic.supports_count == 5 and committee.count() == 2


def test_the_answer_clock_counts_working_days(tw):
    topic = tw.raise_topic()
    friday = at(2026, 3, 6, 10)  # five working days later: the next Friday, not Wednesday
    for person in tw.villagers[1:4]:
        topic = services.do_support(actor=person, topic=topic, now=friday)
    assert topic.answer_due.astimezone(friday.tzinfo) == at(2026, 3, 13, 10)


def test_one_support_per_person(tw):
    topic = tw.raise_topic()
    tw.support(topic, tw.villagers[1])
    with pytest.raises(Conflict):
        services.do_support(actor=tw.villagers[1], topic=topic)
    topic.refresh_from_db()
    assert topic.supports_count == 1 and Support.objects.count() == 1


def test_household_members_count_once_and_may_be_refused_by_the_rule(tw):
    topic = tw.raise_topic()
    topic = tw.support(topic, tw.villagers[0], tw.spouse)
    assert (topic.supports_count, topic.households_count) == (2, 1)

    tw.rule.one_per_household = True
    tw.rule.save()
    strict = tw.raise_topic(title="一户一票的议题")
    tw.support(strict, tw.villagers[0])
    with pytest.raises(Conflict) as caught:
        services.do_support(actor=tw.spouse, topic=strict)
    assert caught.value.code == "household_supported"
    strict.refresh_from_db()
    assert (strict.supports_count, strict.households_count) == (1, 1)


@pytest.mark.parametrize("who", ["outsider", "nobody", "clerk", "township_staff", "child"])
def test_only_adult_villagers_of_the_village_support(tw, who):
    topic = tw.raise_topic()
    with pytest.raises(NotAllowed):
        services.do_support(actor=getattr(tw, who), topic=topic)
    topic.refresh_from_db()
    assert topic.supports_count == 0


# -- the committee's steps -------------------------------------------------------------------


def due_topic(tw):
    return tw.support(tw.raise_topic(), *tw.villagers[1:4])


@pytest.mark.parametrize("who", ["villagers", "outsider", "other_clerk", "township_staff"])
def test_only_the_committee_puts_a_topic_on_the_agenda(tw, who):
    topic, meeting = due_topic(tw), tw.meeting()
    actor = tw.villagers[0] if who == "villagers" else getattr(tw, who)
    with pytest.raises(NotAllowed):
        services.do_put_on_agenda(actor=actor, topic=topic, meeting=meeting)
    assert state(topic) == TopicState.DUE and not AgendaItem.objects.exists()


def test_the_clerk_puts_a_topic_on_a_meeting_and_not_on_another_villages(tw):
    topic = due_topic(tw)
    other = tw.meeting(region=Region.objects.get(code="630203100001"))
    with pytest.raises(ServiceError):
        services.do_put_on_agenda(actor=tw.clerk, topic=topic, meeting=other)
    assert state(topic) == TopicState.DUE
    item = services.do_put_on_agenda(actor=tw.clerk, topic=topic, meeting=tw.meeting())
    assert item.topic_id == topic.pk and state(topic) == TopicState.ON_AGENDA
    # Twice is out of order: 409, nothing changes.
    with pytest.raises(Conflict):
        services.do_put_on_agenda(actor=tw.clerk, topic=topic, meeting=tw.meeting())
    assert AgendaItem.objects.count() == 1


def test_an_answer_needs_a_reason_and_is_public(tw):
    topic = due_topic(tw)
    with pytest.raises(ServiceError) as caught:
        services.do_answer(actor=tw.secretary, topic=topic, answer="不行")
    assert caught.value.field == "answer" and state(topic) == TopicState.DUE
    with pytest.raises(NotAllowed):
        services.do_answer(actor=tw.villagers[1], topic=topic, answer="我觉得这件事不需要处理了。")
    services.do_answer(
        actor=tw.secretary, topic=topic, answer="村集体资金今年已用于水渠，明年列入计划。"
    )
    topic.refresh_from_db()
    assert topic.state == TopicState.ANSWERED and topic.answered_by == tw.secretary
    assert TopicEvent.objects.get(topic=topic, action="answer").is_public
    # Answering again, or putting it on an agenda now, is out of order.
    with pytest.raises(Conflict):
        services.do_answer(actor=tw.secretary, topic=topic, answer="再答复一次的内容是这样的。")
    with pytest.raises(Conflict):
        services.do_put_on_agenda(actor=tw.clerk, topic=topic, meeting=tw.meeting())
    assert entries(topic, "answer") == 1


def test_only_the_author_withdraws_and_only_before_an_agenda(tw):
    topic = tw.raise_topic()
    with pytest.raises(NotAllowed):
        services.do_withdraw(actor=tw.villagers[1], topic=topic)
    with pytest.raises(NotAllowed):
        services.do_withdraw(actor=tw.clerk, topic=topic)
    services.do_withdraw(actor=tw.villagers[0], topic=topic)
    assert state(topic) == TopicState.WITHDRAWN
    with pytest.raises(Conflict):
        services.do_support(actor=tw.villagers[1], topic=topic)

    on_agenda = due_topic(tw)
    services.do_put_on_agenda(actor=tw.clerk, topic=on_agenda, meeting=tw.meeting())
    with pytest.raises(Conflict):
        services.do_withdraw(actor=tw.villagers[0], topic=on_agenda)
    assert state(on_agenda) == TopicState.ON_AGENDA


def test_a_stale_page_is_refused(tw):
    topic = due_topic(tw)
    with pytest.raises(Conflict) as caught:
        services.do_answer(
            actor=tw.clerk,
            topic=topic,
            answer="这件事已经由镇上统一安排处理。",
            expected_state="open",
        )
    assert caught.value.code == "state_changed" and state(topic) == TopicState.DUE


# -- comments ---------------------------------------------------------------------------------


def test_comments_thread_and_a_hidden_comment_keeps_its_record(tw):
    topic = tw.raise_topic()
    first = services.do_comment(actor=tw.villagers[1], topic=topic, body="同意，晚上太黑了。")
    reply = services.do_comment(actor=tw.clerk, topic=topic, body="已记下。", parent=first)
    deeper = services.do_comment(actor=tw.villagers[2], topic=topic, body="我也同意", parent=reply)
    assert reply.parent == first and deeper.parent == first  # one level of replies
    with pytest.raises(NotAllowed):
        services.do_comment(actor=tw.outsider, topic=topic, body="外村的看法")
    with pytest.raises(ServiceError):
        services.do_comment(actor=tw.villagers[1], topic=topic, body=" ")

    with pytest.raises(NotAllowed):
        services.do_hide_comment(actor=tw.villagers[0], comment=first, reason="骂人")
    with pytest.raises(ServiceError):
        services.do_hide_comment(actor=tw.clerk, comment=first, reason="")
    assert not Comment.objects.get(pk=first.pk).hidden

    hidden = services.do_hide_comment(actor=tw.township_staff, comment=deeper, reason="人身攻击")
    assert hidden.hidden and hidden.body == "我也同意" and hidden.hidden_reason == "人身攻击"
    event = TopicEvent.objects.get(topic=topic, action="hide_comment")
    assert event.note == "人身攻击" and event.data == {"comment": deeper.pk}
    assert state(topic) == TopicState.OPEN


# -- referring ---------------------------------------------------------------------------------


def test_a_broken_lamp_becomes_a_case(tw):
    from gongzhi.cases.models import Case

    topic = tw.raise_topic(lng=102.37, lat=36.47, place="村口")
    with pytest.raises(NotAllowed):
        services.do_refer(actor=tw.villagers[1], topic=topic, to="case", category=tw.manhole.pk)
    with pytest.raises(ServiceError) as caught:
        services.do_refer(actor=tw.clerk, topic=topic, to="case")
    assert caught.value.field == "category" and state(topic) == TopicState.OPEN
    referred = services.do_refer(actor=tw.clerk, topic=topic, to="case", category=tw.manhole.code)
    case = Case.objects.get(number=referred.case_number)
    assert referred.state == TopicState.REFERRED
    assert case.title == topic.title and case.category == tw.manhole
    assert case.reporter == tw.villagers[0] and case.entered_by == tw.clerk


def test_a_quarrel_becomes_a_dispute_with_the_author_as_applicant(tw):
    from gongzhi.mediation.models import Dispute, DisputeType
    from tests.mediation.conftest import seeded_reference

    seeded_reference()
    kind = DisputeType.objects.get(code="neighbour")
    topic = tw.raise_topic(title="两家为浇水吵架", body="上下游两户为浇地的水闸时间吵了好几次。")
    with pytest.raises(ServiceError) as caught:
        services.do_refer(actor=tw.clerk, topic=topic, to="dispute", category=kind.pk)
    assert caught.value.field == "other_party" and state(topic) == TopicState.OPEN
    referred = services.do_refer(
        actor=tw.clerk, topic=topic, to="dispute", category=kind.pk, other_party="韩成1"
    )
    dispute = Dispute.objects.get(number=referred.dispute_number)
    assert referred.state == TopicState.REFERRED and dispute.source_ref == topic.number
    assert sorted(dispute.parties.values_list("side", "name")) == [
        ("applicant", tw.heads[0].name),
        ("respondent", "韩成1"),
    ]


# -- the meeting's outcome ------------------------------------------------------------------


def on_agenda(tw):
    topic = due_topic(tw)
    item = services.do_put_on_agenda(actor=tw.clerk, topic=topic, meeting=tw.meeting())
    return topic, item


def decide(item, outcome, now=None):
    item.outcome = outcome
    item.save(update_fields=["outcome"])
    services.item_decided(item, now=now or item.meeting.starts_at)


def test_a_passed_topic_is_decided(tw):
    from gongzhi.deliberation.matters import services as matters

    topic, item = on_agenda(tw)
    decide(item, ItemOutcome.PASSED)
    assert state(topic) == TopicState.DECIDED
    if hasattr(matters, "do_from_topic"):  # the matters room's ordinary decision
        assert Topic.objects.get(pk=topic.pk).matter.title == topic.title
    assert TopicEvent.objects.get(topic=topic, action="decided").data["outcome"] == "passed"


def test_a_topic_voted_down_is_answered(tw):
    topic, item = on_agenda(tw)
    decide(item, ItemOutcome.REJECTED)
    topic.refresh_from_db()
    assert topic.state == TopicState.ANSWERED and topic.answer


def test_no_quorum_sends_it_back_with_its_clock(tw):
    topic, item = on_agenda(tw)
    due = Topic.objects.get(pk=topic.pk).answer_due
    decide(item, ItemOutcome.NO_QUORUM)
    topic.refresh_from_db()
    assert topic.state == TopicState.DUE and topic.answer_due == due
    # It can go on the next meeting.
    item.meeting.state = MeetingState.INQUORATE
    item.meeting.save(update_fields=["state"])
    services.do_put_on_agenda(actor=tw.clerk, topic=topic, meeting=tw.meeting())
    assert state(topic) == TopicState.ON_AGENDA


def test_an_item_for_a_topic_no_longer_on_the_agenda_changes_nothing(tw):
    topic, item = on_agenda(tw)
    decide(item, ItemOutcome.PASSED)
    decide(item, ItemOutcome.REJECTED)  # a second close: the topic keeps its decision
    assert state(topic) == TopicState.DECIDED and entries(topic, "decided") == 1


# -- late -----------------------------------------------------------------------------------


def test_a_late_topic_is_noticed_once(tw, django_capture_on_commit_callbacks):
    topic = due_topic(tw)
    topic.refresh_from_db()
    later = topic.answer_due + dt.timedelta(hours=1)
    before = Notification.objects.filter(recipient=tw.township_staff).count()
    assert jobs.tick(now=topic.answer_due - dt.timedelta(hours=1))["late"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.tick(now=later)["late"] == 1
    assert jobs.tick(now=later)["late"] == 0
    topic.refresh_from_db()
    assert topic.late_noticed_at == later and topic.state == TopicState.DUE
    assert entries(topic, "late") == 1
    assert Notification.objects.filter(recipient=tw.township_staff).count() == before + 1


def test_a_topic_on_a_cancelled_meeting_waits_again_with_its_clock(tw):
    topic, item = on_agenda(tw)
    due = Topic.objects.get(pk=topic.pk).answer_due
    assert jobs.tick(now=timezone.now())["off_agenda"] == 0  # its meeting is still to come
    item.meeting.state = MeetingState.CANCELLED
    item.meeting.save(update_fields=["state"])
    assert jobs.tick(now=timezone.now())["off_agenda"] == 1
    assert jobs.tick(now=timezone.now())["off_agenda"] == 0
    topic.refresh_from_db()
    assert topic.state == TopicState.DUE and topic.answer_due == due
