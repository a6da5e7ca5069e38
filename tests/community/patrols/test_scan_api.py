"""A scan through the API, the patrols' busiest call (issue 21: ≥ 200 scans/s): the work a
scan does is bounded in statements, and looking the patrol up while locking it refuses
exactly as before (someone else's patrol 403, a patrol out of sight or not there 404)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.accounts.tokens import do_issue
from gongzhi.community.models import Patrol, Scan
from gongzhi.community.patrols import services

from .conftest import at, code_of

pytestmark = pytest.mark.django_db
API = "/api/v1/community/patrols"
# A scan's own statements: lock the patrol (with its route), read the checkpoint, the
# checkpoints scanned so far, whether an earlier one was skipped, write the scan, count it,
# and the live board's message. The request's token check is the API's, not the scan's.
MOST_STATEMENTS = 7


def bearer(user) -> dict:
    _token, raw = do_issue(user=user, name="phone")
    return {"Authorization": f"Bearer {raw}"}


def post_scan(client, pid, headers, cp, **extra):
    body = {"code": code_of(cp), **at(cp), **extra}
    return client.post(f"{API}/{pid}/scans", body, content_type="application/json", headers=headers)


def statements(captured) -> list[str]:
    """The statements that do work: no transaction control, not the token's lookup."""
    out = []
    for q in captured:
        sql = q["sql"].lstrip().upper()
        if sql.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            continue
        if "ACCOUNTS_APITOKEN" in sql:
            continue
        out.append(q["sql"])
    return out


def test_a_scan_does_a_bounded_number_of_statements(client, pw, django_capture_on_commit_callbacks):
    headers = bearer(pw.walker)
    patrol = services.do_start(actor=pw.walker, route=pw.route)
    assert post_scan(client, patrol.pk, headers, pw.cps[0]).status_code == 201
    for cp in pw.cps[1:]:  # the second and the third, each with scans already there
        with (
            CaptureQueriesContext(connection) as captured,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = post_scan(client, patrol.pk, headers, cp)
        assert response.status_code == 201, response.content
        done = statements(captured.captured_queries)
        assert len(done) <= MOST_STATEMENTS, "\n".join(done)
    patrol.refresh_from_db()
    assert (patrol.scanned, patrol.flagged) == (3, 0)
    assert Scan.objects.filter(patrol=patrol).count() == 3


def test_the_scan_api_refuses_as_the_patrols_lookup_does(client, pw):
    patrol = services.do_start(actor=pw.walker, route=pw.route)
    # The team's leader sees the patrol but does not walk it.
    refused = post_scan(client, patrol.pk, bearer(pw.leader), pw.cps[0])
    assert refused.status_code == 403 and refused.json()["error"] == "not_your_patrol"
    # Another village's staff and a resident do not see it at all, even with a bad position.
    for outsider in (pw.other_clerk, pw.villagers[5]):
        headers = bearer(outsider)
        assert post_scan(client, patrol.pk, headers, pw.cps[0]).status_code == 404
        bad = post_scan(client, patrol.pk, headers, pw.cps[0], lng=500)
        assert bad.status_code == 404
    missing = Patrol.objects.order_by("-pk").first().pk + 1
    assert post_scan(client, missing, bearer(pw.walker), pw.cps[0]).status_code == 404
    assert not Scan.objects.exists()
    # The walker's own: a bad position is refused as a bad position, then the scan counts.
    headers = bearer(pw.walker)
    bad = post_scan(client, patrol.pk, headers, pw.cps[0], lng=500)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_location"
    assert post_scan(client, patrol.pk, headers, pw.cps[0]).status_code == 201
    services.do_finish(actor=pw.walker, patrol=patrol)
    closed = post_scan(client, patrol.pk, headers, pw.cps[1])
    assert closed.status_code == 409 and closed.json()["error"] == "patrol_closed"
