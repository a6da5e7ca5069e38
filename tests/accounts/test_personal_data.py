"""Personal data is masked by default; showing it is a POST that only some roles may make,
and every showing is in the audit log."""

import pytest

from gongzhi.accounts.models import Organisation, OrganisationKind, Role
from gongzhi.core.models import AuditLog
from tests.factories import OrganisationFactory, UserFactory, member

pytestmark = pytest.mark.django_db

MOBILE = "13812341234"
ID_NUMBER = "630202199003071237"  # check digit 7
NAME = "欧阳娜娜"


@pytest.fixture
def person(regions):
    community = OrganisationFactory(
        code="630202001001",
        name="西关社区居民委员会",
        kind=OrganisationKind.COMMUNITY,
        regions=[regions["630202001001"]],
    )
    return member(
        community,
        Role.GRID_WORKER,
        username="ouyang",
        password="Haidong#2026",
        display_name=NAME,
        mobile=MOBILE,
        id_number=ID_NUMBER,
    )


def staff(username, role, organisation, **extra):
    return member(organisation, role, username=username, password=None, **extra)


def assert_no_real_value(html: str):
    assert MOBILE not in html
    assert ID_NUMBER not in html
    assert NAME not in html


def unmask_entries(**filters):
    return AuditLog.objects.filter(action="unmask", **filters)


# -- the profile page -------------------------------------------------------------------------


def test_profile_shows_masked_data_and_memberships(client, person, regions):
    from gongzhi.regions.models import Grid, GridAssignment

    GridAssignment.objects.create(grid=Grid.objects.get(code="630202001001-G2"), user=person)
    client.force_login(person)
    response = client.get("/accounts/me/")
    html = response.content.decode()
    assert response.status_code == 200
    assert_no_real_value(html)
    for masked in ("欧阳**", "138****1234", "630202********1237", "ouyang"):
        assert masked in html
    assert "西关社区居民委员会" in html and "Grid worker" in html
    assert "630202001001-G2" in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_showing_own_data_is_audited_every_time(client, person):
    client.force_login(person)
    url = f"/accounts/reveal/accounts/user/{person.pk}/"
    html = client.get("/accounts/me/").content.decode()
    assert url in html  # the "show" button is on the page
    for attempt in (1, 2):
        response = client.post(url, {"fields": ["display_name", "mobile", "id_number"]})
        assert response.status_code == 200
        body = response.content.decode()
        assert MOBILE in body and ID_NUMBER in body and NAME in body
        entries = unmask_entries(actor=person, object_id=str(person.pk))
        assert entries.count() == attempt
    entry = entries.first()
    assert entry.object_type == "accounts.user"
    assert entry.fields == ["display_name", "mobile", "id_number"]
    assert entry.ip_address == "127.0.0.1"


