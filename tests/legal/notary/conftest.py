"""The notary test world: the legal world (``tests.legal.conftest``) with the seeded matters
(put back after a transactional test's flush), 乐都区公证处 as an office with slots tomorrow,
平安区公证处 with its own clerk (another county, for scope), and the resident's profile in
西关社区."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.legal.models import NotaryMatter, NotaryOffice, NotarySlot, ResidentProfile
from gongzhi.legal.notary.matters import seed
from tests.factories import OrganisationFactory, UserFactory


def tomorrow_at(hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def slot(office, hour, capacity=3, booked=0, start=None):
    starts = start or tomorrow_at(hour)
    return NotarySlot.objects.create(
        office=office,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        capacity=capacity,
        booked=booked,
    )


INHERIT = {"will": "no", "heirs": "3", "property": "yes", "value": "600000"}


@pytest.fixture
def notary_world(legal):
    w = legal
    seed(NotaryMatter)
    w.inheritance = NotaryMatter.objects.get(code="inheritance")
    w.office = NotaryOffice.objects.create(
        organisation=w.notary_office,
        address="乐都区古城大街18号",
        phone="0972-8621234",
        hours="周一至周五 9:00–17:00",
        longitude=102.41,
        latitude=36.48,
    )
    w.pingan_org = OrganisationFactory(
        code="630203-GZC",
        name="平安区公证处",
        kind=OrganisationKind.NOTARY_OFFICE,
        regions=[w.regions.pingan],
    )
    w.pingan_office = NotaryOffice.objects.create(organisation=w.pingan_org, address="平安区")
    w.pingan_notary = UserFactory(
        username="notary2", display_name="韩国庆", organisation=w.pingan_org, role=Role.HANDLER
    )
    w.slot = slot(w.office, 9)
    w.last = slot(w.office, 10, capacity=1)
    w.pingan_slot = slot(w.pingan_office, 9)
    ResidentProfile.objects.create(user=w.resident, region=w.regions.xiguan)
    return w
