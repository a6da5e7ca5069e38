"""Issue 25, item 2: the queue's search box and the API's ``q`` find cases by the words of
their title and description, in Chinese (a two-character word, one character, several
words), by a case number or its tail, within the viewer's scope only, on both databases;
on PostgreSQL through the bigram index, whichever writer wrote the case."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases import search
from gongzhi.cases.models import Case
from gongzhi.demo import grow
from tests.factories import report_case

from .test_console_views import numbers

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search vector is PostgreSQL's"
)


def case(w, title, description, **fields):
    return report_case(
        w, w.manhole, title=title, description=description, expect_new=True, **fields
    )


@pytest.fixture
def texts(world):
    w = world
    return {
        "cover": case(w, "路面问题", "小区门口的窨井盖板松动，踩上去会响"),
        "lamp": case(w, "路灯不亮", "晚上西关街很黑"),
        "apart": case(w, "人行道破损", "井盖和盖板都坏了"),
        "wifi": case(w, "公共ＷｉＦｉ信号差", ""),
        # The other county's: the Ledu dispatcher may not find it.
        "pingan": case(
            w, "平安区路灯", "窨井盖板松动", point=w.other_point, reporter="other_resident"
        ),
    }


def queue(client, q) -> set[str]:
    return numbers(client.get(reverse("cases:queue"), {"q": q}))


def api(client, q) -> set[str]:
    response = client.get("/api/v1/cases", {"q": q})
    assert response.status_code == 200, response.content[:300]
    return {row["number"] for row in response.json()["items"]}


@pytest.mark.parametrize("read", [queue, api], ids=["queue", "api"])
def test_words_of_the_title_and_description_are_found_within_the_scope(client, world, texts, read):
    n = {k: v.number for k, v in texts.items()}
    client.force_login(world.dispatcher)
    assert read(client, "窨井盖板") == {n["cover"]}  # in the description only
    assert read(client, "路灯") == {n["lamp"]}  # two characters
    assert read(client, "黑") == {n["lamp"]}  # one
    assert read(client, "盖板 松动") == {n["cover"]}  # every word, anywhere
    assert read(client, "盖板 路灯") == set()
    # Its bigrams are in a text (坏了, 井盖) but the word is not.
    assert read(client, "坏了井盖") == set()
    assert read(client, "井盖板") == {n["cover"]}
    assert read(client, "信号差") == {n["wifi"]}
    if connection.vendor == "postgresql":  # the text as the index reads it: NFKC, lower case
        assert read(client, "wifi") == {n["wifi"]}
    assert read(client, "西关街 ") == {n["lamp"]}
    client.force_login(world.city_dispatcher)
    assert read(client, "窨井盖板") == {n["cover"], n["pingan"]}
    assert read(client, "路灯") == {n["lamp"], n["pingan"]}


@pytest.mark.parametrize("read", [queue, api], ids=["queue", "api"])
def test_a_case_number_its_start_or_its_tail_finds_that_case(client, world, texts, read):
    mine, other = texts["lamp"].number, texts["pingan"].number
    client.force_login(world.dispatcher)
    assert read(client, mine) == {mine}
    assert read(client, mine.lower()) == {mine}
    assert read(client, mine[-6:]) == {mine}
    assert read(client, mine[-15:]) == {mine}  # the day and the sequence
    assert read(client, other) == set()  # the other county's
    assert read(client, other[-6:]) == set()
    today = mine.rsplit("-", 1)[0]  # HD-YYYYMMDD: the day's
    assert read(client, today) == {c.number for k, c in texts.items() if k != "pingan"}


def test_the_search_follows_every_edit_of_the_words(client, world, texts):
    client.force_login(world.dispatcher)
    lamp = texts["lamp"]
    lamp.description = "灯杆被车撞歪"
    lamp.save()
    assert queue(client, "撞歪") == {lamp.number}
    assert queue(client, "很黑") == set()
    Case.objects.filter(pk=texts["cover"].pk).update(title="积水", description="雨后积水很深")
    assert queue(client, "积水很深") == {texts["cover"].number}
    assert queue(client, "窨井") == set()


def test_words_that_would_name_personal_data_do_not_search_for_a_leader(world):
    w = world
    called = case(w, "噪音扰民", "楼下商铺噪音大，回电话13912345678")
    everything = Case.objects.all()
    words = "电话13912345678"
    assert set(search.matching(everything, words, viewer=w.dispatcher)) == {called}
    assert not search.matching(everything, words, viewer=w.leader).exists()
    # A word the masking leaves alone searches for everyone.
    assert set(search.matching(everything, "商铺噪音", viewer=w.leader)) == {called}


def test_the_query_covers_each_word_with_bigrams():
    assert search.word_lexemes("井盖丢失") == ["'井盖'", "'丢失'"]
    assert search.word_lexemes("窨井盖") == ["'窨井'", "'井盖'"]
    assert search.word_lexemes("灯") == ["'灯':*"]
    assert search.tsquery(["路灯", "３号楼"]) == "'路灯' & '3号' & '号楼'"
    assert search.tsquery(["！！"]) is None
    assert search.terms("井盖丢失", "A栋") == sorted(["井盖", "盖丢", "丢失", "失", "a栋", "栋"])


@postgres_only
def test_every_writer_leaves_the_vector_the_database_would_compute(world, texts):
    samples = [
        ("井盖丢失", "小区门口的井盖丢失了，晚上很危险！12号楼A栋"),
        ("ＷｉＦｉ", "全角ＡＢＣ１２３，半角abc"),
        ("", ""),
        ("𠀀生僻字", "日本語のテキスト한국어"),
    ]
    with connection.cursor() as cursor:
        for title, description in samples:
            cursor.execute(
                "SELECT tsvector_to_array(cases_search_terms(%s, %s))", [title, description]
            )
            assert sorted(cursor.fetchone()[0]) == search.terms(title, description)
        # Intake (the ORM), an update, and the demo's COPY-style writer (its own vectors).
        grow.generate(300, days=30, now=timezone.now(), seed=5, texts=_stories())
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE search_vector IS DISTINCT FROM"
            " cases_search_terms(title, description)) FROM cases_case"
        )
        assert cursor.fetchone() == (300 + len(texts), 0)


def _stories() -> dict[int, list[tuple[str, str, str]]]:
    from gongzhi.taxonomy.models import Category

    stories = [
        ("井盖丢失", "人行道上的井盖丢失了，很危险", "已补装"),
        ("路灯不亮", "晚上小区门口的路灯不亮", "已修复"),
        ("噪音扰民", "夜间施工噪音很大", "已劝止"),
    ]
    return {pk: stories for pk in Category.objects.values_list("pk", flat=True)}
