"""拆分 (issue 23, item 3): a call that raises two problems becomes linked cases, each with
its own category (and unit), from the case page and from the API; a split that is not
well formed is refused with a clear message and changes nothing."""

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from gongzhi.cases import channels
from gongzhi.cases.choices import State
from gongzhi.cases.intake.split import do_split
from gongzhi.cases.models import Attachment, Case
from tests.concurrency import race
from tests.factories import call_case, case_in, png, report_case

pytestmark = pytest.mark.django_db


def _parts(*parts) -> dict:
    """Form fields for the parts, each (description, category[, unit])."""
    data = {}
    for i, part in enumerate(parts):
        data[f"part-{i}-description"] = part[0]
        data[f"part-{i}-category"] = part[1].pk if hasattr(part[1], "pk") else part[1]
        if len(part) > 2 and part[2] is not None:
            data[f"part-{i}-organisation"] = part[2].pk
    return data


def _split(client, case, data):
    return client.post(
        reverse("cases:act", args=[case.number, "split"]),
        {**data, "expected_state": case.state},
    )


def test_the_dispatcher_splits_a_call_into_linked_cases_on_the_case_page(client, world):
    w = world
    call = call_case(
        w,
        w.manhole,
        title="井盖丢失，路面也坑洼",
        description="西关街井盖丢失，旁边路面也有大坑",
        address="碾伯镇西关街12号",
    )
    assert call.state == State.ACCEPTED  # the hotline's calls are accepted as they are taken
    client.force_login(w.dispatcher)
    page = client.get(reverse("cases:detail", args=[call.number])).content.decode()
    assert 'data-testid="action-split"' in page and 'data-testid="split-part"' in page

    response = _split(
        client,
        call,
        {
            **_parts(
                ("西关街井盖丢失", w.manhole),
                ("西关街路面有大坑", w.pothole, w.zjj),
                ("西关街路灯不亮", w.pothole),
            ),
            "part-0-title": "井盖丢失",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    call.refresh_from_db()
    assert call.title == "井盖丢失" and call.description == "西关街井盖丢失"
    assert call.category == w.manhole and call.state == State.ACCEPTED
    made = list(Case.objects.filter(split_from=call).order_by("id"))
    assert len(made) == 2
    pothole, lamp = made
    for new in made:
        # The same caller, place and channel, through intake: numbered, routed and clocked.
        assert new.channel == call.channel and new.entered_by == w.dispatcher
        assert (new.reporter_phone, new.reporter_name) == (call.reporter_phone, "马秀兰")
        assert (new.lng, new.lat, new.address) == (call.lng, call.lat, call.address)
        assert new.grid_id == call.grid_id and new.command_id == call.command_id
        assert new.category == w.pothole and new.number != call.number
        assert list(new.events.values_list("action", flat=True))[-1] in ("split_from", "dispatch")
        assert new.events.filter(action="split_from", data__case=call.number).count() == 1
    # The part given a unit is dispatched to it; the other waits for dispatching, on its clock.
    assert pothole.state == State.DISPATCHED and pothole.owner == w.zjj
    assert pothole.resolve_due is not None
    assert lamp.state == State.ACCEPTED and lamp.owner is None and lamp.dispatch_due is not None
    # One entry on the original, naming the new cases.
    (step,) = call.events.filter(action="split")
    assert step.data["cases"] == [pothole.number, lamp.number]
    assert step.data["from"] == step.data["to"] == w.manhole.code

    # Both pages show the link: 拆分为 on the original, 拆分自 on each new case.
    page = client.get(reverse("cases:detail", args=[call.number])).content.decode()
    linked = set(re.findall(r'data-testid="split-case" data-number="([^"]+)"', page))
    assert linked == {pothole.number, lamp.number}
    page = client.get(reverse("cases:detail", args=[lamp.number])).content.decode()
    assert 'data-testid="split-from"' in page and call.number in page


def test_the_new_cases_reference_the_reports_photos(client, world):
    w = world
    case = report_case(w, w.manhole, title="井盖丢失", photos=[png()], description="井盖和坑")
    client.force_login(w.dispatcher)
    assert (
        _split(client, case, _parts(("井盖丢失", w.manhole), ("路面坑", w.pothole))).status_code
        == 302
    )
    (new,) = Case.objects.filter(split_from=case)
    (original,) = case.attachments.all()
    (copy,) = new.attachments.all()
    assert copy.stage == Attachment.Stage.REPORT and copy.image.name == original.image.name
    assert new.reporter == w.resident  # the same reporter, who can follow it
    assert (
        client.get(reverse("cases:photo", args=[new.number, copy.pk, "thumb"])).status_code == 200
    )


def test_the_operator_splits_through_the_api(client, world):
    w = world
    call = call_case(w, w.manhole, title="井盖丢失还有坑", description="井盖丢失还有坑")
    client.force_login(w.operator)
    response = client.post(
        f"/api/v1/cases/{call.number}/transitions",
        {
            "action": "split",
            "params": {
                "part-0-description": "井盖丢失",
                "part-0-category": w.manhole.pk,
                "part-1-description": "路面坑洼",
                "part-1-category": w.pothole.pk,
            },
            "expected_state": "accepted",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "accepted"
    (new,) = Case.objects.filter(split_from=call)
    detail = client.get(f"/api/v1/cases/{call.number}").json()
    assert detail["split_into"] == [new.number] and detail["split_from"] is None
    assert client.get(f"/api/v1/cases/{new.number}").json()["split_from"] == call.number


REFUSALS = [
    # what is posted, the error code
    ("one part", lambda w: _parts(("井盖丢失", w.manhole)), "too_few_parts"),
    ("no part", lambda w: {}, "too_few_parts"),
    (
        "empty part",
        lambda w: {**_parts(("井盖丢失", w.manhole)), "part-1-category": w.pothole.pk},
        "empty_part",
    ),
    ("no category", lambda w: _parts(("井盖丢失", w.manhole), ("路面坑", "")), "invalid_category"),
    (
        "unknown category",
        lambda w: _parts(("井盖丢失", w.manhole), ("路面坑", 999999)),
        "invalid_category",
    ),
    (
        "too many parts",
        lambda w: _parts(*[(f"问题{i}", w.pothole) for i in range(8)]),
        "too_many_parts",
    ),
]


@pytest.mark.parametrize(("what", "data", "code"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_split_that_is_not_well_formed_changes_nothing(client, world, what, data, code):
    w = world
    case = case_in(w, "accepted")
    before = (Case.objects.count(), case.title, case.category_id, case.events.count())
    client.force_login(w.dispatcher)
    with translation.override("zh-hans"):
        response = _split(client, case, data(w))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-code="{code}"' in html and 'data-testid="action-error"' in html
    case.refresh_from_db()
    assert (Case.objects.count(), case.title, case.category_id, case.events.count()) == before
    # Through the API: a structured error, and nothing changed either.
    response = client.post(
        f"/api/v1/cases/{case.number}/transitions",
        {"action": "split", "params": data(w)},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["error"] == code
    assert Case.objects.count() == before[0]


def test_a_category_reserved_for_another_channel_is_refused(client, world, monkeypatch):
    w = world
    case = case_in(w, "accepted")
    # The property companies' tree is kept for their own channel (报事报修).
    monkeypatch.setitem(channels.RESERVED, w.pothole.parent.code, "repair")
    client.force_login(w.dispatcher)
    with translation.override("zh-hans"):
        response = _split(client, case, _parts(("井盖丢失", w.manhole), ("坑", w.pothole)))
    assert response.status_code == 400
    assert 'data-code="invalid_category"' in response.content.decode()
    assert not Case.objects.filter(split_from=case).exists()


def test_only_a_dispatcher_chooses_the_parts_units(client, world):
    w = world
    call = call_case(w, w.manhole, title="井盖丢失还有坑")
    client.force_login(w.operator)
    page = client.get(reverse("cases:detail", args=[call.number])).content.decode()
    assert 'data-testid="action-split"' in page and 'data-testid="part-unit"' not in page
    response = _split(client, call, _parts(("井盖", w.manhole), ("坑", w.pothole, w.cgj)))
    assert response.status_code in (400, 403)
    assert not Case.objects.filter(split_from=call).exists()


def test_a_case_in_a_units_hands_is_not_split(client, world):
    w = world
    case = case_in(w, "in_progress")
    client.force_login(w.dispatcher)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="action-split"' not in page
    response = _split(client, case, _parts(("井盖", w.manhole), ("坑", w.pothole)))
    assert response.status_code == 403
    assert not Case.objects.filter(split_from=case).exists()


def _two_parts(w):
    return {
        **_parts(("西关街井盖丢失", w.manhole), ("西关街路面有大坑", w.pothole)),
        "part-0-title": "井盖丢失",
        "part-1-title": "路面坑洼",
    }


def test_the_same_split_sent_twice_splits_once(client, world):
    w = world
    call = call_case(w, w.manhole, title="井盖丢失，路面也坑洼", description="井盖丢失，路面有坑")
    client.force_login(w.dispatcher)
    before = Case.objects.count()
    for _ in range(2):  # a double click: the second post carries what the first did
        assert _split(client, call, _two_parts(w)).status_code in (200, 302)
    assert Case.objects.count() == before + 1
    call.refresh_from_db()
    assert [c.title for c in call.split_cases.all()] == ["路面坑洼"]
    assert call.events.filter(action="split").count() == 1


def test_a_different_second_split_is_still_made(client, world):
    w = world
    call = call_case(w, w.manhole, title="井盖丢失，路面也坑洼", description="井盖丢失，路面有坑")
    client.force_login(w.dispatcher)
    _split(client, call, _two_parts(w))
    call.refresh_from_db()
    again = {
        **_parts(("西关街井盖丢失", w.manhole), ("西关街路灯不亮", w.pothole)),
        "part-0-title": "井盖丢失",
        "part-1-title": "路灯不亮",
    }
    _split(client, call, again)
    assert sorted(c.title for c in call.split_cases.all()) == ["路灯不亮", "路面坑洼"]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises its writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_splitting_at_once_split_once(shared_world):
    w = shared_world
    call = call_case(w, w.manhole, title="井盖丢失，路面也坑洼", description="井盖丢失，路面有坑")
    data = _two_parts(w)
    results, errors = race(*[lambda: do_split(case=call, actor=w.dispatcher, data=data)] * 2)
    assert errors == [None, None]
    assert results[0][1][0].pk == results[1][1][0].pk
    assert Case.objects.filter(split_from=call).count() == 1
