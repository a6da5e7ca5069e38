"""The matters room's test helpers on the shared ``hall`` world: a proposed matter, and
meetings with their agenda made with the models directly (so these tests do not depend on
the meetings room's services), closed with the outcome and the votes a test sets."""

from __future__ import annotations

import itertools
import secrets

import pytest
from django.utils import timezone

from gongzhi.deliberation.choices import ItemOutcome, MeetingState
from gongzhi.deliberation.matters import services
from gongzhi.deliberation.models import AgendaItem, Meeting, MeetingRule

_numbers = itertools.count(1)


def make_meeting(w, kind, *, state=MeetingState.SCHEDULED, region=None, present=0, eligible=0):
    region = region or w.village
    urban = region.pk != w.village.pk
    rule = MeetingRule.objects.filter(kind=kind, urban=urban, enabled=True).first()
    return Meeting.objects.create(
        number=f"YH-2026-9{next(_numbers):04d}",
        kind=kind,
        rule=rule,
        region=region,
        region_path=region.path,
        title=f"{rule.name}",
        place="村委会会议室",
        starts_at=timezone.now(),
        state=state,
        convened_by=w.clerk,
        sign_in_token=secrets.token_urlsafe(24),
        present=present,
        eligible=eligible,
        quorate=None if state != MeetingState.CLOSED else True,
        minutes="会议记录：与会人员充分讨论后表决。" if state == MeetingState.CLOSED else "",
        closed_at=timezone.now() if state == MeetingState.CLOSED else None,
    )


def held(w, kind, matter, outcome=ItemOutcome.PASSED, votes=(5, 1, 0), present=6, eligible=6):
    """A closed meeting of ``kind`` that decided ``matter`` with ``outcome``; returns the item."""
    meeting = make_meeting(w, kind, state=MeetingState.CLOSED, present=present, eligible=eligible)
    if outcome == ItemOutcome.NO_QUORUM:
        meeting.state, meeting.quorate = MeetingState.INQUORATE, False
        meeting.save(update_fields=["state", "quorate"])
    return AgendaItem.objects.create(
        meeting=meeting,
        title=matter.title,
        matter=matter,
        outcome=outcome,
        votes_for=votes[0],
        votes_against=votes[1],
        votes_abstain=votes[2],
        decided_at=timezone.now(),
    )


def propose(w, **change):
    data = {
        "actor": w.secretary,
        "region": w.village,
        "title": "硬化村东主干道",
        "summary": "村东主干道长期泥泞，拟使用村集体资金硬化道路一公里。",
        "resolved_by": "village_reps",
        "budget": "180000",
        "proposer": "村党支部",
        "participants": "祁书记、马委员、韩委员",
        "minutes": "支部委员会讨论一致同意提议。",
    }
    data.update(change)
    return services.do_propose(**data)


def deliberate(w, matter, **change):
    params = {
        "participants": "祁书记、韩文书、马成0、韩成1",
        "minutes": "两委联席会议商议同意，提交党员大会审议。",
    }
    params.update(change)
    return services.do_step(actor=w.clerk, matter=matter, action="deliberate", **params)


def to_reviewed(w, matter):
    matter = deliberate(w, matter)
    item = held(w, "party", matter, votes=(3, 0, 0), present=3, eligible=3)
    return services.do_step(actor=w.clerk, matter=matter, action="review", meeting=item.meeting)


def to_resolved(w, matter):
    matter = to_reviewed(w, matter)
    item = held(w, "village_reps", matter, votes=(5, 0, 0), present=5, eligible=6)
    return services.do_step(actor=w.clerk, matter=matter, action="resolve", meeting=item.meeting)


@pytest.fixture
def fake_openness(monkeypatch):
    """The openness room's two functions, replaced: these tests are about the workflow."""
    from gongzhi.deliberation.openness import services as openness

    calls = []

    class Publication:
        pk = None

        def __init__(self, text):
            self.text = text

    def create_publication(*, matter, kind, params, actor, now):
        calls.append(("publish", kind, matter.pk))
        return Publication(params.get("text") or "")

    def check_result_ready(matter):
        calls.append(("ready", matter.pk))

    monkeypatch.setattr(openness, "create_publication", create_publication)
    monkeypatch.setattr(openness, "check_result_ready", check_result_ready)
    return calls
