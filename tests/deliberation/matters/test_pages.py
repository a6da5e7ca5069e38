"""The matters' pages with the Django test client: the list scoped to the user, the
secretary's proposal form (errors inline, in Chinese), the matter page's checklist and
forms, a step and the agenda from the page, a refused step changing nothing."""

import pytest
from django.urls import reverse

from gongzhi.deliberation.models import Matter

from .conftest import deliberate, make_meeting, propose

pytestmark = pytest.mark.django_db


def client_for(client, user):
    client.force_login(user)
    return client


def test_the_list_shows_the_user_s_village_only(hall, client):
    w = hall
    matter = propose(w)
    page = client_for(client, w.villagers[2]).get(reverse("deliberation:matters"))
    assert page.status_code == 200 and matter.number in page.content.decode()
    assert 'data-testid="propose"' not in page.content.decode()
    page = client_for(client, w.outsider).get(reverse("deliberation:matters"))
    assert matter.number not in page.content.decode()
    assert client.get(reverse("deliberation:matter", args=[matter.number])).status_code == 404


def test_the_secretary_proposes_from_the_form(hall, client):
    w = hall
    c = client_for(client, w.secretary)
    assert 'data-testid="propose"' in c.get(reverse("deliberation:matters")).content.decode()
    url = reverse("deliberation:matter_new")
    form = {
        "region": w.village.pk,
        "title": "修建村文化广场",
        "summary": "拟在村委会旁修建文化广场一处，面积八百平方米。",
        "budget": "",
        "resolved_by": "village_reps",
        "participants": "",
        "minutes": "",
    }
    bad = c.post(url, form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad.status_code == 400 and 'data-testid="error-minutes"' in bad.content.decode()
    assert not Matter.objects.exists()
    form["minutes"] = "支部委员会讨论同意。"
    done = c.post(url, form)
    matter = Matter.objects.get()
    assert done.status_code == 302 and done.url == reverse(
        "deliberation:matter", args=[matter.number]
    )
    assert matter.state == "proposed" and matter.proposed_by == w.secretary


def test_only_a_secretary_reaches_the_form(hall, client):
    w = hall
    r = client_for(client, w.clerk).get(reverse("deliberation:matter_new"))
    assert r.status_code == 302
    r = client.post(
        reverse("deliberation:matter_new"),
        {"region": w.village.pk, "title": "x" * 5, "summary": "y" * 20, "minutes": "z" * 5},
    )
    assert not Matter.objects.exists()


def test_the_matter_page_shows_the_steps_and_takes_the_next_one(hall, client):
    w = hall
    matter = propose(w)
    c = client_for(client, w.clerk)
    url = reverse("deliberation:matter", args=[matter.number])
    html = c.get(url).content.decode()
    assert 'data-testid="matter-page"' in html and 'data-state="proposed"' in html
    assert html.count('data-testid="step"') == 6 and html.count('data-taken="yes"') == 1
    assert 'data-testid="action-deliberate"' in html
    r = c.post(
        reverse("deliberation:matter_act", args=[matter.number]),
        {
            "action": "deliberate",
            "expected_state": "proposed",
            "outcome": "passed",
            "participants": "祁书记、韩文书",
            "minutes": "两委商议同意。",
        },
    )
    assert r.status_code == 302
    html = c.get(url).content.decode()
    assert 'data-state="deliberated"' in html and html.count('data-taken="yes"') == 2
    assert "两委商议同意。" in html


def test_a_refused_step_on_the_page_says_why_and_changes_nothing(hall, client):
    w = hall
    matter = propose(w)
    c = client_for(client, w.clerk)
    r = c.post(
        reverse("deliberation:matter_act", args=[matter.number]),
        {"action": "publish", "text": "公示"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert r.status_code == 409
    assert 'data-testid="action-error"' in r.content.decode()
    r = c.post(
        reverse("deliberation:matter_act", args=[matter.number]),
        {"action": "deliberate", "participants": "甲、乙", "minutes": ""},
    )
    assert r.status_code == 400
    assert Matter.objects.get(pk=matter.pk).state == "proposed"
    assert Matter.objects.get(pk=matter.pk).events.count() == 1


def test_a_villager_sees_the_page_without_forms_and_with_names_masked(hall, client):
    w = hall
    matter = deliberate(w, propose(w), participants="祁书记、韩文书、马成0")
    html = (
        client_for(client, w.villagers[7])
        .get(reverse("deliberation:matter", args=[matter.number]))
        .content.decode()
    )
    assert 'data-testid="no-actions"' in html
    assert "马成0" not in html and "马**" in html
    r = client.post(
        reverse("deliberation:matter_act", args=[matter.number]),
        {"action": "withdraw", "reason": "撤回"},
    )
    assert r.status_code == 403
    assert Matter.objects.get(pk=matter.pk).state == "deliberated"


def test_the_clerk_puts_it_on_the_party_meeting_from_the_page(hall, client):
    w = hall
    matter = deliberate(w, propose(w))
    party = make_meeting(w, "party")
    make_meeting(w, "village_reps")  # not the next step: not offered
    c = client_for(client, w.clerk)
    html = c.get(reverse("deliberation:matter", args=[matter.number])).content.decode()
    assert f'value="{party.pk}"' in html and html.count("<option value=") >= 1
    r = c.post(
        reverse("deliberation:matter_act", args=[matter.number]),
        {"action": "agenda", "meeting": party.pk},
    )
    assert r.status_code == 302
    assert party.items.get().matter == matter
