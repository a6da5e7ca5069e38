"""A supervisor creates a wave and draws its sample on the wave page: from the register's
adults with a phone, else from the hotline's callers, stratified by township."""

import pytest
from django.urls import reverse

from gongzhi.surveys.models import SampleMember, Wave
from tests.surveys.conftest import new_wave

pytestmark = pytest.mark.django_db


def test_a_wave_is_created_and_drawn_from_the_register_and_from_callers(client, sv):
    w = sv
    client.force_login(w.dispatcher)  # 乐都区's dispatcher
    bad = client.post(
        reverse("surveys:waves"),
        {
            "name": "乐都区2026年11月调查",
            "questionnaire": w.questionnaire.pk,
            "region": w.regions.ledu.pk,
            "start": "2026-11-30",
            "end": "2026-11-01",
            "per_township": 4,
            "allocation": "equal",
            "max_attempts": 3,
        },
    )
    assert "The period must end on or after its start." in bad.content.decode()
    assert not Wave.objects.exists()
    made = client.post(
        reverse("surveys:waves"),
        {
            "name": "乐都区2026年11月调查",
            "questionnaire": w.questionnaire.pk,
            "region": w.regions.ledu.pk,
            "start": "2026-11-01",
            "end": "2026-11-30",
            "per_township": 4,
            "allocation": "equal",
            "max_attempts": 3,
        },
    )
    wave = Wave.objects.get()
    assert made.url == reverse("surveys:wave", args=[wave.pk])
    response = client.post(
        reverse("surveys:wave_action", args=[wave.pk, "draw"]),
        {"operators": [w.operator.pk, w.operator2.pk]},
        follow=True,
    )
    assert "6 members drawn" in response.content.decode()
    members = SampleMember.objects.filter(wave=wave)
    nianbo = members.filter(region=w.nianbo)
    # 4 of the 6 distinct phones of 碾伯镇's adults; never the child, the one who moved
    # out or the one without a phone; a household's shared phone once at most.
    frame = {a.phone for a in w.adults}
    assert nianbo.count() == 4
    assert {m.phone for m in nianbo} <= frame
    assert all(m.source == "register" and m.resident_id for m in nianbo)
    # 高庙镇 has nobody in the register: its callers, each phone once (short of 4).
    gaomiao = members.filter(region=w.gaomiao)
    assert sorted(m.phone for m in gaomiao) == ["13800000001", "13800000002"]
    assert all(m.source == "caller" and m.resident_id is None for m in gaomiao)
    # Not 平安镇 (another county); shared among the two operators in turn.
    assert not members.filter(region=w.pingan_town).exists()
    assert {m.operator_id for m in members} == {w.operator.pk, w.operator2.pk}
    assert len({m.token for m in members}) == 6
    # Drawn once only.
    again = client.post(reverse("surveys:wave_action", args=[wave.pk, "draw"]), follow=True)
    assert "has been drawn already" in again.content.decode()
    assert members.count() == 6

    # The same seed draws the same people; another seed (almost surely) others.
    twin = new_wave(w, w.regions.ledu, per_township=4, seed=wave.seed)
    from gongzhi.surveys import services

    services.do_draw_sample(actor=w.admin, wave=twin, operators=[])
    assert set(twin.members.values_list("phone", flat=True)) == set(
        members.values_list("phone", flat=True)
    )


def test_proportional_allocation_follows_the_population(sv):
    from gongzhi.surveys import services

    w = sv
    # The city: 碾伯镇 3000, 高庙镇 1000, 平安镇 4000 people; 3 × 2 = 6 to share.
    wave = new_wave(w, w.regions.city, per_township=2, allocation="proportional")
    towns = services.townships_of(wave.region)
    sizes = services.allocate(wave, towns, services.populations(towns))
    assert {t.code: sizes[t.pk] for t in towns} == {
        "630202100": 2,  # 2.25
        "630202101": 1,  # 0.75, at least one
        "630203100": 3,  # 3.0
    }
    drawn = services.do_draw_sample(actor=w.admin, wave=wave)
    assert drawn == {"drawn": 6, "register": 5, "callers": 1, "short": []}


def test_a_leader_of_another_county_may_not_survey_ledu(client, sv):
    w = sv
    client.force_login(w.pingan_leader)
    client.post(
        reverse("surveys:waves"),
        {
            "name": "越权调查",
            "questionnaire": w.questionnaire.pk,
            "region": w.regions.ledu.pk,
            "start": "2026-11-01",
            "end": "2026-11-30",
            "per_township": 4,
            "allocation": "equal",
            "max_attempts": 3,
        },
    )
    assert not Wave.objects.exists()
