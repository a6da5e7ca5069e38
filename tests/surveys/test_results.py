"""Results weighted by township population with design-based 95 % intervals, checked on a
hand-computed example; and who may read which results."""

import math

import pytest
from django.urls import reverse

from gongzhi.surveys import figures, services
from gongzhi.surveys.models import SampleMember, Wave
from tests.surveys.conftest import fielded, pick

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(sv):
    """乐都区's wave: 碾伯镇 (3000 people) answers safety 100, 80, 60 and one member never
    picks up; 高庙镇 (1000 people) answers 40 and 60. Satisfaction: 满意 (80) throughout."""
    w = sv
    w.wave = fielded(w, w.regions.ledu, per_township=4)
    questions = services.questions_of(w.wave)
    nianbo = list(SampleMember.objects.filter(wave=w.wave, region=w.nianbo).order_by("pk"))
    gaomiao = list(SampleMember.objects.filter(wave=w.wave, region=w.gaomiao).order_by("pk"))
    assert (len(nianbo), len(gaomiao)) == (4, 2)
    for member, label in zip(nianbo, ["很安全", "安全", "基本安全"], strict=False):
        services.do_record_call(
            user=w.operator,
            member=member,
            outcome="answered",
            answers=pick(questions, label, "满意"),
        )
    services.do_record_call(user=w.operator, member=nianbo[3], outcome="no_answer")
    services.do_record_call(
        user=w.operator,
        member=gaomiao[0],
        outcome="answered",
        answers=pick(questions, "不太安全", "满意"),
    )
    services.do_submit_link(token=gaomiao[1].token, answers=pick(questions, "基本安全", "满意"))
    return w


def test_the_weighted_estimate_and_its_interval(client, answered, django_assert_max_num_queries):
    w = answered
    figures.results(viewer=w.leader, region=w.regions.city)  # the leader's scope, read once
    with django_assert_max_num_queries(8):  # whatever the number of townships
        assert figures.results(viewer=w.leader, region=w.regions.city)["wave"]["id"] == w.wave.pk
    client.force_login(w.ledu_leader)
    data = client.get(f"/api/v1/surveys/results?region={w.regions.ledu.code}").json()
    assert data["wave"]["id"] == w.wave.pk
    # Weights 3000/4000 and 1000/4000; n 3 and 2; s² 400 and 200.
    mean = 0.75 * 80 + 0.25 * 50
    var = 0.75**2 * (1 - 3 / 3000) * 400 / 3 + 0.25**2 * (1 - 2 / 1000) * 200 / 2
    se = math.sqrt(var)
    safety = data["measures"]["safety"]
    assert safety["mean"] == 72.5 == mean
    assert safety["low"] == round(mean - 1.959964 * se, 1) == 54.8
    assert safety["high"] == round(mean + 1.959964 * se, 1) == 90.2
    assert safety["n"] == 5 and safety["coverage"] == 1.0
    # Positive (很安全/安全/基本安全): 碾伯镇 3 of 3, 高庙镇 1 of 2.
    p_var = 0.25**2 * (1 - 2 / 1000) * 0.5 / 2
    assert safety["positive"] == 87.5
    assert safety["positive_low"] == round((0.875 - 1.959964 * math.sqrt(p_var)) * 100, 1)
    assert safety["positive_high"] == 100.0  # kept within 100 %
    satisfaction = data["measures"]["satisfaction"]
    assert (satisfaction["mean"], satisfaction["low"], satisfaction["high"]) == (80.0, 80.0, 80.0)
    # Response: 5 completed (one by link) of 6 contacted.
    assert data["response"] == {
        "sample": 6,
        "contacted": 6,
        "completed": 5,
        "by_link": 1,
        "rate": 83.3,
    }
    # By township: each its own stratum.
    towns = {a["code"]: a for a in data["areas"]}
    assert towns[w.nianbo.code]["measures"]["safety"]["mean"] == 80.0
    assert towns[w.gaomiao.code]["measures"]["safety"]["mean"] == 50.0
    assert towns[w.gaomiao.code]["response"]["rate"] == 100.0
    # The wave page shows the same figures, and its chart's data.
    page = client.get(reverse("surveys:wave", args=[w.wave.pk])).content.decode()
    assert "72.5" in page and "54.8–90.2" in page and 'id="survey-data"' in page


def test_scope_of_waves_and_results(client, answered):
    w = answered
    city_wave = fielded(w, w.regions.city, name="海东市调查", per_township=1)
    # 平安区's leader: sees the city's wave (it covers their county), not 乐都区's.
    client.force_login(w.pingan_leader)
    listed = {x["id"] for x in client.get("/api/v1/surveys/waves").json()["items"]}
    assert listed == {city_wave.pk}
    refused = client.get(f"/api/v1/surveys/results?region={w.regions.ledu.code}")
    assert refused.status_code == 403
    assert client.get(f"/api/v1/surveys/results?region={w.regions.city.code}").status_code == 403
    mine = client.get(f"/api/v1/surveys/results?region={w.regions.pingan.code}").json()
    assert mine["wave"]["id"] == city_wave.pk
    assert [a["code"] for a in mine["areas"]] == [w.pingan_town.code]
    assert client.get(reverse("surveys:wave", args=[w.wave.pk])).status_code == 404
    # On the city's wave page they read their own county, and cannot act on the wave.
    page = client.get(reverse("surveys:wave", args=[city_wave.pk])).content.decode()
    assert w.pingan_town.name in page and "draw-form" not in page
    client.post(reverse("surveys:wave_action", args=[city_wave.pk, "close"]))
    assert Wave.objects.get(pk=city_wave.pk).state == "fielding"
    # The city's leader reads the city by county.
    assert (
        figures.results(viewer=w.leader, region=w.regions.city, wave=w.wave)["areas"][0]["code"]
        == w.regions.ledu.code
    )
    # An operator reads no member but their own; a resident no results at all.
    client.force_login(w.resident)
    assert client.get(f"/api/v1/surveys/results?region={w.regions.ledu.code}").status_code == 403
    assert client.get(reverse("surveys:results")).status_code == 403
    assert client.get(reverse("surveys:calls")).status_code == 403
    # A period without a wave gives no figures.
    client.force_login(w.ledu_leader)
    empty = client.get(
        f"/api/v1/surveys/results?region={w.regions.ledu.code}&start=2025-01-01&end=2025-02-01"
    ).json()
    assert empty["wave"] is None and empty["measures"]["safety"] is None
    page = client.get(reverse("surveys:results"), {"region": w.regions.ledu.code}).content.decode()
    assert "72.5" in page
