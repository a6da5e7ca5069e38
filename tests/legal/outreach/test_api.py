"""普法 through the API: my articles (sent first), read one (marked read), answer the quiz
once; errors structured; a token acts as its user."""

import pytest
from django.test import Client

from gongzhi.accounts.tokens import do_issue
from gongzhi.legal.models import Delivery

pytestmark = pytest.mark.django_db
API = "/api/v1/legal"


def test_articles_read_and_quiz(pf, write, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = write(pf.bureau_staff, [pf.regions.ledu], groups=["migrant_worker"], title="讨薪")
        public = write(pf.bureau_staff, [pf.regions.ledu], groups=["herder"], title="草场", quiz="")
    _token, raw = do_issue(user=pf.resident, name="phone")
    c = Client(headers={"Authorization": f"Bearer {raw}"})
    rows = c.get(f"{API}/outreach/articles").json()["items"]
    assert [(r["id"], r["sent"], r["read"]) for r in rows] == [
        (sent.pk, True, False),
        (public.pk, False, False),
    ]
    assert c.get(f"{API}/outreach/articles?unread=true").json()["count"] == 1
    one = c.get(f"{API}/outreach/articles/{sent.pk}").json()
    assert one["title"] == "讨薪" and len(one["quiz"]) == 3 and one["quiz"][0]["answer"] is None
    assert Delivery.objects.get(article=sent, user=pf.resident).read_at
    wrong = c.post(
        f"{API}/outreach/articles/{sent.pk}/quiz", {"choices": [0]}, content_type="application/json"
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "quiz_incomplete"
    ok = c.post(
        f"{API}/outreach/articles/{sent.pk}/quiz",
        {"choices": [0, 1, 0]},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["score"] == 3 and ok.json()["quiz"][1]["answer"] == 1
    again = c.post(
        f"{API}/outreach/articles/{sent.pk}/quiz",
        {"choices": [0, 1, 0]},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["error"] == "quiz_answered"
    none = c.post(
        f"{API}/outreach/articles/{public.pk}/quiz",
        {"choices": []},
        content_type="application/json",
    )
    assert none.status_code == 400 and none.json()["error"] == "no_quiz"
    far = Client()
    far.force_login(pf.far)
    assert far.get(f"{API}/outreach/articles/{sent.pk}").json()["error"] == "not_found"
    assert far.get(f"{API}/outreach/articles").json()["count"] == 0
    assert Client().get(f"{API}/outreach/articles").status_code == 401
