"""The council's table: acknowledge with a note, mark held or cancelled; who may take each
step; points once for a modest ceremony that was held, none over the caps."""

from __future__ import annotations

import pytest

from gongzhi.community.customs import services
from gongzhi.community.models import Ceremony, CeremonyEvent
from gongzhi.core.errors import Conflict, NotAllowed, NotFound

from .conftest import register

pytestmark = pytest.mark.django_db


def test_the_council_acknowledges_and_marks_held_and_the_household_earns_points_once(cw, awards):
    w = cw
    c = register(w.villagers[0], w.household)
    assert c.warnings == []
    services.do_step(actor=w.clerk, pk=c.pk, action="acknowledge", note="提倡婚事新办，已备案")
    c.refresh_from_db()
    assert c.state == "acknowledged" and c.council_note == "提倡婚事新办，已备案"
    services.do_step(actor=w.secretary, pk=c.pk, action="hold")
    c.refresh_from_db()
    assert c.state == "held"
    assert [(a["household_id"], a["rule_code"], a["source"]) for a in awards] == [
        (w.household.pk, "modest_ceremony", f"ceremony:{c.pk}")
    ]
    with pytest.raises(Conflict):  # held once: never again, so no second award
        services.do_step(actor=w.clerk, pk=c.pk, action="hold")
    assert len(awards) == 1
    assert list(CeremonyEvent.objects.filter(ceremony=c).values_list("action", flat=True)) == [
        "register",
        "acknowledge",
        "hold",
    ]


def test_over_the_caps_a_held_ceremony_earns_nothing(cw, awards):
    c = register(cw.villagers[0], cw.household, tables=30)
    services.do_step(actor=cw.clerk, pk=c.pk, action="hold")
    assert Ceremony.objects.get(pk=c.pk).state == "held"
    assert awards == []


def test_who_may_take_each_step(cw):
    w = cw
    c = register(w.villagers[0], w.household)
    with pytest.raises(NotAllowed):  # the household does not acknowledge itself
        services.do_step(actor=w.villagers[0], pk=c.pk, action="acknowledge")
    with pytest.raises(NotAllowed):  # township staff see it but are not the council
        services.do_step(actor=w.township_staff, pk=c.pk, action="hold")
    with pytest.raises(NotFound):  # a neighbour does not even see it
        services.do_step(actor=w.villagers[1], pk=c.pk, action="cancel")
    with pytest.raises(NotFound):  # nor another community's staff
        services.do_step(actor=w.community_staff, pk=c.pk, action="acknowledge")
    assert Ceremony.objects.get(pk=c.pk).state == "registered"
    # The household may cancel its own; then nothing more can be done.
    services.do_step(actor=w.villagers[0], pk=c.pk, action="cancel", note="改期")
    assert Ceremony.objects.get(pk=c.pk).state == "cancelled"
    with pytest.raises(Conflict):
        services.do_step(actor=w.clerk, pk=c.pk, action="hold")


def test_a_stale_page_is_refused(cw):
    c = register(cw.villagers[0], cw.household)
    services.do_step(actor=cw.clerk, pk=c.pk, action="acknowledge")
    with pytest.raises(Conflict):
        services.do_step(actor=cw.secretary, pk=c.pk, action="cancel", expected_state="registered")
    assert Ceremony.objects.get(pk=c.pk).state == "acknowledged"


def test_the_committee_registers_for_any_household_of_its_village(cw):
    w = cw
    c = register(w.clerk, w.households[5], kind="funeral", days=3, tables=10, guests=100)
    assert c.region_id == w.village.pk and c.registered_by == w.clerk
    from gongzhi.core.errors import ServiceError

    with pytest.raises(ServiceError):  # not a household of another village
        register(w.other_clerk, w.households[5])
    with pytest.raises(ServiceError):  # a resident only for their own household
        register(w.villagers[0], w.households[5])
    assert Ceremony.objects.count() == 1
