"""A meeting through its steps, by role: the committee calls, notifies, opens, checks the
quorum, opens the voting and closes with minutes; residents sign in and vote; nobody
else acts, and nothing is skipped."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.deliberation.meetings import services
from gongzhi.deliberation.models import Attendance, Meeting, MeetingEvent, Vote
from gongzhi.notify.models import Notification

pytestmark = pytest.mark.django_db


def test_a_villagers_assembly_decides_an_item(meet, hall):
    w = hall
    meeting = meet.call()
    assert meeting.state == "notified"
    assert meeting.number.startswith("YH-")
    # Every household is told: 12 heads have accounts.
    assert meeting.households_notified == 12
    assert Notification.objects.filter(
        recipient=w.villagers[5], kind="deliberation.meeting_notice"
    ).exists()
    meeting = services.do_open(actor=w.clerk, meeting=meeting)
    assert (meeting.state, meeting.eligible, meeting.eligible_households) == ("in_session", 24, 12)
    assert meeting.quorum_needed == 13
    for resident in meet.adults()[:13]:
        services.do_sign_in(actor=w.clerk, meeting=meeting, resident=resident)
    meeting = services.do_open_voting(actor=w.secretary, meeting=meeting, minutes=20)
    assert meeting.state == "voting" and meeting.quorate
    item = meeting.items.get()
    for villager in w.villagers[:7]:  # the heads signed in first (households 0–6)
        services.do_vote(actor=villager, item=item, choice="for")
    services.do_vote(actor=w.spouse, item=item, choice="against")
    meeting = services.do_close(actor=w.clerk, meeting=meeting, minutes="会议同意修缮村道。")
    item.refresh_from_db()
    assert meeting.state == "closed" and meeting.minutes_by == w.clerk
    assert (item.votes_for, item.votes_against, item.outcome) == (7, 1, "passed")
    actions = list(
        MeetingEvent.objects.filter(meeting=meeting).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["schedule", "send_notice", "open", "open_voting", "close"]


def test_seven_of_thirteen_present_pass_six_do_not(meet, hall):
    meeting = meet.voting()
    item = meeting.items.get()
    for villager in hall.villagers[:6]:
        services.do_vote(actor=villager, item=item, choice="for")
    meeting = services.do_close(actor=hall.clerk, meeting=meeting, minutes="表决未过半。")
    item.refresh_from_db()
    assert item.outcome == "rejected"  # 6 of 13 present is not more than half


def test_no_quorum_voting_refused_with_figures_then_closed_inquorate(meet, hall):
    meeting = meet.sitting(present=meet.adults()[:12])
    with pytest.raises(Conflict) as refused:
        services.do_open_voting(actor=hall.clerk, meeting=meeting)
    assert "12" in refused.value.message and "13" in refused.value.message
    assert Meeting.objects.get(pk=meeting.pk).state == "in_session"
    meeting = services.do_close(actor=hall.clerk, meeting=meeting, minutes="到会人数不足。")
    assert meeting.state == "inquorate" and meeting.quorate is False
    assert meeting.items.get().outcome == "no_quorum"


def test_households_alternative_makes_the_quorum(meet, hall):
    """Eight household heads of twelve households: two thirds of the households."""
    heads = hall.heads[:8]
    meeting = meet.sitting(present=heads)
    meeting = services.do_open_voting(actor=hall.clerk, meeting=meeting)
    assert meeting.state == "voting"


def test_only_the_committee_moves_a_meeting(meet, hall):
    w = hall
    meeting = meet.call(notice=False)
    for someone in (w.villagers[0], w.township_staff, w.other_clerk, w.nobody):
        with pytest.raises(NotAllowed):
            services.do_send_notice(actor=someone, meeting=meeting)
    with pytest.raises(NotAllowed):
        services.do_schedule(
            actor=w.villagers[0],
            region=w.village,
            kind="hall",
            title="x x",
            place="村委会",
            starts_at=timezone.now() + dt.timedelta(days=5),
        )
    assert Meeting.objects.get(pk=meeting.pk).state == "scheduled"


def test_a_step_out_of_order_is_a_conflict_and_changes_nothing(meet, hall):
    meeting = meet.call(notice=False)
    for step in (services.do_open, services.do_open_voting):
        with pytest.raises(Conflict):
            step(actor=hall.clerk, meeting=meeting)
    with pytest.raises(Conflict):
        services.do_close(actor=hall.clerk, meeting=meeting, minutes="会议纪要")
    assert Meeting.objects.get(pk=meeting.pk).state == "scheduled"
    assert MeetingEvent.objects.filter(meeting=meeting).count() == 1


def test_the_notice_must_come_in_time_by_the_law(meet, hall):
    now = timezone.now()
    meeting = services.do_schedule(
        actor=hall.clerk,
        region=hall.village,
        kind="village_assembly",
        title="村规民约修订",
        place="村委会",
        starts_at=now + dt.timedelta(days=9, hours=23),
        now=now,
    )
    with pytest.raises(ServiceError) as late:
        services.do_send_notice(actor=hall.clerk, meeting=meeting, now=now)
    assert "10" in late.value.message and "第二十一条" in late.value.message
    assert Meeting.objects.get(pk=meeting.pk).notice_sent_at is None
    ok = services.do_schedule(
        actor=hall.clerk,
        region=hall.village,
        kind="village_assembly",
        title="村规民约修订",
        place="村委会",
        starts_at=now + dt.timedelta(days=10, minutes=1),
        now=now,
    )
    assert services.do_send_notice(actor=hall.clerk, meeting=ok, now=now).state == "notified"


def test_kind_of_meeting_must_fit_the_place_and_the_future(hall):
    w = hall
    later = timezone.now() + dt.timedelta(days=20)
    with pytest.raises(ServiceError) as wrong:
        services.do_schedule(
            actor=w.clerk,
            region=w.village,
            kind="resident_assembly",
            title="居民会议",
            place="村委会",
            starts_at=later,
        )
    assert wrong.value.field == "kind"
    with pytest.raises(ServiceError) as past:
        services.do_schedule(
            actor=w.clerk,
            region=w.village,
            kind="hall",
            title="议事",
            place="村委会",
            starts_at=timezone.now() - dt.timedelta(hours=1),
        )
    assert past.value.field == "starts_at"
    urban = services.do_schedule(
        actor=w.community_staff,
        region=w.regions.xiguan,
        kind="resident_assembly",
        title="加装电梯",
        place="社区活动室",
        starts_at=later,
    )
    assert urban.rule.code == "resident-assembly"
    assert not Meeting.objects.filter(kind="hall").exists()


def test_representatives_meeting_only_representatives_sign_in_and_are_told(meet, hall):
    w = hall
    meeting = meet.sitting("village_reps")
    assert meeting.households_notified == 6  # the six representatives' accounts
    assert not Notification.objects.filter(
        recipient=w.villagers[8], kind="deliberation.meeting_notice"
    ).exists()
    with pytest.raises(NotAllowed):
        services.do_sign_in(actor=w.clerk, meeting=meeting, resident=w.heads[8])
    for head in w.heads[:4]:
        services.do_sign_in(actor=w.clerk, meeting=meeting, resident=head)
    meeting = services.do_open_voting(actor=w.clerk, meeting=meeting)  # 4 of 6 = two thirds
    assert meeting.state == "voting"


def test_children_and_outsiders_do_not_sign_in_to_an_assembly(meet, hall):
    w = hall
    meeting = meet.sitting()
    child = (
        w.households[0].members.get(relation="child")
        if hasattr(w.households[0], "members")
        else None
    )
    from gongzhi.people.models import Resident

    child = Resident.objects.get(household=w.households[0], relation="child")
    with pytest.raises(NotAllowed):
        services.do_sign_in(actor=w.clerk, meeting=meeting, resident=child)
    with pytest.raises(NotAllowed):
        services.do_sign_in(actor=w.child, meeting=meeting, token=meeting.sign_in_token)
    with pytest.raises(NotAllowed):
        services.do_sign_in(actor=w.outsider, meeting=meeting, token=meeting.sign_in_token)
    other = Resident.objects.get(name="赵福海")
    with pytest.raises(ServiceError):
        services.do_sign_in(actor=w.clerk, meeting=meeting, resident=other)
    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_qr_sign_in_with_the_token_and_a_forged_one(meet, hall):
    w = hall
    meeting = meet.sitting()
    with pytest.raises(NotFound):
        services.do_sign_in(
            actor=w.villagers[3], meeting=meeting, token="forged" + meeting.sign_in_token[6:]
        )
    done = services.do_sign_in(actor=w.villagers[3], meeting=meeting, token=meeting.sign_in_token)
    assert (done.method, done.resident_id) == ("qr", w.heads[3].pk)
    with pytest.raises(Conflict):
        services.do_sign_in(actor=w.villagers[3], meeting=meeting, token=meeting.sign_in_token)
    with pytest.raises(Conflict):  # the clerk's list knows them too
        services.do_sign_in(actor=w.clerk, meeting=meeting, resident=w.heads[3])
    meeting.refresh_from_db()
    assert (meeting.present, meeting.present_households) == (1, 1)


def test_sign_in_only_while_sitting(meet, hall):
    meeting = meet.call()
    with pytest.raises(Conflict):
        services.do_sign_in(actor=hall.clerk, meeting=meeting, resident=hall.heads[0])


def test_no_vote_outside_the_window(meet, hall):
    w = hall
    meeting = meet.sitting(present=meet.adults()[:13])
    item = meeting.items.get()
    with pytest.raises(Conflict):  # before the voting opens
        services.do_vote(actor=w.villagers[0], item=item, choice="for")
    meeting = services.do_open_voting(actor=w.clerk, meeting=meeting, minutes=10)
    with pytest.raises(Conflict):  # after the window
        services.do_vote(
            actor=w.villagers[0],
            item=item,
            choice="for",
            now=meeting.voting_closes_at + dt.timedelta(seconds=1),
        )
    with pytest.raises(NotAllowed):  # not signed in
        services.do_vote(actor=w.villagers[11], item=item, choice="for")
    with pytest.raises(ServiceError):
        services.do_vote(actor=w.villagers[0], item=item, choice="maybe")
    services.do_vote(actor=w.villagers[0], item=item, choice="for")
    with pytest.raises(Conflict):
        services.do_vote(actor=w.villagers[0], item=item, choice="against")
    item.refresh_from_db()
    assert (item.votes_for, item.votes_against, Vote.objects.filter(item=item).count()) == (1, 0, 1)


def test_household_ballot_rule_in_a_hall_session(meet, hall):
    """议事会: one vote per household; the second member of a household is refused."""
    w = hall
    meeting = meet.sitting("hall", present=[w.heads[0]])
    services.do_sign_in(actor=w.spouse, meeting=meeting, token=meeting.sign_in_token)
    meeting = services.do_open_voting(actor=w.clerk, meeting=meeting)
    item = meeting.items.get()
    services.do_vote(actor=w.spouse, item=item, choice="for")
    with pytest.raises(Conflict):
        services.do_vote(actor=w.villagers[0], item=item, choice="against")
    assert Vote.objects.get(item=item).ballot == f"h{w.households[0].pk}"
    meeting = services.do_close(actor=w.clerk, meeting=meeting, minutes="户代表表决通过。")
    item.refresh_from_db()
    assert item.outcome == "passed"  # 1 of 1 household present


def test_show_of_hands_no_more_than_present(meet, hall):
    w = hall
    meeting = meet.voting()
    item = meeting.items.get()
    with pytest.raises(ServiceError):
        services.do_count_hands(
            actor=w.clerk, item=item, votes_for=10, votes_against=4, votes_abstain=0
        )
    with pytest.raises(NotAllowed):
        services.do_count_hands(
            actor=w.villagers[0], item=item, votes_for=1, votes_against=0, votes_abstain=0
        )
    services.do_count_hands(actor=w.clerk, item=item, votes_for=9, votes_against=3, votes_abstain=1)
    meeting = services.do_close(actor=w.clerk, meeting=meeting, minutes="举手表决。")
    item.refresh_from_db()
    assert (item.votes_for, item.outcome) == (9, "passed")


def test_close_needs_minutes_and_cancel_a_reason(meet, hall):
    meeting = meet.voting()
    with pytest.raises(ServiceError):
        services.do_close(actor=hall.clerk, meeting=meeting, minutes=" ")
    assert Meeting.objects.get(pk=meeting.pk).state == "voting"
    other = meet.call(title="另一个会")
    with pytest.raises(ServiceError):
        services.do_cancel(actor=hall.clerk, meeting=other, reason="")
    other = services.do_cancel(actor=hall.clerk, meeting=other, reason="天气原因")
    assert other.state == "cancelled"
    assert Notification.objects.filter(
        recipient=hall.villagers[2], kind="deliberation.meeting_cancelled"
    ).exists()


def test_closing_tells_the_topics_room_of_each_topic_item(meet, hall, monkeypatch):
    """In the closing transaction, each decided topic item goes to topics.item_decided."""
    from gongzhi.deliberation.models import Topic
    from gongzhi.deliberation.topics import services as topics

    told = []
    monkeypatch.setattr(
        topics, "item_decided", lambda item, *, now: told.append((item.pk, item.outcome))
    )
    topic = Topic.objects.create(
        number="YT-2026-09999",
        title="修路灯",
        body="村口路灯坏了",
        region=hall.village,
        author=hall.villagers[0],
        resident=hall.heads[0],
        household=hall.households[0],
    )
    meeting = meet.call(items=0, notice=False)
    item = services.do_add_item(meeting=meeting, actor=hall.clerk, topic=topic)
    services.do_send_notice(
        actor=hall.clerk, meeting=meeting, now=timezone.now() - dt.timedelta(days=20)
    )
    meeting = services.do_open(actor=hall.clerk, meeting=meeting)
    services.do_close(actor=hall.clerk, meeting=meeting, minutes="到会不足。")
    assert told == [(item.pk, "no_quorum")]
