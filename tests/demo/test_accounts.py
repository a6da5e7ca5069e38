"""The 海东 demo organisations and people, loaded twice."""

import io

import pytest

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from gongzhi.accounts.validators import validate_id_number, validate_mobile
from gongzhi.demo import accounts as demo_seed
from gongzhi.regions.models import GridAssignment

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "organisations": list(Organisation.objects.order_by("code").values()),
        "regions": sorted(
            Organisation.regions.through.objects.values_list("organisation_id", "region_id")
        ),
        "users": list(User.objects.order_by("username").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "assignments": list(GridAssignment.objects.order_by("pk").values()),
    }


def test_every_role_gets_a_login(regions):
    logins = demo_seed.load()
    roles = {row["role"] for row in logins}
    assert roles == {r.value for r in Role}
    for row in logins:
        assert row["password"] == "Gongzhi@2026"
        user = User.objects.get(username=row["username"])
        assert user.check_password(row["password"])
        assert user.display_name == row["name"]
        if row["role"] != Role.RESIDENT:
            assert Membership.objects.filter(
                user=user, role=row["role"], organisation__name=row["organisation"]
            ).exists()
    by_name = {row["username"]: row for row in logins}
    assert by_name["demo_hotline"]["organisation"] == "海东市社会治理综合指挥中心"
    assert by_name["demo_handler"]["organisation"] == "乐都区城市管理局"
    assert by_name["demo_mediator"]["organisation"] == "碾伯街道司法所"
    assert by_name["demo_lawyer"]["organisation"] == "青海湟水律师事务所"
    assert by_name["demo_dispatcher_county"]["organisation"] == "乐都区社会治理综合指挥中心"
    admin = User.objects.get(username="demo_admin")
    assert admin.is_superuser and admin.is_staff
    head = Membership.objects.get(user__username="demo_township_head")
    assert head.is_head and head.role == Role.LEADER and head.organisation.code == "630202001"


def test_demo_password_from_the_environment(regions, monkeypatch):
    monkeypatch.setenv("GONGZHI_DEMO_PASSWORD", "Another#Pass2026")
    logins = demo_seed.load()
    assert {row["password"] for row in logins} == {"Another#Pass2026"}
    assert User.objects.get(username="demo_leader").check_password("Another#Pass2026")


def test_the_organisation_tree(regions):
    demo_seed.load()
    city = Organisation.objects.get(code="630200")
    assert city.name == "海东市人民政府" and city.parent is None
    assert list(city.regions.values_list("code", flat=True)) == ["630200"]
    centre = Organisation.objects.get(code=demo_seed.city_department_code("ZZZX"))
    assert centre.kind == OrganisationKind.COMMAND_CENTRE and centre.parent == city
    for key in demo_seed.CITY_DEPARTMENTS:
        department = Organisation.objects.get(code=demo_seed.city_department_code(key))
        assert department.parent == city and department.kind == OrganisationKind.DEPARTMENT
        assert department.name.startswith(("海东市", "中共海东市"))
    assert Organisation.objects.get(code="630200-CGJ").name == "海东市城市管理局（综合行政执法局）"
    county = Organisation.objects.get(code="630202")
    assert county.parent == city and list(county.regions.values_list("code", flat=True)) == [
        "630202"
    ]
    assert Organisation.objects.get(code="630202-ZZZX").parent == county
    assert Organisation.objects.filter(
        parent=county, kind=OrganisationKind.DEPARTMENT
    ).count() == len(demo_seed.COUNTY_DEPARTMENTS)
    township = Organisation.objects.get(code="630202001")
    assert township.name == "碾伯街道办事处" and township.parent == county
    assert Organisation.objects.get(code="630202101").name == "高庙镇人民政府"
    for suffix, kind in (
        ("SFS", OrganisationKind.JUSTICE_OFFICE),
        ("PCS", OrganisationKind.POLICE_STATION),
    ):
        unit = Organisation.objects.get(code=f"630202001-{suffix}")
        assert unit.kind == kind and unit.parent == township
        assert list(unit.regions.values_list("code", flat=True)) == ["630202001"]
    assert Organisation.objects.get(code="630202001001").name == "西关社区居民委员会"
    village = Organisation.objects.get(code="630202101201")
    assert village.name == "高庙村村民委员会" and village.parent.code == "630202101"
    assert list(village.regions.values_list("code", flat=True)) == ["630202101201"]
    assert Organisation.objects.filter(kind=OrganisationKind.PROPERTY_COMPANY).count() == 2
    assert Organisation.objects.get(kind=OrganisationKind.LAW_FIRM).regions.get().code == "630202"
    # 西宁 has no townships in the demo and gets no units; the tree paths are consistent.
    assert not Organisation.objects.filter(code__startswith="6301").exists()
    for unit in Organisation.objects.select_related("parent"):
        expected = (unit.parent.path if unit.parent else "/") + unit.code + "/"
        assert unit.path == expected


