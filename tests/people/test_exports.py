"""The residents' Excel download: the rows the user may see with the list's filters, masked
and audited; an unmasked download only for roles that may unmask, audited apart."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AuditLog
from tests.people.factories import CareMembershipFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict]:
    """The sheet's rows by column letter (the headers are translated)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip("ABCDEFGHIJKLMN", row, strict=True)) for row in values[1:]]


def download(client, user, *, full=False, **filters):
    client.force_login(user)
    name = "people:residents_export_full" if full else "people:residents_export"
    return client.get(reverse(name), filters)


def test_a_grid_workers_download_is_their_grid_masked_and_audited(client, ppl):
    w = ppl
    migrant = ResidentFactory(household=w.household, kind="migrant", name="冶玉兰")
    got = rows(download(client, w.grid_worker))
    assert sorted(r["A"] for r in got) == ["冶**", "韩**"]  # the name column, masked
    values = " ".join(str(v) for r in got for v in r.values())
    assert "韩成林" not in values and w.resident.id_number not in values
    assert w.resident.id_number[:6] + "********" in values and "139****1234" in values
    assert "马秀英" not in values and "马**" not in values  # another grid's resident
    entry = AuditLog.objects.get(action="export")
    assert entry.actor == w.grid_worker and "(2)" in entry.reason and entry.fields == []

    only = rows(download(client, w.grid_worker, kind="migrant"))  # the list's filters apply
    assert len(only) == 1 and migrant.id_number[-4:] in " ".join(map(str, only[0].values()))
    assert AuditLog.objects.filter(action="export").count() == 2


def test_a_restricted_group_is_not_in_a_grid_workers_download(client, ppl):
    w = ppl
    CareMembershipFactory(resident=w.resident, group=w.group("community_correction"))
    CareMembershipFactory(resident=w.resident, group=w.group("elderly_alone"))
    values = " ".join(str(v) for r in rows(download(client, w.grid_worker)) for v in r.values())
    assert "独居老人" in values and "社区矫正对象" not in values
    # Asking for the group by name changes nothing: it is not among the grid worker's.
    asked = rows(download(client, w.grid_worker, group="community_correction"))
    assert "社区矫正对象" not in " ".join(str(v) for r in asked for v in r.values())

    justice = rows(download(client, w.justice_officer, group="community_correction"))
    assert len(justice) == 1
    text = " ".join(str(v) for v in justice[0].values())
    assert "社区矫正对象" in text and "独居老人" not in text
    assert "西关街****" in text  # the street only: the office governs no place
    assert rows(download(client, w.other_justice_officer)) == []


def test_an_unmasked_download_shows_what_the_role_may_unmask_audited_apart(client, ppl):
    w = ppl
    got = rows(download(client, w.grid_worker, full=True))
    values = " ".join(str(v) for v in got[0].values())
    assert "韩成林" in values and "13909721234" in values
    assert w.resident.id_number not in values  # a grid worker may not unmask ID numbers
    entry = AuditLog.objects.get(action="export_unmasked")
    assert entry.actor == w.grid_worker and entry.fields == ["name", "phone"]
    assert not AuditLog.objects.filter(action="export").exists()

    admin = " ".join(str(v) for r in rows(download(client, w.admin, full=True)) for v in r.values())
    assert w.resident.id_number in admin and w.other_person.id_number in admin


def test_a_role_that_may_not_unmask_gets_no_unmasked_download(client, ppl):
    w = ppl
    page = download(client, w.community_officer)  # a leader: masked download only
    assert len(rows(page)) == 2
    assert client.get(reverse("people:residents")).content.count(b'data-testid="export-full"') == 0
    assert download(client, w.community_officer, full=True).status_code == 403
    assert not AuditLog.objects.filter(action="export_unmasked").exists()
    assert download(client, w.handler).status_code == 403  # sees no people at all
