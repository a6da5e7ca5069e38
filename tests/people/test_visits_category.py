"""The case category a visit's need is raised in is a reference row: the care group's
``case_category``, filled for the seeded groups by a data migration, edited in the admin;
empty, disabled or a restricted group's, the parent category 特殊人群服务."""

from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.people import visits
from gongzhi.people.models import CareGroup
from gongzhi.taxonomy.models import Category
from tests.people.visit_fixtures import NOW, visit_world

pytestmark = pytest.mark.django_db

PARENT = "特殊人群服务"
ELDERLY = "特殊人群服务 / 独居老人关爱"
HARDSHIP = "特殊人群服务 / 困难群众救助"

fill = import_module("gongzhi.people.migrations.0005_seed_case_category").fill


@pytest.fixture
def vw(ppl):
    # A flushed database (after a transactional test) has the groups back without the fill.
    fill(apps, None)
    return visit_world(ppl)


def category(full_name):
    return Category.objects.get(full_name=full_name)


def raise_case(vw, code="elderly_alone", actor=None, resident=None):
    actor = actor or vw.grid_worker
    care = vw.enrol(code=code, resident=resident)
    visits.plan(now=NOW)
    done = vw.record(vw.due_visit(care), actor=actor, needs="需要临时救助，家中无人照料")
    raised = visits.do_raise_need(visit=done, actor=actor, kind="case")
    return Case.objects.get(number=raised.case_number)


def test_the_seeded_groups_carry_the_categories_of_the_old_table(vw):
    names = dict(
        CareGroup.objects.filter(case_category__isnull=False).values_list(
            "code", "case_category__full_name"
        )
    )
    assert names == {
        "elderly_alone": ELDERLY,
        "empty_nest_elderly": ELDERLY,
        "left_behind_child": "特殊人群服务 / 留守儿童关爱",
        "child_in_hardship": "特殊人群服务 / 留守儿童关爱",
        "disabled": "特殊人群服务 / 残疾人帮扶",
    }


def test_the_need_goes_to_the_category_the_groups_row_names(vw):
    CareGroup.objects.filter(code="elderly_alone").update(case_category=category(HARDSHIP))
    assert raise_case(vw).category.full_name == HARDSHIP


def test_a_group_without_a_category_or_with_a_disabled_one_uses_the_parent(vw):
    CareGroup.objects.filter(code="elderly_alone").update(case_category=None)
    assert raise_case(vw).category.full_name == PARENT
    CareGroup.objects.filter(code="disabled").update(case_category=category(HARDSHIP))
    Category.objects.filter(full_name=HARDSHIP).update(enabled=False)
    case = raise_case(vw, code="disabled", actor=vw.grid_b_worker, resident=vw.resident_b)
    assert case.category.full_name == PARENT


def test_a_restricted_group_uses_the_parent_whatever_its_row_says(vw):
    CareGroup.objects.filter(code="community_correction").update(case_category=category(HARDSHIP))
    case = raise_case(
        vw, code="community_correction", actor=vw.justice_officer, resident=vw.resident_b
    )
    assert case.category.full_name == PARENT


def test_the_data_migration_leaves_the_group_empty_when_the_category_is_absent(vw):
    CareGroup.objects.update(case_category=None)
    Category.objects.filter(full_name=ELDERLY).update(full_name="别的分类 / 老人")
    fill(apps, None)
    assert CareGroup.objects.get(code="elderly_alone").case_category is None
    assert CareGroup.objects.get(code="disabled").case_category.full_name.endswith("残疾人帮扶")
    # An administrator's choice stays.
    CareGroup.objects.filter(code="disabled").update(case_category=category(HARDSHIP))
    fill(apps, None)
    assert CareGroup.objects.get(code="disabled").case_category == category(HARDSHIP)


# -- the admin ------------------------------------------------------------------------------


def change_url(group):
    return reverse("admin:people_caregroup_change", args=[group.pk])


def form_of(group, **changes):
    data = {
        "code": group.code,
        "name": group.name,
        "functions": group.functions,
        "open_to_local": "on" if group.open_to_local else "",
        "default_level": group.default_level_id or "",
        "case_category": group.case_category_id or "",
        "description": group.description,
        "order": group.order,
        "colour": group.colour,
        "enabled": "on",
    }
    data.update(changes)
    return data


def test_the_admin_shows_and_changes_the_category(client, vw):
    client.force_login(vw.admin)
    listed = client.get(reverse("admin:people_caregroup_changelist")).content.decode()
    assert "独居老人关爱" in listed
    group = CareGroup.objects.get(code="elderly_alone")
    page = client.get(change_url(group)).content.decode()
    assert 'name="case_category"' in page
    response = client.post(change_url(group), form_of(group, case_category=category(HARDSHIP).pk))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.case_category == category(HARDSHIP)


def test_the_admin_refuses_a_disabled_category(client, vw):
    client.force_login(vw.admin)
    group = CareGroup.objects.get(code="elderly_alone")
    Category.objects.filter(full_name=HARDSHIP).update(enabled=False)
    response = client.post(change_url(group), form_of(group, case_category=category(HARDSHIP).pk))
    assert response.status_code == 200
    group.refresh_from_db()
    assert group.case_category.full_name == ELDERLY
