"""The visit planner, recording a visit, and a need raised as a case or a dispute."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage

from gongzhi.cases.models import Case
from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.mediation.choices import Source
from gongzhi.mediation.models import Dispute, DisputeType
from gongzhi.people import services, visits
from gongzhi.people.models import Visit
from tests.factories import jpeg
from tests.people.visit_fixtures import NOW, TODAY, at, visit_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def vw(ppl):
    return visit_world(ppl)


D = dt.timedelta


# --- the planner ---------------------------------------------------------------------------


def test_the_first_visit_is_due_a_level_after_the_care_began(vw):
    care = vw.enrol(since=TODAY - D(days=3))  # 独居老人: weekly
    assert visits.plan(now=NOW)["planned"] == 1
    visit = vw.due_visit(care)
    assert visit.due_on == TODAY - D(days=3) + D(days=7)
    # The grid's worker is responsible; the place and group are copied for scoping.
    assert visit.worker == vw.grid_worker
    assert (visit.grid_id, visit.region_path, visit.group_id) == (
        care.grid_id,
        care.region_path,
        care.group_id,
    )


def test_the_next_visit_is_due_a_level_after_the_last_visit(vw):
    care = vw.enrol(code="empty_nest_elderly")  # monthly, 30 days
    visits.plan(now=NOW)
    vw.record(vw.due_visit(care), now=at(TODAY + D(days=5)))
    nxt = vw.due_visit(care)
    assert nxt.due_on == TODAY + D(days=5) + D(days=30)
    assert care.visits.filter(state="done").count() == 1


def test_one_due_visit_at_a_time_however_often_it_runs(vw):
    care = vw.enrol()
    assert visits.plan(now=NOW)["planned"] == 1
    assert visits.plan(now=NOW)["planned"] == 0
    visits.plan(now=at(TODAY + D(days=30)))
    assert care.visits.count() == 1 and care.visits.get().state == "due"


def test_the_due_visit_is_dropped_when_the_care_ends(vw):
    care = vw.enrol()
    visits.plan(now=NOW)
    services.do_end_care(membership=care, actor=vw.grid_worker, on=dt.date.today())
    result = visits.plan()
    assert result["dropped"] == 1 and result["planned"] == 0
    assert care.visits.get().state == "dropped"
    assert visits.plan()["dropped"] == 0


def test_a_restricted_groups_visit_is_not_given_to_the_grid_worker(vw):
    care = vw.enrol(code="community_correction")
    visits.plan(now=NOW)
    assert vw.due_visit(care).worker is None
    assert not Visit.objects.visible_to(vw.grid_worker).exists()
    assert Visit.objects.visible_to(vw.justice_officer).get().membership == care


def test_a_visit_follows_a_member_who_moves_grid(vw):
    care = vw.enrol()
    visits.plan(now=NOW)
    services.do_update_resident(
        resident=vw.resident,
        data=services.ResidentIn(
            name=vw.resident.name,
            id_number=vw.resident.id_number,
            household_id=vw.household_b.pk,
            moved_in=vw.resident.moved_in,
        ),
        actor=vw.community_officer,
    )
    assert visits.plan(now=NOW)["moved"] == 1
    visit = vw.due_visit(care)
    assert visit.grid_id == vw.grid_b.pk and visit.worker == vw.grid_b_worker
    assert visits.plan(now=NOW)["moved"] == 0


# --- recording -----------------------------------------------------------------------------


def test_a_visit_records_what_was_found_where_and_when(vw, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    care = vw.enrol()
    visits.plan(now=NOW)
    done = vw.record(vw.due_visit(care), needs="需要助餐服务", photo=jpeg())
    assert (done.state, done.visited_by, done.visited_at) == ("done", vw.grid_worker, NOW)
    assert done.needs == "需要助餐服务" and done.distance_m == 0 and not done.far
    assert done.photo.startswith("people/visits/") and default_storage.exists(done.photo)


def test_a_visit_far_from_the_house_is_flagged(vw):
    care = vw.enrol()
    visits.plan(now=NOW)
    lng, lat = vw.point
    near = vw.record(vw.due_visit(care), point=(lng + 0.002, lat))  # about 180 m east
    assert 150 < near.distance_m < 200 and not near.far
    far = vw.record(vw.due_visit(care), point=(lng + 0.005, lat), now=at(TODAY + D(days=7)))
    assert 400 < far.distance_m < 500 and far.far


def test_the_far_threshold_is_a_setting(vw, settings):
    settings.GONGZHI = {**settings.GONGZHI, "PEOPLE_VISIT_FAR_M": 100}
    care = vw.enrol()
    visits.plan(now=NOW)
    lng, lat = vw.point
    assert vw.record(vw.due_visit(care), point=(lng + 0.002, lat)).far


def test_a_visit_needs_findings_and_the_phones_position(vw):
    care = vw.enrol()
    visits.plan(now=NOW)
    with pytest.raises(ServiceError) as error:
        visits.do_record_visit(
            visit=vw.due_visit(care), actor=vw.grid_worker, findings="", needs="", lng="", lat=None
        )
    assert {e.field for e in error.value.all} == {"findings", "position"}
    assert vw.due_visit(care).visited_at is None


def test_another_grids_worker_may_not_record_or_even_find_it(vw):
    care = vw.enrol()
    visits.plan(now=NOW)
    with pytest.raises(NotFound):
        vw.record(vw.due_visit(care), actor=vw.grid_b_worker)
    assert vw.due_visit(care).state == "due"


def test_a_unit_that_sees_the_group_but_does_not_govern_the_place_may_not_record(vw):
    # Civil affairs (MZJ) sees the elderly living alone but does not visit them.
    from tests.factories import OrganisationFactory, UserFactory

    mzj = OrganisationFactory(kind="department", function="MZJ", regions=[vw.regions.ledu])
    officer = UserFactory(organisation=mzj, role="handler")
    care = vw.enrol()
    visits.plan(now=NOW)
    assert Visit.objects.visible_to(officer).filter(membership=care).exists()
    with pytest.raises(NotAllowed):
        vw.record(vw.due_visit(care), actor=officer)


def test_the_community_and_the_justice_office_record_what_they_may_see(vw):
    elderly = vw.enrol()
    corrected = vw.enrol(resident=vw.resident_b, code="community_correction")
    visits.plan(now=NOW)
    assert vw.record(vw.due_visit(elderly), actor=vw.community_officer).state == "done"
    assert vw.record(vw.due_visit(corrected), actor=vw.justice_officer, point=(102.415, 36.47))
    with pytest.raises(NotFound):  # the community does not learn who is under correction
        vw.record(vw.due_visit(corrected), actor=vw.community_officer)


def test_a_visit_is_recorded_once(vw):
    care = vw.enrol()
    visits.plan(now=NOW)
    visit = vw.due_visit(care)
    vw.record(visit)
    with pytest.raises(Conflict):
        vw.record(visit)
    assert care.visits.filter(state="done").count() == 1


def test_a_restricted_group_is_never_listed_to_a_grid_worker(vw):
    vw.enrol(resident=vw.resident_b, code="community_correction")
    vw.enrol(resident=vw.resident_b, code="severe_mental_illness")
    elderly = vw.enrol()
    visits.plan(now=NOW)
    assert list(Visit.objects.visible_to(vw.grid_worker)) == [vw.due_visit(elderly)]
    assert not Visit.objects.visible_to(vw.grid_b_worker).exists()


# --- a need becomes a case or a dispute ----------------------------------------------------


def test_a_need_becomes_a_case_with_one_tap_and_a_second_tap_finds_it(vw):
    care = vw.enrol()
    visits.plan(now=NOW)
    done = vw.record(vw.due_visit(care), needs="老人行动不便，需要上门助餐")
    raised = visits.do_raise_need(visit=done, actor=vw.grid_worker, kind="case")
    case = Case.objects.get(number=raised.case_number)
    assert case.category.full_name == "特殊人群服务 / 独居老人关爱"
    assert "上门助餐" in case.description and case.address == vw.house.address
    assert case.grid_id == vw.grid.pk and case.reporter == vw.grid_worker
    again = visits.do_raise_need(visit=done, actor=vw.grid_worker, kind="case")
    assert again.case_number == case.number and Case.objects.count() == 1


def test_a_restricted_groups_need_does_not_name_the_group_on_the_case(vw):
    care = vw.enrol(resident=vw.resident_b, code="community_correction")
    visits.plan(now=NOW)
    done = vw.record(vw.due_visit(care), actor=vw.justice_officer, needs="求职困难，需要就业帮扶")
    raised = visits.do_raise_need(visit=done, actor=vw.justice_officer, kind="case")
    assert Case.objects.get(number=raised.case_number).category.full_name == "特殊人群服务"


def test_a_need_becomes_a_dispute_with_the_resident_as_applicant(vw):
    care = vw.enrol()
    visits.plan(now=NOW)
    done = vw.record(vw.due_visit(care), needs="邻居装修噪音影响老人休息，多次协商未果")
    kind = DisputeType.objects.get(code="neighbour")
    with pytest.raises(ServiceError) as error:
        visits.do_raise_need(visit=done, actor=vw.grid_worker, kind="dispute", type_id=kind.pk)
    assert error.value.field == "other_party"
    raised = visits.do_raise_need(
        visit=done, actor=vw.grid_worker, kind="dispute", other_party="马福贵", type_id=kind.pk
    )
    dispute = Dispute.objects.get(number=raised.dispute_number)
    assert dispute.source == Source.VISIT and dispute.grid_id == vw.grid.pk
    assert sorted(dispute.parties.values_list("side", "name")) == [
        ("applicant", vw.resident.name),
        ("respondent", "马福贵"),
    ]
    visits.do_raise_need(
        visit=done, actor=vw.grid_worker, kind="dispute", other_party="马福贵", type_id=kind.pk
    )
    assert Dispute.objects.count() == 1


def test_no_need_no_case(vw):
    care = vw.enrol()
    visits.plan(now=NOW)
    with pytest.raises(ServiceError) as error:
        visits.do_raise_need(visit=vw.due_visit(care), actor=vw.grid_worker, kind="case")
    assert error.value.field == "needs"
    done = vw.record(vw.due_visit(care))
    with pytest.raises(ServiceError):
        visits.do_raise_need(visit=done, actor=vw.grid_worker, kind="case")
    with pytest.raises(NotFound):
        visits.do_raise_need(visit=done, actor=vw.grid_b_worker, kind="case")
    assert not Case.objects.exists()
