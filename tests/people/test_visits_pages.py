"""The visits' pages through the Django test client: the phone list, the visit form, the
need raised, the late list, each scoped."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.html import escape

from gongzhi.cases.models import Case
from gongzhi.people import visits
from gongzhi.people.models import Visit
from tests.factories import jpeg
from tests.people.visit_fixtures import visit_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def vw(ppl):
    return visit_world(ppl)


D = dt.timedelta


@pytest.fixture
def due(vw):
    """Three elderly people in the grid: one a week late, one due today, one due later;
    and a person under community correction in the next grid."""
    today = timezone.localdate()
    from tests.people.factories import HouseholdFactory, ResidentFactory

    def person(name):
        return ResidentFactory(household=HouseholdFactory(house=vw.house), name=name)

    vw.late_care = vw.enrol(resident=person("冶玉兰"), since=today - D(days=14))
    vw.today_care = vw.enrol(since=today - D(days=7))
    vw.later_care = vw.enrol(resident=person("祁福海"), code="disabled", since=today)
    vw.corrected = vw.enrol(resident=vw.resident_b, code="community_correction", since=today)
    visits.plan()
    return vw


def login(client, user):
    client.force_login(user)
    return client


def test_the_grid_worker_sees_late_visits_first_and_never_a_restricted_group(client, due):
    page = login(client, due.grid_worker).get("/people/visits/")
    assert page.status_code == 200
    order = [v.membership_id for v in page.context["page"]]
    assert order == [due.late_care.pk, due.today_care.pk, due.later_care.pk]
    html = page.content.decode()
    assert "冶**" in html and "冶玉兰" not in html  # names masked
    assert "社区矫正" not in html
    assert html.count('class="visit-item late"') == 1


def test_a_visit_is_recorded_from_the_phone_form(client, due, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    visit = Visit.objects.get(membership=due.today_care, state="due")
    c = login(client, due.grid_worker)
    assert c.get(f"/people/visits/{visit.pk}/").status_code == 200
    lng, lat = due.point
    response = c.post(
        f"/people/visits/{visit.pk}/",
        {"findings": "老人精神好", "needs": "需要助餐", "lng": lng, "lat": lat, "photo": jpeg()},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.state == "done" and visit.needs == "需要助餐" and visit.photo
    page = c.get(f"/people/visits/{visit.pk}/")
    assert b'data-testid="raise-case"' in page.content
    photo = c.get(f"/people/visits/{visit.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert (
        login(client, due.grid_b_worker).get(f"/people/visits/{visit.pk}/photo/").status_code == 404
    )


def test_without_the_phones_position_the_visit_is_not_recorded_and_says_why(client, due):
    visit = Visit.objects.get(membership=due.today_care, state="due")
    response = login(client, due.grid_worker).post(
        f"/people/visits/{visit.pk}/", {"findings": "老人精神好", "lng": "", "lat": ""}
    )
    assert response.status_code == 400
    assert b'data-testid="form-error"' in response.content
    (message,) = response.context["form"].non_field_errors()
    assert escape(message) in response.content.decode()  # shown, whatever the language
    visit.refresh_from_db()
    assert visit.state == "due"


def test_a_need_is_raised_as_a_case_from_the_visit_page(client, due):
    visit = Visit.objects.get(membership=due.today_care, state="due")
    visits.do_record_visit(
        visit=visit,
        actor=due.grid_worker,
        findings="独自在家",
        needs="需要助餐",
        lng=due.point[0],
        lat=due.point[1],
    )
    c = login(client, due.grid_worker)
    assert c.post(f"/people/visits/{visit.pk}/raise/", {"kind": "case"}).status_code == 302
    visit.refresh_from_db()
    assert Case.objects.filter(number=visit.case_number).exists()
    assert visit.case_number in c.get(f"/people/visits/{visit.pk}/").content.decode()


def test_another_grids_worker_cannot_open_or_record_the_visit(client, due):
    visit = Visit.objects.get(membership=due.today_care, state="due")
    c = login(client, due.grid_b_worker)
    assert c.get(f"/people/visits/{visit.pk}/").status_code == 404
    lng, lat = due.point
    assert (
        c.post(
            f"/people/visits/{visit.pk}/", {"findings": "x" * 5, "lng": lng, "lat": lat}
        ).status_code
        == 404
    )
    restricted = Visit.objects.get(membership=due.corrected)
    assert c.get(f"/people/visits/{restricted.pk}/").status_code == 404
    assert [v.pk for v in c.get("/people/visits/?all=1").context["page"]] == []


def test_the_community_lists_the_late_visits_it_may_see(client, due):
    page = login(client, due.community_officer).get("/people/visits/late/")
    assert page.status_code == 200
    assert [v.membership_id for v in page.context["page"]] == [due.late_care.pk]
    justice = login(client, due.justice_officer).get("/people/visits/late/")
    assert [v.pk for v in justice.context["page"]] == []  # its visit is not late yet


def test_a_resident_may_not_open_the_visit_pages(client, due):
    c = login(client, due.other_resident)
    assert c.get("/people/visits/").status_code == 403
    assert c.get("/people/visits/late/").status_code == 403
