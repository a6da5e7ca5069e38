"""Who does what in the legal services is read from the unit's kind (``legal.staff``)."""

from gongzhi.core.scope import scope_for
from gongzhi.legal import staff
from gongzhi.legal.models import ServicePoint


def test_each_kind_of_staff_works_where_its_unit_serves(legal):
    w = legal
    ledu = w.regions.ledu.path
    assert staff.aid_reviewer_paths(scope_for(w.reviewer)) == (ledu,)
    assert staff.aid_director_paths(scope_for(w.reviewer)) == ()
    assert staff.aid_director_paths(scope_for(w.director)) == (ledu,)
    assert staff.justice_bureau_paths(scope_for(w.bureau_staff)) == (ledu,)
    # A township's 司法所 writes 普法 for its township but hears no objections.
    assert staff.justice_bureau_paths(scope_for(w.sfs_staff)) == ()
    assert staff.outreach_paths(scope_for(w.sfs_staff)) == (w.regions.nianbo.path,)
    assert staff.notary_office_paths(scope_for(w.notary)) == (w.notary_office.path,)
    assert staff.is_lawyer(scope_for(w.lawyer)) and not staff.is_lawyer(scope_for(w.resident))
    # A department that is not the 司法局 is no justice bureau.
    assert staff.justice_bureau_paths(scope_for(w.handler)) == ()


def test_the_points_serving_a_village_are_its_room_station_and_centre(legal):
    w = legal
    serving = ServicePoint.objects.serving(w.regions.xiguan.path)
    assert {p.code for p in serving} == {"pls-630202", "pls-630202100", "pls-630202100001"}
    assert not ServicePoint.objects.serving("")


def test_each_desk_is_in_the_menu_of_those_who_work_there(legal):
    from gongzhi.core.navigation import menu_for

    w = legal

    def names(user):
        return {item.name for item in menu_for(user)["main"]}

    desks = {
        "legal_aid_desk",
        "legal_aid_lawyer",
        "legal_advice_desk",
        "legal_objections",
        "legal_notary_desk",
        "legal_outreach_desk",
        "legal_figures",
    }
    assert "legal" in names(w.resident) and not names(w.resident) & desks
    assert {"legal_aid_desk", "legal_advice_desk", "legal_figures"} <= names(w.reviewer)
    assert {"legal_aid_lawyer", "legal_advice_desk"} <= names(w.lawyer)
    assert "legal_aid_desk" not in names(w.lawyer)
    assert {"legal_objections", "legal_outreach_desk"} <= names(w.bureau_staff)
    assert "legal_objections" not in names(w.sfs_staff)
    assert "legal_outreach_desk" in names(w.sfs_staff)
    assert names(w.notary) & desks == {"legal_notary_desk"}
