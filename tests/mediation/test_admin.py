"""The mediation admin: every model there and its pages open, reference rows editable, the
register read-only where the workflow owns it, parties masked, referral keys shown once."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditLog
from gongzhi.mediation import referrals, services
from gongzhi.mediation.models import (
    Agreement,
    Campaign,
    Dispute,
    DisputeEvent,
    DisputeType,
    GridReport,
    LevelPolicy,
    Obligation,
    Party,
    ReferralToken,
    RiskRule,
    Session,
)

from .test_services import dispute_in

pytestmark = pytest.mark.django_db

MODELS = list(apps.get_app_config("mediation").get_models())
# Written by the workflow or by the register: never added here.
NOT_ADDED = {
    "Dispute",
    "Party",
    "Session",
    "Agreement",
    "Obligation",
    "DisputeEvent",
    "GridReport",
    "DisputeNumberSequence",
}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def full(med):
    """A settled dispute with a session, a screening round with a grid's report, a key."""
    w = med
    m = w.village_mediator
    d = services.do_register(data=dispute_in(w), actor=w.grid_worker)
    steps = [
        ("accept", {}),
        ("start", {"lead": m.pk}),
        (
            "record_session",
            {"place": "西关社区调解室", "attendees": "马福贵、韩成林", "summary": "双方陈述"},
        ),
        (
            "settle",
            {
                "disputed_matters": "院墙排水",
                "obligations": [{"party": "韩成林", "what": "改建排水沟", "due_on": "2099-01-01"}],
            },
        ),
    ]
    for action, params in steps:
        d = services.do_transition(dispute=d, action=action, actor=m, **params)
    campaign = Campaign.objects.create(
        title="春节前矛盾纠纷排查",
        region=w.grid.community.parent,
        organiser=w.township,
        starts_on=timezone.localdate(),
        due_at=timezone.now() + timedelta(days=7),
    )
    GridReport.objects.create(campaign=campaign, grid=w.grid, reported_by=w.grid_worker)
    referrals.do_issue(token=ReferralToken(name="乐都区人民法院", region=w.regions.ledu))
    return Dispute.objects.get(pk=d.pk)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_mediation_model_is_in_the_admin_and_its_pages_open(client, med, full, model):
    assert model in admin.site._registry
    client.force_login(med.admin)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    obj = model.objects.first()
    assert obj is not None, model
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
    can_add = admin.site._registry[model].has_add_permission(type("R", (), {"user": med.admin})())
    assert can_add == (model.__name__ not in NOT_ADDED)
    assert client.get(admin_url(model, "add")).status_code == (200 if can_add else 403)


