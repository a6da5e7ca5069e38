"""The organisation and membership admin pages."""

import pytest

from gongzhi.accounts.models import Membership, Organisation
from gongzhi.demo import accounts as demo_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(regions):
    demo_seed.load()


def test_organisation_list_is_a_tree(admin_client, demo):
    response = admin_client.get("/admin/accounts/organisation/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("海东市人民政府") < html.index("海东市社会治理综合指挥中心")
    assert "padding-left:1.5em" in html  # the indented second level


def test_organisation_search_and_filter(admin_client, demo):
    html = admin_client.get("/admin/accounts/organisation/", {"q": "司法所"}).content.decode()
    assert "碾伯街道司法所" in html and "乐都区城市管理局" not in html
    html = admin_client.get(
        "/admin/accounts/organisation/", {"kind__exact": "law_firm"}
    ).content.decode()
    assert "青海湟水律师事务所" in html and "碾伯街道司法所" not in html


def test_organisation_change_page_and_autocomplete(admin_client, demo):
    unit = Organisation.objects.get(code="630202-CGJ")
    assert admin_client.get(f"/admin/accounts/organisation/{unit.pk}/change/").status_code == 200
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "accounts",
            "model_name": "organisation",
            "field_name": "parent",
            "term": "乐都",
        },
    )
    assert response.status_code == 200
    names = {r["text"] for r in response.json()["results"]}
    assert "乐都区人民政府" in names


def test_an_organisation_cannot_be_put_under_its_own_unit(admin_client, demo):
    county = Organisation.objects.get(code="630202")
    township = Organisation.objects.get(code="630202001")
    response = admin_client.post(
        f"/admin/accounts/organisation/{county.pk}/change/",
        {
            "code": "630202",
            "name": county.name,
            "kind": county.kind,
            "parent": township.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    county.refresh_from_db()
    assert county.parent.code == "630200"


def test_membership_admin(admin_client, demo):
    response = admin_client.get("/admin/accounts/membership/", {"role__exact": "mediator"})
    html = response.content.decode()
    assert response.status_code == 200 and "demo_mediator" in html and "demo_lawyer" not in html
    membership = Membership.objects.get(user__username="demo_lawyer")
    assert (
        admin_client.get(f"/admin/accounts/membership/{membership.pk}/change/").status_code == 200
    )


def test_user_change_page_shows_memberships_inline(admin_client, demo):
    from gongzhi.accounts.models import User

    leader = User.objects.get(username="demo_leader")
    html = admin_client.get(f"/admin/accounts/user/{leader.pk}/change/").content.decode()
    assert "memberships-0-role" in html
    assert leader.display_name not in html


def test_regions_use_an_autocomplete_once_region_is_searchable(admin_client, admin_user, rf, demo):
    from django.contrib import admin
    from django.contrib.admin.widgets import AutocompleteSelectMultiple

    from gongzhi.regions.models import Region

    registered_here = not admin.site.is_registered(Region)
    if registered_here:
        admin.site.register(Region, search_fields=["name", "code"])
    try:
        region_admin = admin.site.get_model_admin(Region)
        if not region_admin.search_fields:
            pytest.skip("the regions admin has no search fields")
        unit = Organisation.objects.get(code="630202-CGJ")
        request = rf.get("/")
        request.user = admin_user
        form = admin.site.get_model_admin(Organisation).get_form(request, unit, change=True)
        assert isinstance(form.base_fields["regions"].widget.widget, AutocompleteSelectMultiple)
        response = admin_client.get(
            "/admin/autocomplete/",
            {
                "app_label": "accounts",
                "model_name": "organisation",
                "field_name": "regions",
                "term": "乐都",
            },
        )
        assert "乐都区" in {r["text"] for r in response.json()["results"]}
    finally:
        if registered_here:
            admin.site.unregister(Region)
