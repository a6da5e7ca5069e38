"""Triage inside the platform: intake → queue → the dispatcher's decision; duplicates and
hotspots on pages and in the API; place names in text. Uses the shared 海东 test world."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.triage import hooks as triage_hooks
from gongzhi.taxonomy.models import Category
from gongzhi.triage import services as triage
from gongzhi.triage.classifier import Record
from gongzhi.triage.models import Assessment, TrainingLabel, TriagePolicy
from tests.factories import report_case

from .corpus import PLACES

pytestmark = pytest.mark.django_db

ISSUES = {
    "道路与井盖 / 井盖缺失破损": ["井盖丢失", "井盖破损", "窨井盖缺失", "下水道井盖坏了"],
    "道路与井盖 / 路面坑洼": ["路面坑洼积水", "道路坑洼不平", "马路塌陷大坑", "路面破损坑洼"],
    "环境保护": ["工厂排放污水", "夜间施工噪音扰民", "焚烧垃圾浓烟", "餐馆油烟扰民"],
    "劳动和社会保障": ["公司拖欠工资", "社保断缴", "农民工欠薪", "养老金没发"],
}


@pytest.fixture
def model(world):
    records = []
    for name, issues in ISSUES.items():
        label = Category.objects.get(full_name=name).path.strip("/")
        for i in range(24):
            place, issue = PLACES[i % len(PLACES)], issues[i % len(issues)]
            records.append(Record(f"{place}{issue}", f"{place}居民反映{issue}，第{i}次。", label))
    return triage.do_train(records, source="test", holdout=False, extra_words=[])


def report(w, capture, **overrides):
    fields = {"title": "西关路口井盖丢失", "description": "西关社区路口井盖丢失，很危险"}
    with capture(execute=True):
        case = report_case(w, w.manhole, **{**fields, **overrides})
    # Triage assesses it in intake's follow-up, which the watcher runs about every second.
    assert not Assessment.objects.filter(case_ref=case.number).exists()
    call_command("cases", "follow-up", stdout=StringIO())
    return case


def login(client, user):
    client.force_login(user)
    return client


def test_a_confident_matching_prediction_does_not_wait(
    world, model, django_capture_on_commit_callbacks
):
    case = report(world, django_capture_on_commit_callbacks)
    a = Assessment.objects.get(case_ref=case.number)
    assert a.model_version == model.version
    assert a.predicted == world.manhole.path.strip("/")
    assert a.status == "auto"


def test_an_unsure_report_waits_for_the_dispatcher_whose_choice_is_kept(
    world, model, client, django_capture_on_commit_callbacks
):
    TriagePolicy.objects.update(confidence_threshold=0.999)
    case = report(world, django_capture_on_commit_callbacks, category_id=world.pothole.pk)
    assert Assessment.objects.get(case_ref=case.number).status == "pending"

    page = login(client, world.dispatcher).get("/cases/triage/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="triage-row" data-number="{case.number}"' in html
    # The dispatcher decides from the reporter's words, not the title alone.
    assert "西关社区路口井盖丢失，很危险</p>" in html

    response = client.post(f"/cases/triage/{case.number}/decide/", {"category": world.manhole.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.category == world.manhole
    event = CaseEvent.objects.get(case=case, action="categorise")
    assert event.data == {
        "from": world.pothole.code,
        "to": world.manhole.code,
        "to_name": world.manhole.full_name,
    }
    label = TrainingLabel.objects.get(case_ref=case.number)
    assert label.label == world.manhole.path.strip("/") and label.labelled_by == world.dispatcher
    assert 'data-testid="triage-empty"' in client.get("/cases/triage/").content.decode()


def test_only_the_cases_dispatcher_may_set_the_category(
    world, model, client, django_capture_on_commit_callbacks
):
    TriagePolicy.objects.update(confidence_threshold=0.999)
    case = report(world, django_capture_on_commit_callbacks)
    login(client, world.other_dispatcher)  # 平安区: not this case's command centre
    response = client.post(f"/cases/triage/{case.number}/decide/", {"category": world.pothole.pk})
    assert response.status_code == 404  # not even visible to them
    assert Case.objects.get(pk=case.pk).category == world.manhole
    assert not TrainingLabel.objects.exists()


def test_setting_a_category_through_the_api(
    world, model, client, django_capture_on_commit_callbacks
):
    TriagePolicy.objects.update(confidence_threshold=0.999)
    case = report(world, django_capture_on_commit_callbacks)
    login(client, world.dispatcher)
    queued = client.get("/api/v1/triage/queue").json()
    assert [r["number"] for r in queued] == [case.number]
    bad = client.post(
        f"/api/v1/triage/cases/{case.number}/category",
        {"category": "nope"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"] == "unknown_category"
    assert Case.objects.get(pk=case.pk).category == world.manhole
    ok = client.post(
        f"/api/v1/triage/cases/{case.number}/category",
        {"category": world.pothole.code},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["category"] == world.pothole.code
    assert client.get("/api/v1/triage/queue").json() == []


def test_classify_through_the_api(world, model, client):
    login(client, world.operator)
    body = client.post(
        "/api/v1/triage/classify",
        {"title": "幸福家园小区公司拖欠工资", "text": "农民工欠薪三个月"},
        content_type="application/json",
    ).json()
    assert body["model_version"] == model.version
    assert body["predictions"][0]["category"] == "劳动和社会保障"
    empty = client.post(
        "/api/v1/triage/classify", {"title": "", "text": ""}, content_type="application/json"
    )
    assert empty.status_code == 400 and empty.json()["field"] == "text"


def test_possible_duplicates_are_ranked_and_offer_a_merge(
    world, model, client, django_capture_on_commit_callbacks
):
    first = report(world, django_capture_on_commit_callbacks)
    report(
        world,
        django_capture_on_commit_callbacks,
        title="东村养老金没发",
        description="东村老人养老金没发",
        category_id=Category.objects.get(full_name="劳动和社会保障").pk,
        lng=world.point[0] + 0.001,
    )
    again = report(
        world,
        django_capture_on_commit_callbacks,
        title="西关路口井盖丢了",
        lng=world.point[0] + 0.0005,
    )
    login(client, world.dispatcher)
    # The case page's merge panel leads the dispatcher to the ranked list.
    case_page = client.get(f"/cases/{again.number}/").content.decode()
    assert f'href="/cases/{again.number}/similar/" data-testid="similar-link"' in case_page
    similar = client.get(f"/api/v1/triage/cases/{again.number}/similar").json()
    assert similar[0]["number"] == first.number
    assert similar[0]["distance_m"] < 100 and similar[0]["same_category"] is True
    page = client.get(f"/cases/{again.number}/similar/").content.decode()
    assert first.number in page and f"/cases/{again.number}/similar/verdict/" in page
    merged = client.post(
        f"/cases/{again.number}/similar/verdict/",
        {"into": first.number, "verdict": "merge", "expected_state": again.state},
    )
    assert merged.status_code == 302
    assert Case.objects.get(pk=again.pk).state == "merged"


def test_the_triage_queue_flags_only_rows_with_look_alikes(
    world, model, client, django_capture_on_commit_callbacks
):
    import re

    TriagePolicy.objects.update(confidence_threshold=0.999)  # every report waits
    report(world, django_capture_on_commit_callbacks)
    again = report(world, django_capture_on_commit_callbacks, title="西关路口井盖丢了")
    alone = report(
        world,
        django_capture_on_commit_callbacks,
        title="东村养老金没发",
        description="东村老人养老金三个月没发",
        category_id=Category.objects.get(full_name="劳动和社会保障").pk,
        lng=world.point[0] + 0.01,
    )
    html = login(client, world.dispatcher).get("/cases/triage/").content.decode()
    rows = dict(
        re.findall(r'data-testid="triage-row" data-number="([^"]+)">(.*?)</tr>', html, re.S)
    )
    assert 'data-testid="similar-found"' in rows[again.number]
    assert "similar-" not in rows[alone.number]  # nothing to look at: no flag, no link


def test_hotspots_page_and_api(world, model, client, django_capture_on_commit_callbacks):
    for i, user in enumerate([world.resident, world.other_resident, world.resident]):
        with django_capture_on_commit_callbacks(execute=True):
            report_case(
                world,
                world.manhole,
                title=f"幸福家园小区夜间施工噪音扰民{i}",
                description="幸福家园小区旁工地夜间施工噪音扰民",
                reporter=user,
            )
    report(
        world,
        django_capture_on_commit_callbacks,
        title="东关学校乱收费",
        description="东关学校乱收费",
    )
    login(client, world.dispatcher)
    page = client.get("/cases/hotspots/", {"region": world.regions.ledu.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "幸福家园小区" in html and html.count('data-testid="hotspot"') == 1
    api = client.get("/api/v1/triage/hotspots", {"region": "630202"}).json()
    spot = api["hotspots"][0]
    assert spot["place"] == "幸福家园小区" and spot["reports"] == 3 and spot["reporters"] == 2
    assert len(spot["cases"]) == 3
    # Another county's dispatcher sees none of it.
    login(client, world.other_dispatcher)
    assert client.get("/api/v1/triage/hotspots").json()["hotspots"] == []
    outside = client.get("/api/v1/triage/hotspots", {"region": "630202"})
    assert outside.status_code == 400 and outside.json()["field"] == "region"


def test_a_bad_period_is_refused(world, client):
    login(client, world.dispatcher)
    page = client.get("/cases/hotspots/", {"start": "2026-05-01", "end": "2026-04-01"})
    assert page.status_code == 400
    api = client.get("/api/v1/triage/hotspots", {"start": "2026-05-01", "end": "2026-04-01"})
    assert api.status_code == 400 and api.json()["error"] == "bad_period"


def test_places_in_text_are_geocoded_to_region_and_grid(world, client):
    hit = triage_hooks.locate_text("乐都区碾伯镇西关社区1号网格路灯坏了")
    assert hit["region_code"] == "630202100001" and hit["grid_code"] == "630202100001-01"
    hit = triage_hooks.locate_text("平安东村有人乱倒垃圾")
    assert hit["region_name"] == "东村" and hit["grid_code"] == "630203100001-01"  # its only grid
    assert triage_hooks.locate_text("不知道在哪里") is None
    login(client, world.operator)
    body = client.post(
        "/api/v1/triage/locate",
        {"text": "碾伯镇东关社区下水道堵了"},
        content_type="application/json",
    ).json()
    assert body["location"]["region_name"] == "东关社区"


def test_a_renamed_place_is_found_by_its_new_name(world, monkeypatch):
    from django.utils import timezone

    from gongzhi.regions.models import Region
    from gongzhi.triage import gazetteer

    assert triage_hooks.locate_text("碾伯镇东关社区下水道堵了")["region_name"] == "东关社区"
    # Saved in this process (the admin): the next call knows the new name.
    dongguan = Region.objects.get(name="东关社区")
    dongguan.name = "东门社区"
    dongguan.save()
    assert triage_hooks.locate_text("碾伯镇东门社区下水道堵了")["region_name"] == "东门社区"
    # Changed by another process (no signal here): known after the next version check.
    Region.objects.filter(pk=dongguan.pk).update(name="东城社区", updated_at=timezone.now())
    assert triage_hooks.locate_text("碾伯镇东城社区下水道堵了")["region_name"] == "碾伯镇"
    now = gazetteer._clock()
    monkeypatch.setattr(gazetteer, "_clock", lambda: now + 6)
    hit = triage_hooks.locate_text("碾伯镇东城社区下水道堵了")
    assert hit["region_name"] == "东城社区" and hit["matched"][:2] == ["碾伯镇", "东城社区"]
    assert triage_hooks.locate_text("碾伯镇东门社区下水道堵了")["region_name"] == "碾伯镇"


def test_train_from_the_platform_uses_dispatchers_labels(world):
    labels = {name: Category.objects.get(full_name=name).path.strip("/") for name in ISSUES}
    for i in range(24):
        name = list(ISSUES)[i % 4]
        TrainingLabel.objects.create(
            case_ref=f"HD-X-{i}", title=ISSUES[name][i % 4], text="", label=labels[name]
        )
    out = __import__("io").StringIO()
    call_command("triage", "train", "--no-holdout", stdout=out)
    trained = json.loads(out.getvalue())
    assert trained["source"] == "platform" and trained["n_train"] == 24


def test_a_report_without_a_point_can_be_placed_from_its_address(world):
    from gongzhi.cases.workflow import routing

    case = Case(title="路灯不亮", address="乐都区碾伯镇西关社区2号网格幸福路")
    triage_hooks.place_from_text(case, f"{case.address} 晚上路灯一直不亮")
    assert case.region == world.regions.xiguan and case.grid == world.grid_b
    # …so it can be routed to 乐都区's command centre rather than the city's.
    assert routing.command_for(case.region_path) == world.command
    nowhere = Case(title="路灯不亮")
    triage_hooks.place_from_text(nowhere, "不知道在哪里")
    assert nowhere.region is None and nowhere.region_path == ""
