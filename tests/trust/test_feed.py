"""Issue 22, defect 2: the public Open311 feed, the description leaders read and the queue
export that says it holds nothing personal must not carry the phone numbers, ID numbers
and house addresses that people type into free text, however they write them; and the
public feed gives a place to about 100 m, not 0.1 m."""

import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from gongzhi.accounts.masking import mask_personal_in_text
from tests.factories import report_case

pytestmark = pytest.mark.django_db

# (text, what must not be left in it): written by hand, the ways people type them.
PERSONAL = [
    ("我的电话13812345678请回电", "12345678"),
    ("电话138-1234-5678", "1234-5678"),
    ("电话 138 1234 5678", "1234 5678"),
    ("手机１３８１２３４５６７８", "１２３４５６７８"),
    ("手机1 3 8 1 2 3 4 5 6 7 8", "2 3 4 5 6 7 8"),
    ("手机号+86 139-0000-1111", "0000-1111"),
    ("身份证630202199001011234", "19900101"),
    ("身份证号 630202 19900101 1234", "19900101"),
    ("身份证630202-1990-0101-123X", "1990-0101"),
    ("身份证６３０２０２１９９００１０１１２３Ｘ", "１９９００１０１"),
    ("座机0972-5868123", "5868"),
    ("打(0972)5869123找我", "5869"),
    ("打（0972）5867123找我", "5867"),
    ("座机 0972 8765432", "8765"),
    ("联系电话：8123456", "81234"),
    ("住西关街12号3单元4702室", "4702"),
    ("家在5栋2单元3801，楼道灯坏了", "3801"),
    ("阳光小区3-2-4903漏水", "4903"),
    ("3号楼1单元5102室门口", "5102"),
    ("西关街47号门口有坑", "47号"),
    ("我家1202室楼上漏水", "1202"),
]

# Texts that hold nothing personal and must be published as written.
IMPERSONAL = [
    "2026年3月12号下午发现井盖丢失",
    "3月5号起路灯不亮",
    "2026-02-03至2026-03-05期间多次反映",
    "与案件HD-20261206-000123是同一个问题",
    "修缮费用13800元，已垫付1,234.50元",
    "1990年建成的老桥",
    "请拨打12345热线",
    "坐5号线地铁到站后右转",
    "2号井盖和3号井盖都丢了",
    "共有5户人家受影响，约30分钟停电",
    "第3层楼梯扶手松动",
    "气温-5度，路面结冰",
]


@pytest.mark.parametrize(("text", "secret"), PERSONAL)
def test_personal_data_in_free_text_is_masked(text, secret):
    assert secret not in mask_personal_in_text(text)


@pytest.mark.parametrize("text", IMPERSONAL)
def test_impersonal_free_text_is_left_as_written(text):
    assert mask_personal_in_text(text) == text


def _case(world, text, point=None, title=None):
    return report_case(
        world,
        world.pothole,
        point=point,
        channel="quick_report",
        title=title or "路面坑洼",
        description=text,
        address="海东市乐都区碾伯镇西关街",
    )


def _feed(fmt, path="requests", **params):
    return Client().get(f"/open311/v2/{path}.{fmt}", params)


def test_the_public_feed_masks_every_writing_and_keeps_the_rest(world):
    text = "；".join([t for t, _s in PERSONAL] + IMPERSONAL)[:3900]
    case = _case(world, text)
    for fmt in ("json", "xml"):
        for path, params in [
            ("requests", {}),
            ("requests", {"extensions": "true"}),
            (f"requests/{case.number}", {}),
        ]:
            response = _feed(fmt, path, **params)
            assert response.status_code == 200
            body = response.content.decode()
            assert case.number in body
            for plain, secret in PERSONAL:
                assert secret not in body, (fmt, path, plain)
            for plain in IMPERSONAL:
                assert plain in body, (fmt, path, plain)


def test_the_public_feed_gives_the_place_to_about_100_m(world):
    case = _case(world, "路面坑洼，很危险", point=(102.405123, 36.471234))
    (row,) = json.loads(_feed("json", f"requests/{case.number}").content)
    assert (row["lat"], row["long"]) == (36.471, 102.405)
    (row,) = json.loads(_feed("json", "requests").content)
    assert (row["lat"], row["long"]) == (36.471, 102.405)


def test_a_leader_reads_descriptions_masked_and_a_dispatcher_as_written(world):
    case = _case(world, "井盖丢了，电话138-1234-5678，住西关街12号3单元402室")
    leader = Client()
    leader.force_login(world.leader)
    page = leader.get(f"/cases/{case.number}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "井盖丢了" in body
    assert "1234-5678" not in body and "402室" not in body
    api = leader.get(f"/api/v1/cases/{case.number}")
    assert api.status_code == 200
    assert "井盖丢了" in api.json()["description"]
    assert "1234-5678" not in api.content.decode() and "402室" not in api.content.decode()
    dispatcher = Client()
    dispatcher.force_login(world.dispatcher)
    assert "138-1234-5678" in dispatcher.get(f"/cases/{case.number}/").content.decode()
    assert "138-1234-5678" in dispatcher.get(f"/api/v1/cases/{case.number}").json()["description"]


def test_the_queue_export_holds_no_numbers_in_titles(world):
    _case(world, "路面坑洼", title="坑洼 电话138-1234-5678 住5栋2单元301")
    dispatcher = Client()
    dispatcher.force_login(world.dispatcher)
    response = dispatcher.get("/cases/export.xlsx")
    assert response.status_code == 200
    # The queue's export is streamed from a temporary file.
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles and all("1234-5678" not in t and "301" not in t for t in titles)
    assert any("坑洼" in t for t in titles)
