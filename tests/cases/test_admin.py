"""The cases admin: every model there, scoped, personal data masked, and no way round the
workflow (state, history and the records around a case are read-only)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases.models import Answer, Case, CaseEvent, ChannelPolicy, RoutingRule
from gongzhi.core.models import AuditLog
from tests.factories import case_in, move, png, report, report_case

pytestmark = pytest.mark.django_db

CASE_MODELS = list(apps.get_app_config("cases").get_models())
READ_ONLY = {
    "CaseEvent",
    "CoHandler",
    "Attachment",
    "ExtensionRequest",
    "Callback",
    "CaseNumberSequence",
    "CaseSupport",
    "Suspension",
}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def full(world, settings, tmp_path):
    """A case with every kind of record around it."""
    from gongzhi.cases.intake import services
    from gongzhi.cases.workflow import services as transitions

    settings.MEDIA_ROOT = tmp_path
    w = world
    case = case_in(w, "in_progress")
    case.reporter_name, case.reporter_phone = "马秀兰", "13900001111"
    case.save(update_fields=["reporter_name", "reporter_phone"])
    move(case, "add_co_handlers", w.dispatcher, organisations=[w.zjj.pk], task="配合")
    services.do_support(case=case, user=w.other_resident)
    new_due = timezone.now() + timedelta(days=20)
    move(case, "request_extension", w.handler, new_due=new_due, reason="需采购井盖")
    move(case, "decide_extension", w.dispatcher, approve=True)
    resume_on = timezone.localdate() + timedelta(days=3)
    move(case, "request_suspension", w.handler, reason="等待材料", resume_on=resume_on)
    move(case, "decide_suspension", w.dispatcher, approve=False)
    Answer.objects.create(question="井盖丢了找谁", answer="城管局负责", category=w.manhole)
    transitions.do_transition(
        case=case, action="resolve", actor=w.handler, photos=[png()], result="已补装井盖"
    )
    move(case, "verify_pass", w.grid_worker)
    move(case, "callback", w.resident, resolved=True, satisfaction="satisfied")
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("model", CASE_MODELS, ids=lambda m: m.__name__)
def test_every_cases_model_is_in_the_admin_and_its_pages_open(client, world, full, model):
    assert model in admin.site._registry
    client.force_login(world.admin)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    obj = model.objects.first()
    assert obj is not None, model
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
    model_admin = admin.site._registry[model]
    request = type("R", (), {"user": world.admin})()
    can_add = model_admin.has_add_permission(request)
    if model.__name__ in READ_ONLY or model is Case:
        assert not can_add
    else:
        assert can_add
        assert client.get(admin_url(model, "add")).status_code == 200


def test_the_case_list_shows_what_it_should(client, world, full):
    client.force_login(world.admin)
    html = client.get(admin_url(Case, "changelist")).content.decode()
    assert full.number in html and full.title in html
    assert client.get(admin_url(Case, "changelist"), {"q": full.number}).status_code == 200
    assert client.get(admin_url(Case, "changelist"), {"state__exact": "closed"}).status_code == 200


def test_an_administrator_sees_the_reports_waiting_for_their_follow_up(client, world):
    from gongzhi.cases.intake import follow_up

    waiting = report_case(world, world.manhole, title="等待跟进的上报")
    client.force_login(world.admin)
    url = admin_url(Case, "changelist")
    assert "follow_up_pending__exact=1" in client.get(url).content.decode()  # a filter to pick
    html = client.get(url, {"follow_up_pending__exact": "1"}).content.decode()
    assert waiting.number in html
    follow_up.run()
    html = client.get(url, {"follow_up_pending__exact": "1"}).content.decode()
    assert waiting.number not in html


def test_state_and_handling_cannot_be_changed_in_the_admin(client, world, full):
    client.force_login(world.admin)
    url = admin_url(Case, "change", full.pk)
    html = client.get(url).content.decode()
    assert 'name="title"' in html and 'name="state"' not in html
    assert 'name="owner"' not in html and 'name="resolve_due"' not in html
    response = client.post(
        url,
        {
            "title": "井盖丢失（已更正）",
            "description": full.description,
            "address": "西关街",
            "state": "reported",
            "owner": world.zjj.pk,
            "is_urgent": "on",
            **_empty_inlines(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(pk=full.pk)
    assert case.title == "井盖丢失（已更正）" and case.address == "西关街"
    assert (case.state, case.owner, case.is_urgent) == (full.state, full.owner, full.is_urgent)
    assert case.events.count() == full.events.count()


def _empty_inlines() -> dict:
    data = {}
    for prefix in (
        "events",
        "co_handlers",
        "attachments",
        "extension_requests",
        "suspensions",
        "callbacks",
    ):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "0",
            }
        )
    return data


def test_cases_cannot_be_added_or_deleted_and_the_timeline_not_edited(client, world, full):
    client.force_login(world.admin)
    assert client.get(admin_url(Case, "add")).status_code == 403
    assert client.post(admin_url(Case, "delete", full.pk), {"post": "yes"}).status_code == 403
    event = full.events.first()
    response = client.post(admin_url(CaseEvent, "change", event.pk), {"note": "改写历史"})
    assert response.status_code == 403
    assert CaseEvent.objects.get(pk=event.pk).note == event.note
    assert Case.objects.filter(pk=full.pk).exists()


def test_the_reporters_personal_data_is_masked(client, world, full):
    client.force_login(world.admin)
    for url in (admin_url(Case, "changelist"), admin_url(Case, "change", full.pk)):
        html = client.get(url).content.decode()
        assert "马秀兰" not in html and "13900001111" not in html
    html = client.get(admin_url(Case, "change", full.pk)).content.decode()
    assert "马**" in html and "139****1111" in html


def test_personal_data_is_revealed_only_through_the_audited_action(client, world, full):
    client.force_login(world.admin)
    html = client.get(admin_url(Case, "change", full.pk)).content.decode()
    unmask = admin_url(Case, "unmask", full.pk)
    assert unmask in html and "马秀兰" not in html
    response = client.post(
        unmask, {"unmask_fields": ["reporter_name", "reporter_phone"], "reason": "回访核实"}
    )
    assert response.status_code == 200
    assert "马秀兰" in response.content.decode()
    assert AuditLog.objects.filter(action="unmask", actor=world.admin).count() == 1


def test_staff_see_only_the_cases_in_their_scope(client, world, full):
    w = world
    other = report(w, point=w.other_point, title="平安区路灯")
    staff = w.dispatcher
    staff.is_staff = True
    staff.save()
    for model in ("case", "caseevent", "callback"):
        staff.user_permissions.add(Permission.objects.get(codename=f"view_{model}"))
    client.force_login(staff)
    html = client.get(admin_url(Case, "changelist")).content.decode()
    assert full.number in html and other.number not in html
    assert client.get(admin_url(Case, "change", other.pk)).status_code == 302  # not found
    html = client.get(admin_url(CaseEvent, "changelist")).content.decode()
    assert full.number in html and other.number not in html


def test_reference_data_is_editable(client, world):
    client.force_login(world.admin)
    rule = RoutingRule.objects.first()
    response = client.post(
        admin_url(RoutingRule, "change", rule.pk),
        {
            "category": rule.category_id,
            "level": "township",
            "department_function": "",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.level == "township"
    policy = ChannelPolicy.objects.get(channel="quick_report")
    response = client.post(
        admin_url(ChannelPolicy, "change", policy.pk),
        {"channel": "quick_report", "auto_accept": "on"},
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.auto_accept and not policy.auto_dispatch
