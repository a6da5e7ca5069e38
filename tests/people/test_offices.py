"""Offices in the register (村民代表, committee, Party): the register's editors mark and end
them, others may not; the resident's page shows them; the deliberation hall counts them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.deliberation import members
from gongzhi.people.models import Office
from gongzhi.people.offices import do_end_office, do_mark_office

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 1, 1)


def test_an_editor_marks_and_ends_an_office_and_the_hall_counts_it(ppl):
    w = ppl
    region_id = w.resident.region_id
    before = members.register_counts(region_id).representatives
    office = do_mark_office(
        actor=w.community_officer, resident=w.resident, kind="representative", since=DAY
    )
    assert office.region_path == w.resident.region_path
    assert members.register_counts(region_id).representatives == before + 1
    with pytest.raises(Conflict):
        do_mark_office(
            actor=w.community_officer, resident=w.resident, kind="representative", since=DAY
        )
    with pytest.raises(ServiceError):
        do_end_office(actor=w.community_officer, office=office, until=DAY - dt.timedelta(days=1))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    do_end_office(actor=w.community_officer, office=office, until=yesterday)  # its last day
    assert members.register_counts(region_id).representatives == before
    with pytest.raises(Conflict):
        do_end_office(actor=w.community_officer, office=office, until=timezone.localdate())


@pytest.mark.parametrize(
    ("kind", "since", "field"),
    [
        ("mayor", DAY, "kind"),
        ("committee", "not a day", "since"),
        ("committee", dt.date.today() + dt.timedelta(days=3), "since"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(ppl, kind, since, field):
    with pytest.raises(ServiceError) as refused:
        do_mark_office(actor=ppl.community_officer, resident=ppl.resident, kind=kind, since=since)
    assert refused.value.field == field
    assert not Office.objects.exists()


def test_only_the_registers_editors_mark_offices(ppl):
    w = ppl
    for outsider in (w.grid_b_worker, w.other_justice_officer):
        with pytest.raises((NotAllowed, NotFound)):
            do_mark_office(actor=outsider, resident=w.resident, kind="committee", since=DAY)
    assert not Office.objects.exists()


def test_the_residents_page_shows_and_edits_offices(client, ppl):
    w = ppl
    client.force_login(w.community_officer)
    page = client.get(reverse("people:resident", args=[w.resident.pk])).content.decode()
    assert reverse("people:resident_offices", args=[w.resident.pk]) in page
    r = client.post(
        reverse("people:resident_office_mark", args=[w.resident.pk]),
        {"kind": "party_member", "since": "2024-07-01", "note": "支部党员"},
    )
    assert r.status_code == 302
    office = Office.objects.get(resident=w.resident)
    fragment = client.get(reverse("people:resident_offices", args=[w.resident.pk])).content.decode()
    assert 'data-kind="party_member"' in fragment and 'data-testid="mark-office"' in fragment
    client.post(
        reverse("people:resident_office_end", args=[w.resident.pk, office.pk]),
        {"until": "2026-01-01"},
    )
    office.refresh_from_db()
    assert office.until == dt.date(2026, 1, 1)
    client.force_login(w.grid_b_worker)
    r = client.post(
        reverse("people:resident_office_mark", args=[w.resident.pk]),
        {"kind": "committee", "since": "2024-07-01"},
    )
    assert Office.objects.filter(resident=w.resident).count() == 1
