"""Who the API takes a request from: a bearer token (as its user, with that user's scope)
or a signed-in session (with the CSRF token on writes); everyone else gets 401 in the one
error shape. Tokens are issued, listed and revoked on the command line and in the admin."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from gongzhi.accounts import tokens
from gongzhi.accounts.models import ApiToken

from .conftest import TokenClient

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"error", "message", "field"}


def test_a_token_acts_as_its_user(world, as_token):
    response = as_token(world.dispatcher).get("/cases")
    assert response.status_code == 200 and response.json()["count"] == 0
    token = ApiToken.objects.get()
    assert token.last_used_at is not None and token.user == world.dispatcher


@pytest.mark.parametrize("how", ["none", "unknown", "revoked", "expired", "inactive", "malformed"])
def test_without_a_live_token_or_session_the_answer_is_401(world, how):
    token, raw = tokens.do_issue(user=world.dispatcher, name="bridge")
    if how == "revoked":
        tokens.do_revoke(token=token)
    elif how == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif how == "inactive":
        world.dispatcher.is_active = False
        world.dispatcher.save()
    elif how == "unknown":
        raw = tokens.PREFIX + "x" * 43
    elif how == "malformed":
        raw = "not a token at all"
    headers = {} if how == "none" else {"Authorization": f"Bearer {raw}"}
    response = Client().get("/api/v1/cases", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == ERROR_KEYS and body["error"] == "not_authenticated"


def test_a_bad_token_is_refused_even_beside_a_session(world):
    client = Client()
    client.force_login(world.dispatcher)
    assert client.get("/api/v1/cases").status_code == 200
    response = client.get("/api/v1/cases", headers={"Authorization": "Bearer gz_wrong"})
    assert response.status_code == 401


def test_a_session_needs_the_csrf_token_to_write_and_a_token_does_not(world, as_token):
    body = {"title": "井盖丢失", "category": world.manhole.code, "lng": 102.405, "lat": 36.47}
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dispatcher)
    refused = client.post("/api/v1/cases", body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"] == "csrf_failed"
    assert as_token(world.dispatcher).post("/cases", body).status_code == 201


def test_tokens_on_the_command_line(world):
    out, err = StringIO(), StringIO()
    with translation.override("en"):  # the command speaks the active language
        call_command(
            "tokens",
            "issue",
            "--user",
            "dispatcher",
            "--name",
            "12345 bridge",
            "--days",
            "30",
            stdout=out,
            stderr=err,
        )
    raw = out.getvalue().strip()
    assert raw.startswith(tokens.PREFIX) and "not shown again" in err.getvalue()
    token = ApiToken.objects.get()
    assert token.key_hash != raw and raw not in token.key_hash  # only a hash is kept
    assert token.expires_at - timezone.now() > timedelta(days=29)
    assert TokenClient(raw).get("/cases").status_code == 200

    listing = StringIO()
    with translation.override("en"):
        call_command("tokens", "list", stdout=listing)
    line = listing.getvalue().strip()
    assert "12345 bridge" in line and "dispatcher" in line and "active" in line
    assert raw not in line

    call_command("tokens", "revoke", str(token.pk), stdout=StringIO())
    assert TokenClient(raw).get("/cases").status_code == 401
    listing = StringIO()
    call_command("tokens", "list", "--user", "dispatcher", stdout=listing)
    assert "revoked" in listing.getvalue()


def test_the_admin_shows_a_new_token_once(world):
    client = Client()
    client.force_login(world.admin)
    response = client.post(
        "/admin/accounts/apitoken/add/",
        {"name": "巡检App", "user": world.grid_worker.pk, "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    assert response.status_code == 200
    found = re.search(r"(gz_[A-Za-z0-9_-]{20,})", response.content.decode())
    assert found, "the new token is shown after saving"
    token = ApiToken.objects.get()
    assert token.user == world.grid_worker and token.prefix == found.group(1)[:10]
    assert TokenClient(found.group(1)).get("/cases").status_code == 200
    # Shown once: the token's own page does not show it again.
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert found.group(1) not in page
