"""四议两公开 by role and in order: the secretary proposes, the committee records the
deliberation, closed meetings review and resolve, the resolution and the result are
published; a step out of order or by the wrong person is refused and changes nothing."""

import pytest

from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.deliberation.choices import ItemOutcome, MatterState, MeetingState
from gongzhi.deliberation.matters import services
from gongzhi.deliberation.models import AgendaItem, Matter, MatterEvent, MatterStep, Topic

from .conftest import deliberate, held, make_meeting, propose, to_resolved, to_reviewed

pytestmark = pytest.mark.django_db
S = MatterState


def snapshot(matter):
    m = Matter.objects.get(pk=matter.pk)
    return (m.state, m.resolution, m.steps.count(), m.events.count())


def test_the_secretary_proposes_with_the_first_step(hall):
    w = hall
    matter = propose(w)
    assert matter.state == S.PROPOSED and matter.number.startswith("YS-")
    assert matter.proposed_by == w.secretary and matter.major
    step = matter.steps.get()
    assert (step.kind, step.proposer, step.participant_count) == ("propose", "村党支部", 3)
    assert step.minutes == "支部委员会讨论一致同意提议。"
    event = matter.events.get()
    assert (event.action, event.from_state, event.to_state) == ("propose", "", "proposed")


@pytest.mark.parametrize("who", ["clerk", "township_staff", "other_clerk", "nobody"])
def test_only_the_secretary_proposes(hall, who):
    w = hall
    with pytest.raises(NotAllowed):
        propose(w, actor=getattr(w, who))
    with pytest.raises(NotAllowed):
        propose(w, actor=w.villagers[0])
    assert not Matter.objects.exists()


def test_the_secretary_of_one_village_cannot_propose_in_another(hall):
    w = hall
    from gongzhi.regions.models import Region

    with pytest.raises(NotAllowed):
        propose(w, region=Region.objects.get(code="630203100001"))
    assert not Matter.objects.exists()


def test_a_proposal_with_bad_input_names_every_problem_and_writes_nothing(hall):
    w = hall
    with pytest.raises(ServiceError) as caught:
        propose(w, title="", summary="短", minutes="", budget="-5", resolved_by="party")
    fields = {e.field for e in caught.value.all}
    assert fields == {"title", "summary", "minutes", "budget", "resolved_by"}
    assert all(e.message for e in caught.value.all)
    assert not Matter.objects.exists() and not MatterStep.objects.exists()


def test_the_committee_deliberates_and_nobody_else(hall):
    w = hall
    matter = propose(w)
    for outsider in (w.villagers[0], w.township_staff):
        with pytest.raises(NotAllowed):
            services.do_step(
                actor=outsider,
                matter=matter,
                action="deliberate",
                participants="甲、乙",
                minutes="商议同意。",
            )
    with pytest.raises(NotFound):  # another village's clerk does not even see it
        services.do_step(
            actor=w.other_clerk,
            matter=matter,
            action="deliberate",
            participants="甲",
            minutes="商议同意。",
        )
    assert snapshot(matter) == (S.PROPOSED, "", 1, 1)
    matter = deliberate(w, matter, votes_for="4")
    assert matter.state == S.DELIBERATED
    step = matter.steps.get(kind="deliberate")
    assert step.participant_count == 4 and step.votes_for == 4 and step.recorded_by == w.clerk
    assert step.outcome == ItemOutcome.PASSED and "商议同意" in step.minutes


def test_deliberation_needs_its_minutes_and_who_took_part(hall):
    w = hall
    matter = propose(w)
    with pytest.raises(ServiceError) as caught:
        deliberate(w, matter, participants="", minutes="")
    assert caught.value.field in {"participants", "minutes"}
    assert snapshot(matter) == (S.PROPOSED, "", 1, 1)


def test_the_committees_rejecting_it_fails_the_matter(hall):
    w = hall
    matter = deliberate(w, propose(w), outcome="rejected")
    assert matter.state == S.FAILED
    assert matter.steps.get(kind="deliberate").outcome == ItemOutcome.REJECTED


def test_a_step_cannot_be_skipped(hall):
    w = hall
    matter = propose(w)
    item = held(w, "village_reps", matter)
    with pytest.raises(Conflict):
        services.do_step(actor=w.clerk, matter=matter, action="resolve", meeting=item.meeting)
    for action in ("review", "publish", "start", "publish_result"):
        with pytest.raises(Conflict):
            services.do_step(actor=w.clerk, matter=matter, action=action)
    assert snapshot(matter) == (S.PROPOSED, "", 1, 1)


