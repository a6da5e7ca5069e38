"""Service points (the ones serving the person first: by their village, else by the
browser's position, else all by county), the profile form and API, and the legal home."""

import pytest
from django.test import Client

from gongzhi.legal.models import AudienceGroup, Delivery, ResidentProfile
from gongzhi.legal.outreach import services

pytestmark = pytest.mark.django_db
API = "/api/v1/legal"


def serving_codes(text):
    start = text.find('data-testid="serving"')
    end = text.find("</ul>", start)
    return [
        c
        for c in [
            "pls-630202100001",
            "pls-630202100",
            "pls-630202",
            "pls-630202100002",
            "pls-630203",
        ]
        if f'data-point="{c}"' in text[start:end]
    ]


def test_points_serving_my_village_come_first(pf, client):
    client.force_login(pf.resident)  # 西关社区
    page = client.get("/legal/points/")
    assert serving_codes(page.text) == ["pls-630202100001", "pls-630202100", "pls-630202"]
    assert page.text.index("西关社区公共法律服务工作室") < page.text.index(
        "东关社区公共法律服务工作室"
    )
    assert "韩雪梅" in page.text  # the village's adviser, by name
    assert 'id="points-map"' in page.text and "leaflet.js" in page.text


def test_a_resident_sees_their_own_countys_points_and_every_county_on_asking(pf, client):
    client.force_login(pf.resident)  # 西关社区, 乐都区
    page = client.get("/legal/points/")
    assert 'data-point="pls-630202100002"' in page.text  # 东关社区, the same county
    assert 'data-point="pls-630203"' not in page.text  # 平安区's centre
    assert 'data-testid="all-points"' in page.text
    everywhere = client.get("/legal/points/", {"all": "1"})
    assert 'data-point="pls-630203"' in everywhere.text


def test_points_by_position_then_all(pf, client):
    client.force_login(pf.no_profile)
    page = client.get("/legal/points/")
    assert 'data-testid="serving"' not in page.text and "pls-630203" in page.text
    near = client.get("/legal/points/", {"lng": "102.46", "lat": "36.48"})  # in 平安区
    assert 'data-point="pls-630203" data-serving="1"' in near.text
    filtered = client.get("/legal/points/", {"level": "centre"})
    assert "pls-630202100001" not in filtered.text and "pls-630203" in filtered.text
    service = client.get("/legal/points/", {"service": "notary"})
    assert (
        'data-point="pls-630202100"' not in service.text
        and 'data-point="pls-630202"' in service.text
    )


def test_points_api(pf):
    c = Client()
    c.force_login(pf.resident)
    rows = c.get(f"{API}/points").json()
    assert [r["code"] for r in rows[:3]] == ["pls-630202100001", "pls-630202100", "pls-630202"]
    assert rows[0]["serving_me"] and rows[0]["adviser"] == "韩雪梅"
    assert {r["code"] for r in c.get(f"{API}/points?serving=630202100002").json()} == {
        "pls-630202",
        "pls-630202100",
        "pls-630202100002",
    }
    assert len(c.get(f"{API}/points?mine=true").json()) == 3
    assert {r["code"] for r in c.get(f"{API}/points?level=centre").json()} == {
        "pls-630202",
        "pls-630203",
    }
    missing = c.get(f"{API}/points?serving=999")
    assert missing.status_code == 404 and missing.json()["field"] == "serving"
    assert c.get(f"{API}/points?level=nonsense").status_code in (400, 422)


def test_profile_form(pf, client):
    client.force_login(pf.no_profile)
    form = client.get("/legal/profile/")
    assert "<optgroup" in form.text and "西关社区" in form.text and "牧民" in form.text
    bad = client.post("/legal/profile/", {"region": ""})
    assert bad.status_code == 400 and 'data-testid="error-region"' in bad.text
    herders = AudienceGroup.objects.get(code="herder")
    ok = client.post(
        "/legal/profile/",
        {"region": pf.dongguan.pk, "groups": [herders.pk], "next": "/legal/points/"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/legal/points/"
    saved = ResidentProfile.objects.get(user=pf.no_profile)
    assert saved.region == pf.dongguan and list(saved.groups.all()) == [herders]
    assert saved.region_path == pf.dongguan.path
    evil = client.post(
        "/legal/profile/", {"region": pf.dongguan.pk, "next": "https://evil.example/"}
    )
    assert evil["Location"] == "/legal/"


def test_profile_api(pf):
    c = Client()
    c.force_login(pf.no_profile)
    assert c.get(f"{API}/profile").json() == {"region": None, "region_name": None, "groups": []}
    put = c.put(
        f"{API}/profile",
        {"region": "630202101201", "groups": ["farmer"]},
        content_type="application/json",
    )
    assert put.json() == {"region": "630202101201", "region_name": "高庙村", "groups": ["farmer"]}
    county = c.put(f"{API}/profile", {"region": "630202"}, content_type="application/json")
    assert county.status_code == 400 and county.json()["error"] == "region_level"
    unknown = c.put(
        f"{API}/profile",
        {"region": "630202100001", "groups": ["nobody"]},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "groups"
    assert ResidentProfile.objects.get(user=pf.no_profile).region.code == "630202101201"


def test_home_page_links(pf, client):
    client.force_login(pf.resident)
    home = client.get("/legal/")
    for name in ["tile-aid", "tile-ask", "tile-notary", "tile-outreach", "tile-points"]:
        assert f'data-testid="{name}"' in home.text
    for url in ["/legal/outreach/", "/legal/points/", "/legal/profile/"]:
        assert f'href="{url}"' in home.text
    assert 'data-testid="desks"' not in home.text
    assert 'data-point="pls-630202100001"' in home.text
    services.do_write_article(user=pf.sfs_staff, title="t", body="b", regions=[pf.regions.xiguan])
    assert Delivery.objects.filter(user=pf.resident).count() == 1
    assert 'data-testid="unread-count">1<' in client.get("/legal/").text
    client.force_login(pf.sfs_staff)
    staff_home = client.get("/legal/")
    assert 'data-testid="desk-legal_outreach_desk"' in staff_home.text
    assert 'data-testid="no-profile"' in staff_home.text
    client.logout()
    assert client.get("/legal/").status_code == 302