def test_the_reference_rows_are_edited_here(client, med):
    client.force_login(med.admin)
    kind = DisputeType.objects.get(code="neighbour")
    response = client.post(
        admin_url(DisputeType, "change", kind.pk),
        {"code": "neighbour", "name": "邻里纠纷（含噪音）", "order": 5, "colour": "#f59e0b"},
    )
    assert response.status_code == 302
    kind.refresh_from_db()
    assert (kind.name, kind.order, kind.enabled) == ("邻里纠纷（含噪音）", 5, False)

    rule = RiskRule.objects.get(code="group")
    response = client.post(
        admin_url(RiskRule, "change", rule.pk),
        {
            "code": "group",
            "name": rule.name,
            "condition": "group",
            "words": "",
            "threshold": 3,
            "risk": "major",
            "reason": "一方人数3人以上",
            "order": rule.order,
            "colour": rule.colour,
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.threshold, rule.risk) == (3, "major")

    policy = LevelPolicy.objects.get(level="village")
    response = client.post(
        admin_url(LevelPolicy, "change", policy.pk),
        {"level": "village", "days": 15, "max_risk": "serious"},
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.days, policy.max_risk) == (15, "serious")


def test_an_edited_rule_decides_the_next_registration(client, med):
    """The rows are what the register reads: three people on a side are now a major risk."""
    client.force_login(med.admin)
    rule = RiskRule.objects.get(code="group")
    data = {
        **{f: getattr(rule, f) for f in ("code", "name", "condition", "words", "reason")},
        **{"order": rule.order, "colour": rule.colour, "enabled": "on"},
        **{"threshold": 3, "risk": "major"},
    }
    assert client.post(admin_url(RiskRule, "change", rule.pk), data).status_code == 302
    d = services.do_register(data=dispute_in(med, people=3), actor=med.grid_worker)
    assert d.risk == "major" and "一方人数5人以上" in d.risk_reasons


def test_what_the_workflow_owns_cannot_be_changed_here(client, med, full):
    client.force_login(med.admin)
    url = admin_url(Dispute, "change", full.pk)
    html = client.get(url).content.decode()
    assert 'name="source_ref"' in html
    for owned in ("state", "level", "holder", "risk", "lead_mediator", "title", "facts"):
        assert f'name="{owned}"' not in html, owned
    response = client.post(
        url,
        {
            "source_ref": "（2026）青0202民诉前调5号",
            "title": "改过的标题",
            "state": "closed",
            "level": "county",
            "risk": "major",
            **_empty_inlines(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    d = Dispute.objects.get(pk=full.pk)
    assert d.source_ref == "（2026）青0202民诉前调5号" and d.title == full.title
    assert (d.state, d.level, d.risk) == (full.state, full.level, full.risk)
    assert d.events.count() == full.events.count()
    event = d.events.first()
    assert client.post(
        admin_url(DisputeEvent, "change", event.pk), {"note": "改写"}
    ).status_code == (403)
    assert client.post(admin_url(Dispute, "delete", full.pk), {"post": "yes"}).status_code == 403


def _empty_inlines() -> dict:
    data = {}
    for prefix in ("parties", "sessions", "events"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "0",
            }
        )
    return data


def test_parties_are_masked_and_revealed_only_through_the_audited_action(client, med, full):
    client.force_login(med.admin)
    party = full.parties.get(side="applicant")
    session = full.sessions.get()
    pages = {
        admin_url(Party, "changelist"): "马**",
        admin_url(Party, "change", party.pk): "139****1111",
        admin_url(Dispute, "change", full.pk): "马**",  # the parties, and a session's attendees
        admin_url(Session, "change", session.pk): "马**、韩**",
        admin_url(Obligation, "changelist"): "韩**",
    }
    for url, masked in pages.items():
        html = client.get(url).content.decode()
        for real in ("马福贵", "韩成林", "13900001111"):
            assert real not in html, (url, real)
        assert masked in html, url
    response = client.post(
        admin_url(Party, "unmask", party.pk), {"unmask_fields": ["phone"], "reason": "调解联系"}
    )
    assert response.status_code == 200 and "13900001111" in response.content.decode()
    assert AuditLog.objects.filter(action="unmask", actor=med.admin).count() == 1


def test_no_admin_title_names_a_party(client, med, full):
    client.force_login(med.admin)
    Dispute.objects.filter(pk=full.pk).update(title="马福贵与韩成林排水纠纷")
    for url in (
        admin_url(Dispute, "change", full.pk),
        admin_url(Agreement, "change", full.agreement.pk),
        admin_url(Obligation, "change", full.agreement.obligations.get().pk),
    ):
        html = client.get(url).content.decode()
        assert "马福贵" not in html and "韩成林" not in html, url


def test_staff_see_only_the_disputes_of_their_places(client, med, full):
    w = med
    elsewhere = dispute_in(w)
    elsewhere.grid_id, elsewhere.region_id = None, w.other_grid.community_id
    other = services.do_register(data=elsewhere, actor=w.admin)
    staff = w.township_mediator
    staff.is_staff = True
    staff.save()
    for name in ("dispute", "disputeevent", "party"):
        staff.user_permissions.add(Permission.objects.get(codename=f"view_{name}"))
    client.force_login(staff)
    html = client.get(admin_url(Dispute, "changelist")).content.decode()
    assert full.number in html and other.number not in html
    assert client.get(admin_url(Dispute, "change", other.pk)).status_code == 302  # not found
    html = client.get(admin_url(DisputeEvent, "changelist")).content.decode()
    assert full.number in html and other.number not in html


def test_a_referral_key_is_shown_once_and_a_new_one_replaces_it(med):
    client = Client()
    client.force_login(med.admin)
    response = client.post(
        admin_url(ReferralToken, "add"),
        {
            "name": "乐都区人民法院",
            "source": "court",
            "region": med.regions.ledu.pk,
            "enabled": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    first = _key_in(response)
    token = ReferralToken.objects.get()
    assert referrals.key_for(first) == token and first not in token.key_hash
    assert _key_in(client.get(admin_url(ReferralToken, "change", token.pk))) is None

    response = client.post(
        admin_url(ReferralToken, "changelist"),
        {"action": "issue_new_key", "_selected_action": [token.pk]},
        follow=True,
    )
    second = _key_in(response)
    assert second and second != first
    assert referrals.key_for(second) == token and referrals.key_for(first) is None


def _key_in(response) -> str | None:
    import re

    found = re.search(r"md_[A-Za-z0-9_-]{20,}", response.content.decode())
    return found.group(0) if found else None
