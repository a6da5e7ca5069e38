"""Issue 22, from defect 10: the 我也遇到 (me too) endpoints must not tell anyone whether a
case number exists: a caller who may not support a case gets the same answer as for a
number that was never given."""

import pytest
from django.test import Client

from tests.factories import report_case

pytestmark = pytest.mark.django_db

NOWHERE = "HD-20200101-999999"


def _answers(client, existing):
    out = []
    for number in (existing, NOWHERE):
        api = client.post(f"/api/v1/cases/{number}/supports", content_type="application/json")
        page = client.post(f"/cases/nearby/{number}/support/")
        out.append((api.status_code, api.content.replace(number.encode(), b"N"), page.status_code))
    return out


def test_an_anonymous_caller_cannot_tell_a_case_number_from_a_made_up_one(world):
    case = report_case(world, world.pothole, title="路面坑洼", description="路面坑洼")
    existing, nowhere = _answers(Client(), case.number)
    assert existing == nowhere
    assert existing[0] in (401, 403)


def test_a_resident_cannot_tell_an_unlisted_case_out_of_scope_from_a_made_up_one(world):
    from gongzhi.taxonomy.models import Category

    hidden = Category.objects.filter(is_public=False, enabled=True).first()
    if hidden is None:
        hidden = world.manhole
        hidden.is_public = False
        hidden.save()
    case = report_case(world, hidden, reporter="other_resident", title="举报", description="举报")
    resident = Client()
    resident.force_login(world.resident)
    existing, nowhere = _answers(resident, case.number)
    assert existing == nowhere


def test_a_resident_cannot_tell_a_closed_case_from_a_made_up_one(world):
    from gongzhi.cases.models import Case

    case = report_case(world, world.pothole, reporter="other_resident", title="路面坑洼")
    Case.objects.filter(pk=case.pk).update(state="closed")  # handled and closed long ago
    resident = Client()
    resident.force_login(world.resident)
    existing, nowhere = _answers(resident, case.number)
    assert existing == nowhere
    assert existing[0] == 404
