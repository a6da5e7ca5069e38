"""Economic hardship: the exemption rules (arts. 32 and 42) recognised from what an
application says, checked on a table of applicants; the stated income against the county's
standard when no rule applies."""

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.legal.aid import exemptions
from gongzhi.legal.aid.choices import Hardship
from gongzhi.legal.models import AidMatterType, ExemptionRule, IncomeStandard

from .conftest import id_number

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 3, 2)
ADULT = id_number("19850307")
MINOR = id_number("20100615")
ELDER = id_number("19600101")  # 66
JUST_60 = id_number("19660302")  # 60 on ON
NOT_60 = id_number("19660303")  # 59 on ON

APPLICANTS = [
    # (who, flags, matter type, ID number, rules expected)
    ("英雄烈士近亲属", ["hero_kin"], "other", ADULT, ["hero_kin"]),
    ("见义勇为者", [], "good_samaritan", ADULT, ["good_samaritan"]),
    (
        "再审改判无罪请求国家赔偿",
        ["retrial_acquitted"],
        "state_compensation",
        ADULT,
        ["retrial_acquitted"],
    ),
    ("改判无罪但请求的不是国家赔偿", ["retrial_acquitted"], "wages", ADULT, []),
    ("家暴受害人", ["abuse_victim"], "maintenance", ADULT, ["abuse_victim"]),
    ("无固定收入的未成年人", ["no_fixed_income"], "maintenance", MINOR, ["minor_no_income"]),
    ("有收入的未成年人", [], "maintenance", MINOR, []),
    ("无固定收入的老人", ["no_fixed_income"], "maintenance", ELDER, ["elderly_no_income"]),
    ("刚满60岁", ["no_fixed_income"], "maintenance", JUST_60, ["elderly_no_income"]),
    ("差一天满60岁", ["no_fixed_income"], "maintenance", NOT_60, []),
    ("无固定收入的成年人", ["no_fixed_income"], "wages", ADULT, []),
    ("无固定收入的残疾人", ["no_fixed_income", "disabled"], "other", ADULT, ["disabled_no_income"]),
    ("有收入的残疾人", ["disabled"], "other", ADULT, []),
    ("低保对象", ["social_assistance"], "other", ADULT, ["social_assistance"]),
    ("农民工讨薪", ["migrant_worker"], "wages", ADULT, ["migrant_worker"]),
    ("农民工工伤", ["migrant_worker"], "work_injury", ADULT, ["migrant_worker"]),
    ("农民工交通事故", ["migrant_worker"], "traffic_accident", ADULT, []),
    ("普通劳动者讨薪", [], "wages", ADULT, []),
    (
        "家暴受害的无收入老人",
        ["abuse_victim", "no_fixed_income"],
        "maintenance",
        ELDER,
        ["abuse_victim", "elderly_no_income"],
    ),
]


@pytest.fixture
def rules(legal):
    from .conftest import seeded_reference

    seeded_reference()
    return legal


@pytest.mark.parametrize(
    "who, flags, kind, number, expected", APPLICANTS, ids=[a[0] for a in APPLICANTS]
)
def test_exemption_rules_on_a_table_of_applicants(rules, who, flags, kind, number, expected):
    matter = AidMatterType.objects.get(code=kind)
    found = exemptions.recognise(flags=flags, matter_type=matter, id_number=number, on=ON)
    assert [r.code for r in found] == expected


def test_a_disabled_rule_no_longer_applies_and_a_new_row_does(rules):
    ExemptionRule.objects.filter(code="social_assistance").update(enabled=False)
    other = AidMatterType.objects.get(code="other")
    assert (
        exemptions.recognise(flags=["social_assistance"], matter_type=other, id_number=ADULT, on=ON)
        == []
    )
    veteran = ExemptionRule.objects.create(
        code="veteran_kin", name="军属", reason="军人军属", flags=["disabled"], min_age=70
    )
    assert exemptions.recognise(flags=["disabled"], matter_type=other, id_number=ELDER, on=ON) == []
    veteran.min_age = 60
    veteran.save()
    assert [
        r.code
        for r in exemptions.recognise(flags=["disabled"], matter_type=other, id_number=ELDER, on=ON)
    ] == ["veteran_kin"]
    # a rule naming no condition never applies to everyone
    ExemptionRule.objects.create(code="empty", name="空", reason="空")
    assert "empty" not in [
        r.code for r in exemptions.recognise(flags=[], matter_type=other, id_number=ADULT, on=ON)
    ]


@pytest.mark.parametrize(
    "income, flags, expected",
    [
        ("800", [], Hardship.MEETS),
        ("1200", [], Hardship.MEETS),  # at the standard
        ("1200.01", [], Hardship.EXCEEDS),
        ("5000", ["migrant_worker"], Hardship.EXEMPT),  # art. 42: not examined
        (None, [], Hardship.UNKNOWN),
    ],
)
def test_the_income_is_checked_against_the_countys_standard(rules, income, flags, expected):
    w = rules
    IncomeStandard.objects.create(region=w.regions.ledu, yuan_per_person_month=Decimal("1200"))
    checked = exemptions.check(
        region_path=w.regions.xiguan.path,
        flags=flags,
        matter_type=AidMatterType.objects.get(code="wages"),
        id_number=ADULT,
        income=Decimal(income) if income else None,
        on=ON,
    )
    assert checked.result == expected
    assert checked.standard == Decimal("1200")


def test_each_county_has_its_own_standard(rules):
    w = rules
    IncomeStandard.objects.create(region=w.regions.ledu, yuan_per_person_month=Decimal("1200"))
    IncomeStandard.objects.create(region=w.regions.pingan, yuan_per_person_month=Decimal("900"))
    wages = AidMatterType.objects.get(code="wages")
    common = dict(flags=[], matter_type=wages, id_number=ADULT, income=Decimal("1000"), on=ON)
    assert exemptions.check(region_path=w.regions.xiguan.path, **common).result == Hardship.MEETS
    pingan_village = w.regions.pingan.path + "630203100/"
    assert exemptions.check(region_path=pingan_village, **common).result == Hardship.EXCEEDS
    # a county without a row: left to the reviewer
    assert (
        exemptions.check(region_path="/630000/630200/630299/", **common).result == Hardship.UNKNOWN
    )


def test_an_application_records_what_the_check_found(aid):
    w = aid
    app = w.apply(flags=["migrant_worker"], monthly_income_per_head="6000")
    assert app.hardship == Hardship.EXEMPT and app.exemptions == ["migrant_worker"]
    assert w.act(app, "grant", w.director).state == "granted"


def test_the_statement_is_completed_and_checked_again(aid):
    from gongzhi.core.errors import NotAllowed
    from gongzhi.legal.aid import services

    w = aid
    app = w.apply(monthly_income_per_head="3000")
    assert app.hardship == Hardship.EXCEEDS
    with pytest.raises(NotAllowed):
        services.do_update_hardship(application=app, actor=w.other_resident, income="500")
    app = services.do_update_hardship(application=app, actor=w.resident, income="900")
    assert app.hardship == Hardship.MEETS
    app = services.do_update_hardship(
        application=app, actor=w.resident, flags=["social_assistance"]
    )
    assert app.hardship == Hardship.EXEMPT and app.exemptions == ["social_assistance"]