def test_review_and_resolution_come_from_closed_meetings(hall):
    w = hall
    matter = deliberate(w, propose(w))
    item = held(w, "party", matter, votes=(3, 0, 0), present=3, eligible=3)
    matter = services.do_step(actor=w.clerk, matter=matter, action="review", meeting=item.meeting)
    assert matter.state == S.REVIEWED
    step = matter.steps.get(kind="review")
    assert (step.meeting, step.participant_count, step.votes_for) == (item.meeting, 3, 3)
    assert step.minutes == item.meeting.minutes
    item = held(w, "village_reps", matter, votes=(5, 1, 0), present=6, eligible=6)
    matter = services.do_step(actor=w.clerk, matter=matter, action="resolve", meeting=item.meeting)
    assert matter.state == S.RESOLVED and matter.resolved_at is not None
    assert matter.resolution == matter.summary
    assert matter.steps.get(kind="resolve").votes_against == 1


def test_a_meeting_that_is_open_of_the_wrong_kind_or_without_the_item_is_refused(hall):
    w = hall
    matter = deliberate(w, propose(w))
    open_party = make_meeting(w, "party", state=MeetingState.IN_SESSION)
    AgendaItem.objects.create(meeting=open_party, title="x", matter=matter)
    wrong_kind = held(w, "village_reps", matter).meeting
    not_on_agenda = make_meeting(w, "party", state=MeetingState.CLOSED)
    for meeting, field in (
        (open_party, "meeting"),
        (wrong_kind, "meeting"),
        (not_on_agenda, "meeting"),
        (None, "meeting"),
    ):
        with pytest.raises(ServiceError) as caught:
            services.do_step(actor=w.clerk, matter=matter, action="review", meeting=meeting)
        assert caught.value.status == 400 and caught.value.field == field
    assert snapshot(matter)[:3] == (S.DELIBERATED, "", 2)


def test_a_rejected_review_fails_and_no_quorum_keeps_the_matter(hall):
    w = hall
    matter = deliberate(w, propose(w))
    inquorate = held(w, "party", matter, outcome=ItemOutcome.NO_QUORUM, present=1, eligible=3)
    matter = services.do_step(
        actor=w.clerk, matter=matter, action="review", meeting=inquorate.meeting
    )
    assert matter.state == S.DELIBERATED and not matter.steps.filter(kind="review").exists()
    note = matter.events.filter(action="review").get()
    assert note.from_state == note.to_state == S.DELIBERATED and "1" in note.note
    rejected = held(w, "party", matter, outcome=ItemOutcome.REJECTED, votes=(1, 2, 0))
    matter = services.do_step(
        actor=w.clerk, matter=matter, action="review", meeting=rejected.meeting
    )
    assert matter.state == S.FAILED
    assert matter.steps.get(kind="review").outcome == ItemOutcome.REJECTED


def test_resolved_only_by_the_kind_of_meeting_the_matter_names(hall):
    w = hall
    matter = to_reviewed(w, propose(w, resolved_by="village_assembly"))
    reps = held(w, "village_reps", matter)
    with pytest.raises(ServiceError):
        services.do_step(actor=w.clerk, matter=matter, action="resolve", meeting=reps.meeting)
    assembly = held(w, "village_assembly", matter, present=20, eligible=24)
    matter = services.do_step(
        actor=w.clerk,
        matter=matter,
        action="resolve",
        meeting=assembly.meeting,
        resolution="同意硬化村东主干道，资金十八万元。",
    )
    assert matter.state == S.RESOLVED and matter.resolution.startswith("同意硬化")


def test_closing_meetings_take_the_steps_through_item_decided(hall):
    w = hall
    matter = deliberate(w, propose(w))
    # An inquorate Party meeting: a note, the matter stays and may go to another meeting.
    first = held(w, "party", matter, outcome=ItemOutcome.NO_QUORUM, present=1)
    services.item_decided(first, now=first.meeting.closed_at)
    matter.refresh_from_db()
    assert matter.state == S.DELIBERATED
    assert MatterEvent.objects.filter(matter=matter, action="review", actor=None).count() == 1
    # A meeting still closing (its state not yet saved) passes it: reviewed.
    second = held(w, "party", matter, votes=(3, 0, 0), present=3)
    second.meeting.state = MeetingState.VOTING
    services.item_decided(second, now=second.meeting.closed_at)
    matter.refresh_from_db()
    assert matter.state == S.REVIEWED
    # A Party meeting again (the wrong step now) does nothing.
    again = held(w, "party", matter)
    services.item_decided(again, now=again.meeting.closed_at)
    matter.refresh_from_db()
    assert matter.state == S.REVIEWED
    resolving = held(w, "village_reps", matter, votes=(4, 2, 0), present=6)
    services.item_decided(resolving, now=resolving.meeting.closed_at)
    matter.refresh_from_db()
    assert matter.state == S.RESOLVED
    assert matter.steps.get(kind="resolve").meeting == resolving.meeting


