"""The caps: the most specific enabled rule wins, every figure above a cap is a warning
that names the cap and the figure, and a warning never stops the registration."""

from __future__ import annotations

import pytest

from gongzhi.community.customs import rules, services
from gongzhi.community.customs.reference import ensure_seeded
from gongzhi.community.models import Ceremony, CustomRule

from .conftest import register

pytestmark = pytest.mark.django_db


def test_the_city_defaults_are_seeded_once(cw):
    ensure_seeded()
    ensure_seeded()
    city = CustomRule.objects.filter(region__code="630200")
    assert {r.kind: r.max_tables for r in city} == {"wedding": 20, "funeral": 15}
    assert {r.kind: r.max_days for r in city} == {"wedding": 2, "funeral": 3}
    assert {r.kind: r.max_gift for r in city} == {"wedding": 200, "funeral": 100}


def test_the_most_specific_enabled_rule_applies(cw):
    w = cw
    path = w.village.path
    assert rules.rule_for(path, "wedding").region.code == "630200"  # the city's default
    services.do_save_rule(
        actor=w.township_staff, region_id=w.village.parent_id, kind="wedding", max_tables=15
    )
    assert rules.rule_for(path, "wedding").max_tables == 15  # the township's
    services.do_save_rule(actor=w.clerk, region_id=w.village.pk, kind="wedding", max_tables=10)
    assert rules.rule_for(path, "wedding").max_tables == 10  # the village's own
    # The funeral keeps the city's; another village keeps the township's.
    assert rules.rule_for(path, "funeral").region.code == "630200"
    assert rules.rule_for(w.regions.xiguan.path, "wedding").max_tables == 15
    # A village row switched off gives way to the township's again.
    services.do_save_rule(
        actor=w.clerk, region_id=w.village.pk, kind="wedding", max_tables=10, enabled=False
    )
    assert rules.rule_for(path, "wedding").max_tables == 15
    c = register(w.villagers[0], w.household, tables=12)
    assert [x["field"] for x in c.warnings] == []
    c = register(w.villagers[0], w.household, tables=16)
    assert [(x["field"], x["cap"], x["figure"]) for x in c.warnings] == [("tables", 15, 16)]


CASES = [
    # kind, tables, guests, gift, days, the fields warned of
    ("wedding", 20, 200, 200, 2, []),
    ("wedding", 21, 200, 200, 2, ["tables"]),
    ("wedding", 20, 201, 200, 2, ["guests"]),
    ("wedding", 20, 200, 500, 2, ["gift"]),
    ("wedding", 20, 200, 200, 3, ["days"]),
    ("wedding", 30, 300, 1000, 4, ["tables", "guests", "gift", "days"]),
    ("funeral", 15, 150, 100, 3, []),
    ("funeral", 16, 150, 101, 5, ["tables", "gift", "days"]),
    ("funeral", 0, 0, 0, 1, []),
]


@pytest.mark.parametrize(("kind", "tables", "guests", "gift", "days", "fields"), CASES)
def test_warnings_on_a_table_of_cases(cw, kind, tables, guests, gift, days, fields):
    w = cw
    c = register(
        w.villagers[0], w.household, kind=kind, tables=tables, guests=guests, gift=gift, days=days
    )
    c.refresh_from_db()
    # Never a block: registered whatever the figures.
    assert c.state == "registered"
    assert [x["field"] for x in c.warnings] == fields
    for warning, text in zip(c.warnings, rules.warning_texts(c), strict=True):
        assert str(warning["cap"]) in text and str(warning["figure"]) in text
        assert "海东市" in text  # the rule's owner is named


def test_a_warning_is_a_clear_sentence_in_chinese(cw):
    from django.utils import translation

    c = register(cw.villagers[0], cw.household, tables=25)
    with translation.override("en"):
        assert rules.warning_texts(c) == [
            "25 tables are planned; the rules of 海东市 allow at most 20."
        ]


def test_a_region_without_rules_gives_no_warning(cw):
    CustomRule.objects.all().delete()
    c = register(cw.villagers[0], cw.household, tables=99, gift=5000)
    assert c.warnings == [] and Ceremony.objects.count() == 1


def test_who_may_set_rules(cw):
    w = cw
    from gongzhi.core.errors import NotAllowed, ServiceError

    with pytest.raises(NotAllowed):  # a resident
        services.do_save_rule(actor=w.villagers[0], region_id=w.village.pk, kind="wedding")
    with pytest.raises(NotAllowed):  # another village's committee
        services.do_save_rule(actor=w.community_staff, region_id=w.village.pk, kind="wedding")
    with pytest.raises(NotAllowed):  # a village committee may not set its township's
        services.do_save_rule(actor=w.clerk, region_id=w.village.parent_id, kind="wedding")
    with pytest.raises(ServiceError) as e:
        services.do_save_rule(actor=w.clerk, region_id=w.village.pk, kind="wedding", max_gift=-1)
    assert e.value.field == "max_gift"
    assert not CustomRule.objects.filter(region=w.village).exists()
