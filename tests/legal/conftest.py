"""The legal test world: the case world (``tests.world``) with 乐都区's 司法局 and its
法律援助中心 (a reviewer and the director), a law firm with three lawyers (one the legal
adviser of 西关社区, one of 东关社区), 碾伯司法所 (township 普法), 乐都区公证处, the
service points of 乐都区, 碾伯镇, 西关社区 and 东关社区, and 平安区's centre and reviewer
(another county, for scope tests). Residents: ``w.resident`` (马秀兰) and
``w.other_resident`` (韩梅)."""

import pytest

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.legal.choices import PointLevel, Service
from gongzhi.legal.models import ServicePoint
from gongzhi.regions.models import Region
from tests.factories import OrganisationFactory, UserFactory

K = OrganisationKind


def _point(code, name, level, region, unit=None, adviser=None):
    return ServicePoint.objects.create(
        code=code,
        name=name,
        level=level,
        region=region,
        organisation=unit,
        adviser=adviser,
        longitude=region.centre_lng,
        latitude=region.centre_lat,
        phone="0972-12348",
        hours="周一至周五 9:00–17:00",
        services=[Service.LEGAL_AID, Service.ADVICE, Service.NOTARY]
        if level == PointLevel.CENTRE
        else [Service.ADVICE, Service.MEDIATION],
    )


@pytest.fixture
def legal(world):
    w = world
    r = w.regions
    w.dongguan = Region.objects.get(code="630202100002")
    w.bureau = OrganisationFactory(
        code="630202-SFJ", name="乐都区司法局", function="SFJ", regions=[r.ledu]
    )
    w.aid_centre = OrganisationFactory(
        code="630202-FLYZ",
        name="乐都区法律援助中心",
        kind=K.LEGAL_AID_CENTRE,
        parent=w.bureau,
        regions=[r.ledu],
    )
    w.reviewer = UserFactory(
        username="reviewer", display_name="李淑芳", organisation=w.aid_centre, role=Role.HANDLER
    )
    w.director = UserFactory(
        username="director",
        display_name="马德福",
        organisation=w.aid_centre,
        role=Role.LEADER,
        head=True,
    )
    w.bureau_staff = UserFactory(
        username="bureau", display_name="冶成林", organisation=w.bureau, role=Role.HANDLER
    )
    w.law_firm = OrganisationFactory(
        code="630202-LS01", name="青海湟水律师事务所", kind=K.LAW_FIRM, regions=[r.ledu]
    )
    w.lawyer = UserFactory(
        username="lawyer", display_name="赵文静", organisation=w.law_firm, role=Role.LAWYER
    )
    w.other_lawyer = UserFactory(
        username="lawyer2", display_name="祁文华", organisation=w.law_firm, role=Role.LAWYER
    )
    w.adviser = UserFactory(
        username="adviser", display_name="韩雪梅", organisation=w.law_firm, role=Role.LAWYER
    )
    w.sfs = OrganisationFactory(
        code="630202100-SFS",
        name="碾伯司法所",
        kind=K.JUSTICE_OFFICE,
        parent=w.bureau,
        regions=[r.nianbo],
    )
    w.sfs_staff = UserFactory(
        username="sfs", display_name="祁春花", organisation=w.sfs, role=Role.HANDLER
    )
    w.notary_office = OrganisationFactory(
        code="630202-GZC", name="乐都区公证处", kind=K.NOTARY_OFFICE, regions=[r.ledu]
    )
    w.notary = UserFactory(
        username="notary", display_name="李国华", organisation=w.notary_office, role=Role.HANDLER
    )
    w.other_centre = OrganisationFactory(
        code="630203-FLYZ",
        name="平安区法律援助中心",
        kind=K.LEGAL_AID_CENTRE,
        regions=[r.pingan],
    )
    w.other_reviewer = UserFactory(
        username="reviewer2",
        display_name="韩永平",
        organisation=w.other_centre,
        role=Role.HANDLER,
    )
    w.centre_point = _point(
        "pls-630202", "乐都区公共法律服务中心", PointLevel.CENTRE, r.ledu, w.aid_centre
    )
    w.station_point = _point(
        "pls-630202100", "碾伯镇公共法律服务工作站", PointLevel.STATION, r.nianbo, w.sfs
    )
    w.xiguan_point = _point(
        "pls-630202100001",
        "西关社区公共法律服务工作室",
        PointLevel.ROOM,
        r.xiguan,
        w.community,
        adviser=w.adviser,
    )
    w.dongguan_point = _point(
        "pls-630202100002",
        "东关社区公共法律服务工作室",
        PointLevel.ROOM,
        w.dongguan,
        adviser=w.other_lawyer,
    )
    w.pingan_point = _point(
        "pls-630203", "平安区公共法律服务中心", PointLevel.CENTRE, r.pingan, w.other_centre
    )
    return w
