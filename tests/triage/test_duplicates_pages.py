"""The merge offers show why a case may be the same problem: on the dispatcher's ranked list
(reached from the case page's merge panel), in its API, and in the reporter's intake hint —
the words and the place both reports share, the distance and the days apart."""

import re

import pytest
from django.urls import reverse

from gongzhi.cases.triage import hooks as triage_hooks
from tests.factories import report_case

pytestmark = pytest.mark.django_db

EAST_60_M = 0.00067  # degrees of longitude at 36.5° N
NOISE = "幸福路口的搅拌站日夜轰鸣，粉尘很大，晚上无法休息"
AGAIN = "幸福路口搅拌站昼夜施工，噪音粉尘严重影响休息"
ELSE = "东关街菜市场门口垃圾堆了三天没人清运"


def quick(world, text, east=0.0, reporter="other_resident", title=""):
    point = (world.point[0] + east, world.point[1])
    return report_case(
        world, world.manhole, point=point, title=title, description=text, reporter=reporter
    )


@pytest.fixture
def cases(world):
    first = quick(world, NOISE, title="幸福路口搅拌站噪音扰民")
    other = quick(world, ELSE, east=EAST_60_M / 2, title="东关街菜市场垃圾没人清运")
    again = quick(world, AGAIN, east=EAST_60_M, reporter="resident", title="搅拌站噪音粉尘扰民")
    return first, other, again


def test_the_ranked_merge_offers_give_their_reason(client, world, cases):
    first, other, again = cases
    client.force_login(world.dispatcher)
    page = client.get(reverse("cases:similar", args=[again.number])).content.decode()
    rows = dict(
        re.findall(r'data-testid="similar-row" data-number="([^"]+)"(.*?)</tr>', page, re.S)
    )
    assert first.number in rows and other.number not in rows  # offered from 50 % only
    why = rows[first.number]
    words = re.search(r'data-testid="why-words">([^<]*)<', why).group(1)
    assert "搅拌站" in words or "粉尘" in words
    assert 'data-testid="why-days"' in why and " m" in why  # days and distance
    assert f"/cases/{again.number}/similar/verdict/" in page


def test_the_api_carries_the_reason(client, world, cases):
    first, _other, again = cases
    client.force_login(world.dispatcher)
    found = client.get(f"/api/v1/triage/cases/{again.number}/similar").json()
    assert [r["number"] for r in found] == [first.number]
    top = found[0]
    assert top["score"] >= 0.5 and top["same_category"] is True
    assert {"搅拌站", "粉尘"} & set(top["shared_words"])
    assert top["distance_m"] < 100 and top["days_apart"] == 0.0
    assert isinstance(top["shared_places"], list)


def test_the_intake_hint_says_why_a_case_is_probably_the_same(client, world, cases):
    first, other, _again = cases
    client.force_login(world.grid_worker)
    query = {
        "category": world.manhole.pk,
        "lng": world.point[0],
        "lat": world.point[1],
        "text": "幸福路口搅拌站半夜还在响，粉尘飘进家里",
    }
    html = client.get(reverse("cases:nearby"), query).content.decode()
    rows = dict(
        re.findall(r'data-testid="nearby-case" data-number="([^"]+)"(.*?)</li>', html, re.S)
    )
    assert "data-likely" in rows[first.number] and 'data-testid="why-words"' in rows[first.number]
    # Not offered as the same problem: no reason given.
    assert "data-likely" not in rows[other.number] and "why" not in rows[other.number]


def test_the_hint_rows_carry_the_scorers_reason(world, cases):
    first, _other, _again = cases
    scores = triage_hooks.duplicate_scores(
        text=AGAIN, lng=world.point[0], lat=world.point[1], category=world.manhole,
        cases=[first],
    )  # fmt: skip
    why = scores[first.pk]
    assert why["score"] >= 0.5 and why["shared_words"] and why["days_apart"] == 0.0
