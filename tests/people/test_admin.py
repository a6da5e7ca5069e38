"""Administrators edit the care groups and levels; an edited row decides who sees whom."""

import pytest
from django.urls import reverse

from gongzhi.people.models import CareGroup, CareLevel, CareMembership
from tests.people.factories import CareMembershipFactory

pytestmark = pytest.mark.django_db


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_the_seeded_rows_are_listed(client, ppl):
    client.force_login(ppl.admin)
    html = client.get(admin_url(CareGroup, "changelist")).content.decode()
    for name in ("留守儿童", "独居老人", "社区矫正对象", "刑满释放人员", "严重精神障碍患者"):
        assert name in html
    assert "每周走访" in client.get(admin_url(CareLevel, "changelist")).content.decode()


def test_an_edited_group_decides_who_sees_its_members(client, ppl):
    group = CareGroup.objects.get(code="released_prisoner")
    membership = CareMembershipFactory(resident=ppl.resident, group=group)
    assert not CareMembership.objects.visible_to(ppl.grid_worker).exists()
    client.force_login(ppl.admin)
    response = client.post(
        admin_url(CareGroup, "change", group.pk),
        {
            "code": group.code,
            "name": group.name,
            "functions": "gaj， sfj",  # typed with a Chinese comma and small letters
            "open_to_local": "on",
            "default_level": group.default_level_id,
            "description": "",
            "order": group.order,
            "colour": group.colour,
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.functions, group.open_to_local) == ("GAJ,SFJ", True)
    assert list(CareMembership.objects.visible_to(ppl.grid_worker)) == [membership]

    bad = client.post(
        admin_url(CareGroup, "change", group.pk),
        {
            "code": group.code,
            "name": group.name,
            "functions": "司法局",
            "order": 1,
            "colour": group.colour,
        },
    )
    assert bad.status_code == 200 and "职能代码须由字母和数字组成" in bad.content.decode()


def test_a_level_sets_the_visit_interval(client, ppl):
    client.force_login(ppl.admin)
    level = CareLevel.objects.get(code="monthly")
    response = client.post(
        admin_url(CareLevel, "change", level.pk),
        {
            "code": "monthly",
            "name": "每月走访",
            "visit_days": 28,
            "order": 30,
            "colour": level.colour,
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    level.refresh_from_db()
    assert level.visit_days == 28


def test_other_staff_cannot_open_the_reference_rows(client, ppl):
    client.force_login(ppl.grid_worker)
    response = client.get(admin_url(CareGroup, "changelist"))
    assert response.status_code == 302 and "login" in response["Location"]