def test_grid_workers(regions):
    demo_seed.load()
    worker = User.objects.get(username="demo_grid")
    grids = list(
        worker.grid_assignments.values_list("grid__code", flat=True).order_by("grid__code")
    )
    assert grids == ["630202001001-G1", "630202001001-G2", "630202001001-G3"]
    assert worker.memberships.get().organisation.code == "630202001001"
    # One grid worker for every other community, with all its grids.
    for code in ("630202001002", "630202101201", "630203100001"):
        gw = User.objects.get(username=f"gw{code}")
        membership = gw.memberships.get()
        assert membership.role == Role.GRID_WORKER and membership.organisation.code == code
        assert {
            a.grid.community.code for a in gw.grid_assignments.select_related("grid__community")
        } == {code}
        assert 2 <= len(gw.display_name) <= 3
        validate_mobile(gw.mobile)
        validate_id_number(gw.id_number)
    assert User.objects.get(username="gw630203100001").id_number.startswith("630203")
    assert not GridAssignment.objects.filter(
        grid__code__startswith="630202001001", user__username__startswith="gw"
    ).exists()
    # Deterministic: the same names every time.
    assert (
        User.objects.get(username="gw630203100001").display_name
        == demo_seed.synthetic_name(__import__("random").Random("gongzhi-demo:630203100001"))[0]
    )


def test_people_have_valid_personal_data(regions):
    demo_seed.load()
    for user in User.objects.exclude(mobile=""):
        validate_mobile(user.mobile)
        validate_id_number(user.id_number)


def test_second_run_changes_nothing(regions):
    out = io.StringIO()
    first = demo_seed.load(stdout=out)
    assert "created" in out.getvalue()
    before = snapshot()
    out = io.StringIO()
    second = demo_seed.load(stdout=out)
    assert second == first
    assert snapshot() == before
    assert "organisations: 0 created, 0 updated" in out.getvalue()
    assert "people: 0 created, 0 updated" in out.getvalue()


def test_password_is_not_reset_on_a_second_run(regions):
    demo_seed.load()
    leader = User.objects.get(username="demo_leader")
    leader.set_password("Changed#Pass2026")
    leader.save()
    demo_seed.load()
    leader.refresh_from_db()
    assert leader.check_password("Changed#Pass2026")


def test_a_damaged_row_is_repaired(regions):
    demo_seed.load()
    Organisation.objects.filter(code="630202-CGJ").update(name="改错的名字")
    User.objects.filter(username="demo_handler").update(display_name="别人")
    Organisation.objects.get(code="630202001-SFS").regions.clear()
    demo_seed.load()
    assert Organisation.objects.get(code="630202-CGJ").name == "乐都区城市管理局"
    assert User.objects.get(username="demo_handler").display_name == "韩永福"
    assert Organisation.objects.get(code="630202001-SFS").regions.get().code == "630202001"


def test_demo_logins_work_through_the_login_page(client, regions):
    from axes.utils import reset

    reset()
    demo_seed.load()
    response = client.post(
        "/accounts/login/", {"username": "demo_dispatcher", "password": "Gongzhi@2026"}
    )
    assert response.status_code == 302


def test_without_regions_it_says_so(db):
    with pytest.raises(RuntimeError, match="load the regions"):
        demo_seed.load()


def test_every_desk_has_someone_to_act_at_it(regions):
    """Each command centre has a dispatcher and each department, township and community a
    handler, so the demo's timelines and the simulator name people, not the platform."""
    logins = {row["username"] for row in demo_seed.load()}
    for org in Organisation.objects.filter(kind__in=list(demo_seed.DESK_STAFF)):
        for role, _title in demo_seed.DESK_STAFF[org.kind]:
            sitting = demo_seed.SITS_AT[role]
            assert Membership.objects.filter(organisation=org, role__in=sitting).exists(), org
    desk_people = User.objects.filter(username__startswith="desk")
    assert desk_people.exists() and not logins & set(desk_people.values_list("username", flat=True))
    # The demo logins keep their desks to themselves: no synthetic colleague beside them.
    handler_unit = Membership.objects.get(user__username="demo_handler").organisation
    assert not Membership.objects.filter(
        organisation=handler_unit, user__username__startswith="desk"
    ).exists()