def test_reveal_by_htmx_returns_a_fragment(client, person):
    client.force_login(person)
    response = client.post(
        f"/accounts/reveal/accounts/user/{person.pk}/",
        {"fields": ["mobile"]},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert MOBILE in body and "<html" not in body and ID_NUMBER not in body


def test_reveal_needs_a_post(client, person):
    client.force_login(person)
    assert client.get(f"/accounts/reveal/accounts/user/{person.pk}/").status_code == 405
    assert not unmask_entries().exists()


def test_reveal_needs_a_login(client, person):
    response = client.post(f"/accounts/reveal/accounts/user/{person.pk}/")
    assert response.status_code == 302
    assert not unmask_entries().exists()


# -- other people's data ----------------------------------------------------------------------


def test_resident_cannot_see_someone_elses_data(client, person):
    resident = UserFactory(username="resident1", password=None)
    client.force_login(resident)
    response = client.post(f"/accounts/reveal/accounts/user/{person.pk}/", {"fields": ["mobile"]})
    assert response.status_code == 403
    assert_no_real_value(response.content.decode())
    assert not unmask_entries().exists()
    assert AuditLog.objects.filter(action="unmask_denied", actor=resident).count() == 1


def test_role_policy_limits_the_fields(client, person, regions):
    township = OrganisationFactory(
        code="630202001",
        name="碾伯街道办事处",
        kind=OrganisationKind.TOWNSHIP,
        regions=[regions["630202001"]],
    )
    Organisation.objects.filter(code="630202001001").update(parent=township)
    community = Organisation.objects.get(code="630202001001")
    community.save()  # recompute the path under the township
    handler = staff("handler1", Role.HANDLER, township)
    client.force_login(handler)
    url = f"/accounts/reveal/accounts/user/{person.pk}/"
    # A handler may call the person back …
    response = client.post(url, {"fields": ["mobile"], "reason": "回访核实"})
    assert response.status_code == 200 and MOBILE in response.content.decode()
    assert unmask_entries(actor=handler).count() == 1
    # … but may not read the ID number.
    response = client.post(url, {"fields": ["mobile", "id_number"], "reason": "回访核实"})
    assert response.status_code == 403
    assert_no_real_value(response.content.decode())
    assert unmask_entries(actor=handler).count() == 1


def test_a_role_with_the_right_is_still_bound_by_scope(client, person, regions):
    other_county = OrganisationFactory(
        code="630203-ZZZX",
        name="平安区社会治理综合指挥中心",
        kind=OrganisationKind.COMMAND_CENTRE,
        regions=[regions["630203"]],
    )
    dispatcher = staff("dispatcher_pingan", Role.DISPATCHER, other_county)
    client.force_login(dispatcher)
    response = client.post(f"/accounts/reveal/accounts/user/{person.pk}/", {"fields": ["mobile"]})
    assert response.status_code == 403
    assert not unmask_entries().exists()


def test_unknown_fields_and_models_are_refused(client, person):
    admin = UserFactory(username="root", password="Haidong#Root26", admin=True)
    client.force_login(admin)
    assert (
        client.post(
            f"/accounts/reveal/accounts/user/{person.pk}/", {"fields": ["password"]}
        ).status_code
        == 403
    )
    assert client.post(f"/accounts/reveal/accounts/organisation/{person.pk}/").status_code == 404
    assert client.post(f"/accounts/reveal/nosuch/model/{person.pk}/").status_code == 404
    assert not unmask_entries().exists()


# -- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def root(db):
    return UserFactory(username="root", password="Haidong#Root26", admin=True)


def test_admin_list_is_masked(client, root, person):
    client.force_login(root)
    response = client.get("/admin/accounts/user/")
    html = response.content.decode()
    assert response.status_code == 200
    assert_no_real_value(html)
    assert "138****1234" in html and "630202********1237" in html and "欧阳**" in html


def test_admin_search_by_name_still_works_and_stays_masked(client, root, person):
    client.force_login(root)
    html = client.get("/admin/accounts/user/", {"q": NAME}).content.decode()
    assert "ouyang" in html
    results = html.split('id="result_list"')[1]
    assert NAME not in results and MOBILE not in results


def test_admin_change_form_does_not_leak(client, root, person):
    client.force_login(root)
    response = client.get(f"/admin/accounts/user/{person.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert_no_real_value(html)
    assert "138****1234" in html
    assert f"/admin/accounts/user/{person.pk}/unmask/" in html


def test_admin_saving_without_typing_keeps_the_values(client, root, person):
    client.force_login(root)
    response = client.get(f"/admin/accounts/user/{person.pk}/change/")
    form = response.context["adminform"].form
    data = {
        "username": "ouyang",
        "display_name": "",
        "mobile": "",
        "id_number": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(person.memberships.get().pk),
        "memberships-0-user": str(person.pk),
        "memberships-0-organisation": str(person.memberships.get().organisation_id),
        "memberships-0-role": "grid_worker",
    }
    assert form.initial["mobile"] == ""
    response = client.post(f"/admin/accounts/user/{person.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert (person.display_name, person.mobile, person.id_number) == (NAME, MOBILE, ID_NUMBER)

    data["mobile"] = "13909720001"
    data["id_number"] = "63020219900307123"  # 17 digits
    response = client.post(f"/admin/accounts/user/{person.pk}/change/", data)
    assert response.status_code == 200
    assert "id_number" in response.context["adminform"].form.errors
    data["id_number"] = ""
    assert client.post(f"/admin/accounts/user/{person.pk}/change/", data).status_code == 302
    person.refresh_from_db()
    assert person.mobile == "13909720001" and person.id_number == ID_NUMBER


def test_admin_unmask_shows_and_audits(client, root, person):
    client.force_login(root)
    url = f"/admin/accounts/user/{person.pk}/unmask/"
    assert client.get(url).status_code == 405
    reason = "核实身份"  # someone else's data is shown only for a stated reason
    response = client.post(
        url, {"unmask_fields": ["mobile", "id_number", "display_name"], "reason": reason}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert MOBILE in html and ID_NUMBER in html and NAME in html
    entry = unmask_entries(actor=root).get()
    assert entry.object_id == str(person.pk)
    assert sorted(entry.fields) == ["display_name", "id_number", "mobile"]
    client.post(url, {"unmask_fields": ["mobile"], "reason": reason})
    assert unmask_entries(actor=root).count() == 2


def test_admin_unmask_refused_for_staff_without_the_right(client, person, regions):
    from django.contrib.auth.models import Permission

    township = OrganisationFactory(
        code="630202001",
        name="碾伯街道办事处",
        kind=OrganisationKind.TOWNSHIP,
        regions=[regions["630202001"]],
    )
    clerk = staff("clerk", Role.HANDLER, township, is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    person.memberships.update(organisation=township)
    client.force_login(clerk)
    # A view-only user sees the change page with masked values only.
    response = client.get(f"/admin/accounts/user/{person.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert_no_real_value(html)
    assert "630202********1237" in html
    response = client.post(
        f"/admin/accounts/user/{person.pk}/unmask/", {"unmask_fields": ["id_number"]}
    )
    assert response.status_code == 403
    assert_no_real_value(response.content.decode())
    assert not unmask_entries().exists()


def test_admin_user_list_is_scoped_for_staff(client, person, regions):
    from django.contrib.auth.models import Permission

    other = OrganisationFactory(
        code="630203100",
        name="平安镇人民政府",
        kind=OrganisationKind.TOWNSHIP,
        regions=[regions["630203100"]],
    )
    clerk = staff("clerk2", Role.HANDLER, other, is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(clerk)
    html = client.get("/admin/accounts/user/").content.decode()
    assert "clerk2" in html and "ouyang" not in html
    assert client.get(f"/admin/accounts/user/{person.pk}/change/").status_code == 302  # not found
