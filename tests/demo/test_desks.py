"""The hotline desk's demo data (``demo.desks``), made through the real services: a
knowledge base the operator finds answers in, calls split into linked cases, and
suspensions waiting, approved and resumed, and refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.cases import answers as knowledge
from gongzhi.cases.models import Answer, Case, Suspension
from gongzhi.demo import desks
from tests.factories import call_case, case_in

pytestmark = pytest.mark.django_db


def test_the_desks_demo_is_made_through_the_services_and_loads_once(world):
    w = world
    calls = [
        call_case(w, w.manhole, title=f"井盖丢失{i}号", description="小区门口井盖丢失")
        for i in range(3)
    ]
    in_hand = [case_in(w, "in_progress") for _ in range(3)]
    now = timezone.now() + timedelta(minutes=30)  # a while after the units signed for them
    before = {c.pk: c.resolve_due for c in in_hand}

    counts = desks.load(now=now)

    # The knowledge base: the operator finds an answer by typing the caller's question.
    assert counts["answers"] == len(desks.ANSWERS) + 1
    found = knowledge.search("晚上噪音扰民可以投诉吗")
    assert found and "22时" in found[0].entry.answer
    # A call answered on the phone from it, and saved as an answer of its own.
    answered = Case.objects.get(state="answered")
    assert answered.result and Answer.objects.filter(source_case=answered).exists()

    # Calls split in two: each new case linked to its call, routed like any case.
    split = Case.objects.filter(split_from__isnull=False)
    assert counts["split_cases"] == split.count() == 2
    for new in split:
        assert new.split_from_id in {c.pk for c in calls}
        assert new.category_id != w.manhole.pk and new.command_id is not None
        assert new.events.filter(action="split_from").exists()

    # Suspensions: one waiting, one approved and resumed (the clock moved on), one refused.
    states = dict(Suspension.objects.values_list("status", "case_id"))
    assert set(states) == {"pending", "ended", "refused"}
    resumed = Case.objects.get(pk=states["ended"])
    assert resumed.state == "in_progress"
    assert resumed.resolve_due > before[resumed.pk]
    assert list(resumed.events.order_by("at").values_list("action", flat=True))[-3:] == [
        "request_suspension",
        "decide_suspension",
        "resume",
    ]
    assert Case.objects.get(pk=states["refused"]).state == "in_progress"
    # Each request is dated when its case's history says it was asked for, not at loading.
    for request in Suspension.objects.all():
        asked = request.case.events.get(action="request_suspension").at
        assert request.created_at == asked < now

    # Loaded again: nothing more.
    rows = (Answer.objects.count(), Case.objects.count(), Suspension.objects.count())
    again = desks.load(now=now)
    assert again == {"answers": 0, "split_cases": 0, "suspensions": {}}
    assert (Answer.objects.count(), Case.objects.count(), Suspension.objects.count()) == rows
