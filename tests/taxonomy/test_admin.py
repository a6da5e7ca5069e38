"""The category and SLA admin."""

import pytest

from gongzhi.taxonomy.models import Category, SlaPolicy

pytestmark = pytest.mark.django_db


def test_category_list_search_and_filter(admin_client):
    response = admin_client.get("/admin/taxonomy/category/", {"q": "井盖"})
    html = response.content.decode()
    assert response.status_code == 200 and "井盖缺失破损" in html and "婚姻家庭纠纷" not in html
    html = admin_client.get("/admin/taxonomy/category/", {"level": "1"}).content.decode()
    assert "市容环境" in html and "井盖缺失破损" not in html


def test_category_change_page_and_parent_autocomplete(admin_client):
    manhole = Category.objects.get(name="井盖缺失破损")
    assert admin_client.get(f"/admin/taxonomy/category/{manhole.pk}/change/").status_code == 200
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "taxonomy", "model_name": "category", "field_name": "parent", "term": "道路"},
    )
    assert "道路与井盖" in {r["text"] for r in response.json()["results"]}


def test_add_a_category_under_a_parent(admin_client):
    parent = Category.objects.get(name="道路与井盖", level=1)
    response = admin_client.post(
        "/admin/taxonomy/category/add/",
        {
            "code": "G02.99",
            "name": "桥梁隐患",
            "parent": parent.pk,
            "keywords": "桥梁 裂缝",
            "color": "#123456",
            "enabled": "on",
            "order": "990",
            "is_public": "on",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
            "attributes-TOTAL_FORMS": "0",
            "attributes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Category.objects.get(code="G02.99")
    assert created.level == 2 and created.full_name == "道路与井盖 / 桥梁隐患"
    assert created.effective_sla().code == "general"


def test_sla_policy_admin(admin_client):
    assert admin_client.get("/admin/taxonomy/slapolicy/").status_code == 200
    urgent = SlaPolicy.objects.get(code="urgent")
    assert admin_client.get(f"/admin/taxonomy/slapolicy/{urgent.pk}/change/").status_code == 200
