"""Personal data masked by default; every unmasked view audited."""

import pytest

from gongzhi.accounts.services import masked_values
from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.core.models import AuditLog
from gongzhi.people import services

pytestmark = pytest.mark.django_db


def test_a_resident_and_a_house_owner_are_masked_by_default(ppl):
    person = ppl.resident
    assert str(person) == "韩**"
    shown = masked_values(person)
    assert shown["name"] == "韩**" and shown["phone"] == "139****1234"
    assert shown["id_number"] == person.id_number[:6] + "********" + person.id_number[-4:]
    owner = masked_values(ppl.house)
    assert owner["owner_name"] == "马**" and "*" in owner["owner_id_number"]
    assert str(ppl.house) == ppl.house.address  # a house is named by its address only


def test_a_grid_worker_reveals_name_and_phone_and_is_audited(ppl):
    real = services.reveal_resident(viewer=ppl.grid_worker, resident=ppl.resident)
    assert real == {"name": "韩成林", "phone": "13909721234"}  # not the ID number
    entry = AuditLog.objects.get(action="unmask", actor=ppl.grid_worker)
    assert entry.object_type == "people.resident" and entry.object_id == str(ppl.resident.pk)
    assert entry.fields == ["name", "phone"]
    assert "韩成林" not in entry.object_repr


def test_an_administrator_sees_the_id_number_too(ppl):
    real = services.reveal_resident(viewer=ppl.admin, resident=ppl.resident)
    assert real["id_number"] == ppl.resident.id_number
    owner = services.reveal_house_owner(viewer=ppl.admin, house=ppl.house)
    assert owner["owner_id_number"] == ppl.house.owner_id_number
    assert AuditLog.objects.filter(action="unmask", actor=ppl.admin).count() == 2


def test_a_role_that_may_not_unmask_is_refused_and_the_attempt_audited(ppl):
    with pytest.raises(NotAllowed):
        services.reveal_resident(viewer=ppl.community_officer, resident=ppl.resident)  # a leader
    assert AuditLog.objects.filter(action="unmask_denied", actor=ppl.community_officer).exists()
    assert not AuditLog.objects.filter(action="unmask").exists()


def test_a_resident_outside_the_users_area_is_not_revealed(ppl):
    with pytest.raises(NotFound):
        services.reveal_resident(viewer=ppl.grid_worker, resident=ppl.resident_b)
    with pytest.raises(NotFound):
        services.reveal_house_owner(viewer=ppl.grid_worker, house=ppl.other_house)
    assert not AuditLog.objects.filter(action="unmask").exists()
