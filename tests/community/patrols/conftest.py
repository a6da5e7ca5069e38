"""The patrols world: 大古城村's patrol team (``w.leader`` leads it, ``w.walker`` is an
approved volunteer, ``w.pending`` a volunteer not yet checked) and its route 村内夜巡 with
three checkpoints 180 m apart, ordered, allowed 50 m."""

from __future__ import annotations

import pytest

from gongzhi.community.choices import VolunteerState
from gongzhi.community.models import Checkpoint, Route, Team, TeamMember, Volunteer
from gongzhi.community.patrols import codes


def volunteer(user, region, state=VolunteerState.APPROVED):
    return Volunteer.objects.create(region=region, user=user, name=user.display_name, state=state)


@pytest.fixture
def pw(town):
    w = town
    w.leader, w.walker, w.pending = w.villagers[1], w.villagers[2], w.villagers[3]
    w.team = Team.objects.create(region=w.village, name="大古城村平安巡逻队", leader=w.leader)
    for user, state in ((w.walker, VolunteerState.APPROVED), (w.pending, VolunteerState.PENDING)):
        TeamMember.objects.create(team=w.team, volunteer=volunteer(user, w.village, state))
    w.route = Route.objects.create(
        region=w.village, team=w.team, name="村内夜巡", in_order=True, radius_m=50
    )
    w.cps = [
        Checkpoint.objects.create(
            route=w.route, order=n + 1, name=name, lng=102.370 + 0.002 * n, lat=36.470
        )
        for n, name in enumerate(["村委会", "戏台", "村小学"])
    ]
    # Another route of the same village, for "a code of another route".
    w.other_route = Route.objects.create(region=w.village, team=w.team, name="河道巡查")
    w.other_cp = Checkpoint.objects.create(
        route=w.other_route, order=1, name="河堤", lng=102.365, lat=36.465
    )
    return w


def at(cp, dx_m=0.0):
    """A position ``dx_m`` metres east of a checkpoint (1° of longitude ≈ 89.5 km here)."""
    return {"lng": cp.lng + dx_m / 89_500, "lat": cp.lat, "accuracy": 10}


def code_of(cp):
    return codes.url_for(cp, "http://testserver")
