"""The guide as a resident meets it: the answers decide the documents and the fee (a table of
answers per matter), bad answers are refused with the question named, a matter's definition
is checked before an administrator can save it, and the page shows the outcome in Chinese."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.errors import ServiceError
from gongzhi.legal.models import NotaryMatter
from gongzhi.legal.notary import guide

pytestmark = pytest.mark.django_db

HEIRS_ID = "每位继承人的居民身份证、户口簿原件"
KINSHIP = "继承人与被继承人的亲属关系证明"
WILL = "遗嘱原件"
WAIVER = "其他继承人放弃继承的声明书（或本人到场）"
DEED = "不动产权证书（房产证）原件"
PASSPORT = "护照或签证复印件（用于出国/境）"

CASES = [
    # matter, answers, documents present, documents absent, fee
    (
        "inheritance",
        {"will": "yes", "heirs": "1", "property": "no"},
        [HEIRS_ID, WILL],
        [KINSHIP, WAIVER, DEED],
        "200.00",
    ),
    (
        "inheritance",
        {"will": "no", "heirs": "3", "property": "yes", "value": "600000"},
        [KINSHIP, WAIVER, DEED],
        [WILL],
        "5100.00",  # 2000 + 2400 + 600 by band, and one heir beyond two
    ),
    (
        "inheritance",
        {"will": "no", "heirs": "2", "property": "yes", "value": "100000"},
        [DEED, WAIVER],
        [WILL],
        "1000.00",
    ),
    (
        "inheritance",
        {"will": "no", "heirs": "5", "property": "yes", "value": "10000"},
        [DEED],
        [],
        "500.00",  # the 200 minimum and three heirs beyond two
    ),
    ("birth", {"abroad": "yes", "copies": "3"}, ["出生医学证明", PASSPORT], [], "220.00"),
    ("birth", {"abroad": "no", "copies": "1"}, ["出生医学证明"], [PASSPORT], "80.00"),
    (
        "marital",
        {"status": "divorced", "abroad": "no", "copies": "1"},
        ["离婚证或法院判决书"],
        ["结婚证", "配偶死亡证明"],
        "80.00",
    ),
    (
        "property-sale",
        {"mortgage": "yes", "value": "1000000"},
        ["抵押权人同意转让的证明", "不动产权证书（房产证）原件"],
        [],
        "2750.00",
    ),
    ("will", {"property": "no", "home": "yes"}, ["医院出具的行动不便证明"], [], "500.00"),
    ("entrust", {"about": "property", "abroad": "no"}, [DEED], ["银行卡或存折"], "200.00"),
    ("evidence", {"what": "site"}, ["现场地址及进入现场的许可"], [], "1500.00"),
    ("no-record", {"abroad": "yes", "copies": "2"}, ["公安机关出具的无犯罪记录证明"], [], "200.00"),
]


@pytest.mark.parametrize(("code", "answers", "present", "absent", "fee"), CASES)
def test_the_answers_decide_documents_and_fee(notary_world, code, answers, present, absent, fee):
    outcome = guide.evaluate(NotaryMatter.objects.get(code=code), answers)
    for text in present:
        assert text in outcome.documents
    for text in absent:
        assert text not in outcome.documents
    assert outcome.fee == Decimal(fee)
    assert sum(Decimal(line["amount"]) for line in outcome.lines) == outcome.fee


def test_every_seeded_matter_is_well_formed(notary_world):
    names = set(NotaryMatter.objects.values_list("name", flat=True))
    assert {"继承", "委托", "赠与", "出生", "亲属关系", "婚姻状况", "学历", "无犯罪记录"} <= names
    assert {"房产买卖", "遗嘱", "声明", "证据保全"} <= names
    for matter in NotaryMatter.objects.all():
        matter.full_clean()


def test_a_question_not_asked_is_ignored(notary_world):
    outcome = guide.evaluate(
        notary_world.inheritance, {"will": "no", "heirs": "1", "property": "no", "value": "9"}
    )
    assert "value" not in outcome.answers
    assert outcome.fee == Decimal("200.00")


@pytest.mark.parametrize(
    ("answers", "field", "code"),
    [
        ({"will": "no", "property": "no"}, "heirs", "answer_missing"),
        ({"will": "maybe", "heirs": "1", "property": "no"}, "will", "answer_not_a_choice"),
        ({"will": "no", "heirs": "9", "property": "no"}, "heirs", "answer_not_a_choice"),
        ({"will": "no", "heirs": "1", "property": "yes"}, "value", "answer_missing"),
        (
            {"will": "no", "heirs": "1", "property": "yes", "value": "-5"},
            "value",
            "answer_out_of_range",
        ),
        (
            {"will": "no", "heirs": "1", "property": "yes", "value": "很多"},
            "value",
            "answer_out_of_range",
        ),
        (
            {"will": "no", "heirs": "1", "property": "yes", "value": "1e12"},
            "value",
            "answer_out_of_range",
        ),
    ],
)
def test_bad_answers_are_refused_naming_the_question(notary_world, answers, field, code):
    with pytest.raises(ServiceError) as caught:
        guide.evaluate(notary_world.inheritance, answers)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_all_missing_answers_are_named_at_once(notary_world):
    with pytest.raises(ServiceError) as caught:
        guide.evaluate(notary_world.inheritance, {})
    assert [e.field for e in caught.value.all] == ["will", "heirs", "property"]


def test_answers_must_be_an_object(notary_world):
    with pytest.raises(ServiceError):
        guide.evaluate(notary_world.inheritance, ["yes"])


@pytest.mark.parametrize(
    ("questions", "documents", "fee", "field"),
    [
        (
            [{"key": "a", "text": "?", "choices": [{"value": "x", "label": "X"}]}],
            [],
            {},
            "questions",
        ),
        ([{"key": "A b", "text": "?", "choices": []}], [], {}, "questions"),
        ([], [{"text": "身份证", "when": {"nope": ["yes"]}}], {}, "documents"),
        (
            [
                {
                    "key": "a",
                    "text": "?",
                    "choices": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}],
                }
            ],
            [],
            {"bands": {"on": "a", "rates": [[None, "0.01"]]}},
            "fee",
        ),
        (
            [{"key": "v", "text": "?", "type": "amount"}],
            [],
            {"bands": {"on": "v", "rates": [[500, "0.01"], [100, "0.02"]]}},
            "fee",
        ),
        ([], [], {"fixed": "free"}, "fee"),
    ],
)
def test_a_bad_definition_cannot_be_saved_in_the_admin(
    notary_world, questions, documents, fee, field
):
    matter = NotaryMatter(
        code="bad", name="坏的", questions=questions, documents=documents, fee=fee
    )
    with pytest.raises(ValidationError) as caught:
        matter.full_clean()
    assert field in caught.value.message_dict


def test_the_admin_refuses_a_bad_questionnaire(notary_world, client):
    client.force_login(notary_world.admin)
    matter = notary_world.inheritance
    url = f"/admin/legal/notarymatter/{matter.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "code": matter.code,
            "name": matter.name,
            "summary": matter.summary,
            "enabled": "on",
            "order": 10,
            "colour": matter.colour,
            "questions": '[{"key": "will", "text": "?", "choices": []}]',
            "documents": "[]",
            "fee": "{}",
        },
    )
    assert response.status_code == 200  # shown again with the problem
    matter.refresh_from_db()
    assert len(matter.questions) == 4


def test_the_guide_page_shows_documents_and_fee(notary_world, client):
    client.force_login(notary_world.resident)
    page = client.get(
        "/legal/notary/m/inheritance/",
        {"go": "1", "will": "no", "heirs": "3", "property": "yes", "value": "600000"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "被继承人的死亡证明" in html and DEED in html
    assert "5100.00" in html
    assert "乐都区公证处" in html and "平安区公证处" not in html  # the office serving 西关社区


def test_the_guide_page_shows_bad_answers_inline(notary_world, client):
    page = client.get("/legal/notary/m/inheritance/", {"go": "1", "will": "no"})
    html = page.content.decode()
    assert 'data-testid="error-heirs"' in html
    assert 'data-testid="outcome"' not in html


def test_the_offices_shown_serve_the_chosen_place(notary_world, client):
    page = client.get(
        "/legal/notary/m/birth/", {"go": "1", "abroad": "no", "copies": "1", "place": "630203"}
    )
    html = page.content.decode()
    assert "平安区公证处" in html and "乐都区公证处" not in html


def test_a_visitor_is_sent_to_log_in_before_booking(notary_world, client):
    page = client.get(
        "/legal/notary/m/declaration/", {"go": "1", "abroad": "no", "place": "630202"}
    )
    html = page.content.decode()
    assert 'data-testid="slot-login"' in html and "/accounts/login/?next=" in html
    assert 'data-testid="slot"' not in html
