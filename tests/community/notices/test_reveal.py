"""Who has not read a notice, with names: masked on the sender's page and in the API; the
village's clerk reveals the heads' names and phones (one audit row per person shown); the
village's secretary (a leader), staff of another village and residents cannot."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.accounts.masking import mask_name
from gongzhi.community.choices import AnswerKind
from gongzhi.core.models import AuditLog
from tests.api import conftest as api_fixtures

from .conftest import write

as_token = api_fixtures.as_token
pytestmark = pytest.mark.django_db


def unmasked(user):
    return AuditLog.objects.filter(actor=user, action="unmask")


def answered_by_all_but_two(nw):
    """A yes/no notice to the village that every household but the last two answered."""
    from gongzhi.community.notices import services

    notice = write(nw, answer_kind=AnswerKind.YES_NO, title="是否同意修建村道")
    for n in range(10):
        services.do_read(actor=nw.villagers[n], number=notice.number)
        services.do_answer(actor=nw.villagers[n], number=notice.number, value="yes")
    return notice


def test_the_clerk_reveals_the_waiting_heads_names_and_each_is_audited(nw, client):
    notice = answered_by_all_but_two(nw)
    waiting = nw.heads[10:]
    url = reverse("community:notice_sent", args=[notice.number])
    client.force_login(nw.clerk)

    page = client.get(url).content.decode()
    assert 'data-testid="reveal"' in page
    for head in waiting:
        assert head.name not in page and mask_name(head.name) in page
        assert head.phone not in page
    assert not unmasked(nw.clerk).exists()

    page = client.get(url + "?reveal=1").content.decode()
    for head in waiting:
        assert head.name in page and f'href="tel:{head.phone}"' in page
    assert nw.heads[0].name not in page  # who answered is not listed
    rows = unmasked(nw.clerk)
    assert sorted(int(r.object_id) for r in rows) == sorted(h.pk for h in waiting)
    assert {r.object_type for r in rows} == {"people.resident"}
    assert all(r.fields == ["name", "phone"] and notice.number in r.reason for r in rows)


def test_a_leader_another_village_and_a_resident_cannot_reveal(nw, client):
    notice = answered_by_all_but_two(nw)
    url = reverse("community:notice_sent", args=[notice.number]) + "?reveal=1"
    head = nw.heads[11]

    client.force_login(nw.secretary)  # the village's Party secretary: a leader
    assert 'data-testid="reveal"' not in client.get(url[: -len("?reveal=1")]).content.decode()
    r = client.get(url)
    page = r.content.decode()
    assert r.status_code == 403 and 'data-testid="reveal-refused"' in page
    assert head.name not in page and mask_name(head.name) in page
    denied = AuditLog.objects.get(actor=nw.secretary, action="unmask_denied")
    assert denied.object_id == str(notice.pk)

    client.force_login(nw.other_clerk)
    assert client.get(url).status_code == 404
    client.force_login(nw.villagers[11])
    assert client.get(url).status_code in (302, 404)
    assert head.name not in client.get(url, follow=True).content.decode()
    assert not AuditLog.objects.filter(action="unmask").exists()


def test_the_api_reveals_with_the_same_audit_and_refuses_the_others(nw, as_token):
    notice = answered_by_all_but_two(nw)
    path = f"/community/notices/{notice.number}/receipts"

    r = as_token(nw.clerk).get(path)
    assert r.status_code == 200
    names = {w["name"] for w in r.json()["waiting"]}
    assert names == {mask_name(h.name) for h in nw.heads[10:]}

    r = as_token(nw.clerk).get(path + "?reveal=true")
    assert r.status_code == 200
    got = {(w["name"], w["phone"]) for w in r.json()["waiting"]}
    assert got == {(h.name, h.phone) for h in nw.heads[10:]}
    assert unmasked(nw.clerk).count() == 2

    r = as_token(nw.secretary).get(path + "?reveal=true")
    assert r.status_code == 403 and r.json()["error"] == "not_permitted"
    assert as_token(nw.other_clerk).get(path + "?reveal=true").status_code == 404
    assert as_token(nw.villagers[11]).get(path + "?reveal=true").status_code == 404
    assert AuditLog.objects.filter(action="unmask").count() == 2
