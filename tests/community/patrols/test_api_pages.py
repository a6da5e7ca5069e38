"""The patrols API and pages for their users: a volunteer walks a patrol through the API,
the leader sees it live and in the month, a code opened from the sheet, the QR sheet, and
scoping (other villages' staff and residents see nothing)."""

from __future__ import annotations

import pytest

from gongzhi.community.patrols import codes

from .conftest import at, code_of

pytestmark = pytest.mark.django_db
API = "/api/v1/community/patrols"


def test_a_volunteer_walks_a_patrol_through_the_api_and_the_leader_sees_it(client, pw):
    client.force_login(pw.walker)
    routes = client.get(f"{API}/routes").json()
    assert {r["name"] for r in routes} == {"村内夜巡", "河道巡查"}
    started = client.post(f"{API}/routes/{pw.route.pk}/patrols")
    assert started.status_code == 201
    pid = started.json()["id"]
    ok = client.post(
        f"{API}/{pid}/scans",
        {"code": code_of(pw.cps[0]), **at(pw.cps[0], 80)},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["too_far"] is True
    forged = client.post(
        f"{API}/{pid}/scans",
        {"code": "http://x/community/patrols/c/abc:def/"},
        content_type="application/json",
    )
    assert forged.status_code == 400 and forged.json()["error"] == "forged_code"
    again = client.post(
        f"{API}/{pid}/scans", {"code": code_of(pw.cps[0])}, content_type="application/json"
    )
    assert again.status_code == 409
    client.post(
        f"{API}/{pid}/scans",
        {"code": code_of(pw.cps[2]), **at(pw.cps[2])},
        content_type="application/json",
    )
    done = client.post(f"{API}/{pid}/finish").json()
    assert (done["state"], done["scanned"], done["missed"]) == ("finished", 2, 1)
    assert done["missed_checkpoints"] == ["戏台"]
    # A volunteer does not see the leader's board.
    assert client.get(f"{API}/live").status_code == 403

    client.force_login(pw.leader)
    live = client.get(f"{API}/live").json()
    assert [(p["id"], p["flagged"]) for p in live] == [(pid, 2)]
    month = {r["name"]: r for r in client.get(f"{API}/month").json()}
    assert (
        month["村内夜巡"]["finished"],
        month["村内夜巡"]["scanned"],
        month["村内夜巡"]["due"],
    ) == (1, 2, 3)
    assert month["村内夜巡"]["missed"] == 1

    page = client.get("/community/patrols/board/")
    assert page.status_code == 200 and "村内夜巡" in page.content.decode()
    assert client.get("/community/patrols/board/live/").status_code == 200
    assert client.get("/community/patrols/month/").status_code == 200


def test_scoping(client, pw):
    client.force_login(pw.walker)
    pid = client.post(f"{API}/routes/{pw.route.pk}/patrols").json()["id"]
    for outsider in (pw.other_clerk, pw.villagers[5], pw.urban_residents[0]):
        client.force_login(outsider)
        assert client.get(f"{API}/routes").json() == []
        assert client.get(f"{API}/{pid}").status_code == 404
        assert client.get(f"/community/patrols/{pid}/").status_code == 404
        assert client.get(f"/community/patrols/routes/{pw.route.pk}/").status_code == 404
    client.force_login(pw.township_staff)  # oversight of the township sees it
    assert client.get(f"{API}/{pid}").status_code == 200


def test_the_patrol_page_scans_a_typed_code_and_shows_why_one_is_refused(client, pw):
    client.force_login(pw.walker)
    start = client.post(f"/community/patrols/routes/{pw.route.pk}/start/")
    pid = int(start["Location"].rstrip("/").rsplit("/", 1)[-1])
    page = client.get(f"/community/patrols/{pid}/").content.decode()
    assert 'data-testid="scan-camera"' in page and "jsQR.js" in page
    ok = client.post(
        f"/community/patrols/{pid}/scan/", {"code": codes.token_for(pw.cps[0]), **at(pw.cps[0])}
    )
    assert 'data-result="ok"' in ok.content.decode()
    other = client.post(f"/community/patrols/{pid}/scan/", {"code": code_of(pw.other_cp)})
    assert 'data-result="other_route"' in other.content.decode()
    client.post(f"/community/patrols/{pid}/finish/")
    page = client.get(f"/community/patrols/{pid}/").content.decode()
    assert page.count('data-done="missed"') == 2


def test_a_case_from_the_patrol_page(client, pw):
    client.force_login(pw.walker)
    pid = client.post(f"{API}/routes/{pw.route.pk}/patrols").json()["id"]
    client.post(
        f"{API}/{pid}/scans",
        {"code": code_of(pw.cps[0]), **at(pw.cps[0])},
        content_type="application/json",
    )
    made = client.post(
        f"{API}/{pid}/problems",
        {"description": "村委会门口井盖破损", "category_id": pw.manhole.pk},
    )
    assert made.status_code == 201, made.content
    assert made.json()["scan_id"] is not None


def test_the_qr_sheet_and_a_code_opened_by_a_camera_app(client, pw):
    client.force_login(pw.walker)
    assert client.get(f"/community/patrols/routes/{pw.route.pk}/sheet.pdf").status_code == 404
    client.force_login(pw.leader)
    pdf = client.get(f"/community/patrols/routes/{pw.route.pk}/sheet.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(code_of(pw.cps[0]).replace("http://testserver", "")).status_code == 200
    assert client.get("/community/patrols/c/forged:abc/").status_code == 400


def test_the_committee_makes_a_route_with_checkpoints(client, pw):
    client.force_login(pw.clerk)
    made = client.post(
        f"{API}/routes",
        {"name": "后山巡查", "region_id": pw.village.pk, "team_id": pw.team.pk, "radius_m": 80},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    rid = made.json()["id"]
    for name, lng in (("山口", 102.371), ("水塔", 102.372)):
        client.post(
            f"{API}/routes/{rid}/checkpoints",
            {"name": name, "lng": lng, "lat": 36.47},
            content_type="application/json",
        )
    route = client.get(f"{API}/routes/{rid}").json()
    assert [(c["order"], c["name"]) for c in route["checkpoints"]] == [(1, "山口"), (2, "水塔")]
    client.force_login(pw.walker)
    refused = client.post(
        f"{API}/routes", {"name": "x", "region_id": pw.village.pk}, content_type="application/json"
    )
    assert refused.status_code == 403
