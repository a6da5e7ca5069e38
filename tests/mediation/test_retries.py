"""Retried registrations and referrals: an app on a bad connection sends the same dispute
again with its ``Idempotency-Key`` and gets the first one back; a court's system resends a
case and gets the dispute that already handles it. The key that referred a dispute is the
dispute's own column, read when the court asks for the outcome."""

import json
from importlib import import_module

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.test import Client

from gongzhi.mediation.models import Dispute, DisputeEvent, ReferralToken
from tests.api import conftest as api_fixtures
from tests.api.conftest import API

from . import test_api
from .test_api import body, referral

# Fixtures shared with the API's tests.
as_token = api_fixtures.as_token
w = test_api.w
court = test_api.court

pytestmark = pytest.mark.django_db

KEY = "3f2a9c1e-1111-4a4a-9b9b-000000000001"


def register(client, payload, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/mediation/disputes", payload, headers=headers)


def refer(raw, payload, key=None):
    headers = {"Authorization": f"Bearer {raw}"}
    if key:
        headers["Idempotency-Key"] = key
    return Client().post(
        API + "/mediation/referrals",
        json.dumps(payload),
        content_type="application/json",
        headers=headers,
    )


# -- registering -------------------------------------------------------------------------------


def test_a_retried_registration_returns_the_first_dispute(w, as_token):
    app = as_token(w.grid_worker)
    first = register(app, body(w), KEY)
    assert first.status_code == 201, first.content
    again = register(app, body(w), KEY)
    assert again.status_code == 200, again.content
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    assert again.json()["number"] == first.json()["number"]
    assert set(again.json()) == set(first.json())  # the same answer, as the cases API gives
    assert Dispute.objects.count() == 1
    assert DisputeEvent.objects.filter(action="register").count() == 1


def test_a_key_sent_again_with_another_dispute_is_refused(w, as_token):
    app = as_token(w.grid_worker)
    assert register(app, body(w), KEY).status_code == 201
    other = register(app, body(w, facts="韩成林称马福贵家的狗夜里吠叫，影响休息"), KEY)
    assert other.status_code == 409, other.content
    assert (other.json()["error"], other.json()["field"]) == (
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert Dispute.objects.count() == 1


def test_without_a_key_or_with_another_senders_key_each_request_registers(w, as_token):
    assert register(as_token(w.grid_worker), body(w)).status_code == 201
    assert register(as_token(w.grid_worker), body(w)).status_code == 201
    # The same key from somebody else is their own: they are not handed the first dispute.
    assert register(as_token(w.grid_worker), body(w), KEY).status_code == 201
    assert register(as_token(w.village_mediator), body(w), KEY).status_code == 201
    assert Dispute.objects.count() == 4


def test_a_malformed_key_is_refused_and_nothing_is_written(w, as_token):
    response = register(as_token(w.grid_worker), body(w), "short")
    assert response.status_code == 400 and response.json()["field"] == "Idempotency-Key"
    assert not Dispute.objects.exists()


# -- referrals ---------------------------------------------------------------------------------


def test_a_referral_is_linked_to_its_key_by_a_column(w, court):
    token, raw = court
    first = refer(raw, referral(w))
    assert first.status_code == 201, first.content
    dispute = Dispute.objects.get(number=first.json()["number"])
    assert (dispute.referral, dispute.external_ref) == (token, "（2026）青0202民诉前调88号")
    # The outcome is found by the column: the timeline entry is for people to read.
    DisputeEvent.objects.filter(dispute=dispute, action="refer").delete()
    read = Client().get(
        API + "/mediation/referrals/（2026）青0202民诉前调88号",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert read.status_code == 200 and read.json()["number"] == dispute.number
    # The same court case sent again, changed or not: the dispute that handles it.
    again = refer(raw, referral(w, facts="补充材料：双方已多次协商未果"))
    assert again.status_code == 200 and again.json()["number"] == dispute.number
    assert not again.json()["created"] and Dispute.objects.count() == 1


def test_one_dispute_per_key_and_reference_is_kept_by_the_database(w, court):
    token, raw = court
    dispute = Dispute.objects.get(number=refer(raw, referral(w)).json()["number"])
    copy = Dispute.objects.get(pk=dispute.pk)
    copy.pk, copy.number, copy.idempotency_key = None, "MD-COPY", None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    copy.referral = None  # a dispute nobody referred may carry any reference
    copy.save()


def test_a_retried_referral_with_its_key_and_a_reused_key(w, court):
    _token, raw = court
    first = refer(raw, referral(w), KEY)
    assert first.status_code == 201, first.content
    again = refer(raw, referral(w), KEY)
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    reused = refer(raw, referral(w, ref="（2026）青0202民诉前调89号"), KEY)
    assert reused.status_code == 409 and reused.json()["error"] == "idempotency_key_reused"
    assert Dispute.objects.count() == 1


def test_the_migration_moves_the_link_from_the_timeline_to_the_column(w, court):
    token, raw = court
    dispute = Dispute.objects.get(number=refer(raw, referral(w)).json()["number"])
    Dispute.objects.filter(pk=dispute.pk).update(referral=None)  # as before the column
    stray = Dispute.objects.get(number=refer(raw, referral(w, ref="OTHER-1")).json()["number"])
    missing = ReferralToken.objects.order_by("-pk").first().pk + 1
    DisputeEvent.objects.filter(dispute=stray, action="refer").update(data={"key": missing})
    Dispute.objects.filter(pk=stray.pk).update(referral=None)

    import_module("gongzhi.mediation.migrations.0006_referral_from_timeline").forward(apps, None)

    assert Dispute.objects.get(pk=dispute.pk).referral == token
    assert Dispute.objects.get(pk=stray.pk).referral is None  # a key that is gone