def test_publish_implement_and_publish_the_result(hall, fake_openness):
    w = hall
    matter = to_resolved(w, propose(w))
    with pytest.raises(NotAllowed):
        services.do_step(actor=w.villagers[0], matter=matter, action="publish", text="公示")
    matter = services.do_step(actor=w.clerk, matter=matter, action="publish", text="决议公示全文")
    assert matter.state == S.PUBLISHED
    assert fake_openness == [("publish", "resolution", matter.pk)]
    assert matter.steps.get(kind="publish").minutes == "决议公示全文"
    matter = services.do_step(actor=None, matter=matter, action="start")  # the platform
    assert matter.state == S.IMPLEMENTING
    matter = services.do_step(
        actor=w.clerk, matter=matter, action="publish_result", text="道路已硬化完成"
    )
    assert matter.state == S.DONE and matter.done_at is not None
    assert fake_openness[-2:] == [("ready", matter.pk), ("publish", "result", matter.pk)]
    assert [s.kind for s in matter.steps.order_by("at", "id")] == [
        "propose",
        "deliberate",
        "review",
        "resolve",
        "publish",
        "result",
    ]


def test_a_result_not_ready_is_refused_and_changes_nothing(hall, fake_openness, monkeypatch):
    from gongzhi.deliberation.openness import services as openness

    w = hall
    matter = to_resolved(w, propose(w))
    matter = services.do_step(actor=w.clerk, matter=matter, action="publish", text="决议公示")
    matter = services.do_step(actor=w.clerk, matter=matter, action="start")

    def not_ready(matter):
        raise Conflict("not_finished", "还有任务未完成")

    monkeypatch.setattr(openness, "check_result_ready", not_ready)
    before = snapshot(matter)
    with pytest.raises(Conflict):
        services.do_step(actor=w.clerk, matter=matter, action="publish_result", text="完成")
    assert snapshot(matter) == before


def test_the_secretary_withdraws_before_it_is_resolved_only(hall):
    w = hall
    matter = deliberate(w, propose(w))
    with pytest.raises(NotAllowed):
        services.do_step(actor=w.clerk, matter=matter, action="withdraw", reason="不再需要")
    matter = services.do_step(
        actor=w.secretary, matter=matter, action="withdraw", reason="上级资金已到位"
    )
    assert matter.state == S.WITHDRAWN
    resolved = to_resolved(w, propose(w, title="修建村文化广场"))
    with pytest.raises(Conflict):
        services.do_step(actor=w.secretary, matter=resolved, action="withdraw", reason="撤回")
    assert Matter.objects.get(pk=resolved.pk).state == S.RESOLVED


def test_a_topic_a_meeting_passed_becomes_an_ordinary_decision(hall, fake_openness):
    w = hall
    topic = Topic.objects.create(
        number="YT-2026-09999",
        region=w.village,
        title="修复村口路灯",
        body="村口三盏路灯损坏，夜间出行不便。",
        author=w.villagers[0],
    )
    meeting = make_meeting(w, "hall", state=MeetingState.CLOSED, present=9, eligible=12)
    item = AgendaItem.objects.create(
        meeting=meeting,
        title=topic.title,
        topic=topic,
        outcome=ItemOutcome.PASSED,
        votes_for=8,
        votes_against=1,
        put_by=w.clerk,
    )
    matter = services.do_from_topic(item=item, now=meeting.closed_at)
    assert (matter.state, matter.major, matter.title) == (S.RESOLVED, False, "修复村口路灯")
    step = matter.steps.get()
    assert (step.kind, step.meeting, step.votes_for, step.participant_count) == (
        "resolve",
        meeting,
        8,
        9,
    )
    assert matter.events.get().action == "from_topic"
    # Not a major matter: no 四议 to go back to, the same two 公开 ahead.
    assert services.allowed_actions(matter, w.clerk) == ["publish"]
    matter = services.do_step(actor=w.clerk, matter=matter, action="publish", text="公示")
    assert matter.state == S.PUBLISHED


def test_a_proposal_from_a_topic_points_the_topic_at_it(hall):
    w = hall
    topic = Topic.objects.create(
        number="YT-2026-09998",
        region=w.village,
        title="村集体土地流转",
        body="拟流转土地二百亩。",
        author=w.villagers[1],
    )
    matter = propose(w, topic=topic)
    topic.refresh_from_db()
    assert topic.matter == matter
    with pytest.raises(ServiceError):
        propose(w, topic=topic)


def test_an_urban_community_resolves_by_its_residents(hall):
    w = hall
    matter = propose(w, actor=w.admin, region=w.regions.xiguan, resolved_by="village_reps")
    assert matter.resolved_by == "resident_reps"


def test_the_committee_and_the_township_hear_of_each_step(hall, django_capture_on_commit_callbacks):
    from gongzhi.notify.models import Notification

    w = hall
    with django_capture_on_commit_callbacks(execute=True):
        matter = propose(w)
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"clerk", "township"} <= told and "secretary" not in told
    assert "villager0" not in told and "otherclerk" not in told
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        to_resolved(w, matter)
    resolved = Notification.objects.filter(kind="deliberation.matter.resolve")
    assert {"secretary", "township"} <= set(resolved.values_list("recipient__username", flat=True))
