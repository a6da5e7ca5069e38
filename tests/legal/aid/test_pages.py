"""The legal-aid pages as their users take them: a resident applies (errors inline, in
Chinese) and follows the application; each desk lists only what its user may see; a refused
action shows a Chinese error and changes nothing; personal data shown masked, revealed with
an audit entry."""

import pytest
from django.urls import reverse

from gongzhi.legal.aid.choices import State
from gongzhi.legal.models import Application, ResidentProfile

from .conftest import id_number, photo

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def fresh(app):
    return Application.objects.get(pk=app.pk)


def test_a_resident_applies_and_sees_it_in_my_applications(client, aid):
    w = aid
    ResidentProfile.objects.create(user=w.resident, region=w.regions.xiguan)
    login(client, w.resident)
    page = client.get(reverse("legal:aid_apply"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "申请法律援助" in html or "legal aid" in html.lower()
    assert f'value="{w.regions.xiguan.pk}" selected' in html  # village from the profile
    answer = client.post(
        reverse("legal:aid_apply"),
        {
            "name": "马秀兰",
            "id_number": id_number(),
            "phone": "13900001111",
            "matter_type": w.wages.pk,
            "summary": "老板拖欠三个月工资共计一万二千元，多次讨要未果。",
            "opposing_party": "某建筑公司",
            "region": w.regions.xiguan.pk,
            "household_size": 3,
            "monthly_income_per_head": "800",
            "flags": ["migrant_worker"],
            "pledge": "on",
            "documents": [photo("id.png")],
        },
    )
    app = Application.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"/aid/{app.number}/")
    assert app.applicant == w.resident and app.documents.count() == 1
    assert app.flags == ["migrant_worker"]
    mine = client.get(reverse("legal:aid_mine")).content.decode()
    assert app.number in mine and 'data-state="submitted"' in mine


def test_errors_are_shown_inline_and_nothing_is_made(client, aid):
    w = aid
    login(client, w.resident)
    answer = client.post(
        reverse("legal:aid_apply"),
        {"name": "马秀兰", "id_number": "123", "summary": "短", "household_size": 1},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'data-testid="error-matter_type"' in html
    assert not Application.objects.exists()
    # With the type chosen, the service's own checks come back inline too.
    answer = client.post(
        reverse("legal:aid_apply"),
        {
            "name": "马秀兰",
            "id_number": "123",
            "matter_type": w.wages.pk,
            "region": w.regions.xiguan.pk,
            "summary": "短",
            "household_size": 1,
        },
    )
    html = answer.content.decode()
    for field in ("id_number", "summary", "pledge"):
        assert f'data-testid="error-{field}"' in html, field
    assert not Application.objects.exists()


def test_staff_enter_an_application_for_a_walk_in_person(client, aid):
    w = aid
    login(client, w.reviewer)
    answer = client.post(
        reverse("legal:aid_apply") + "?for=other",
        {
            "for": "other",
            "name": "韩正义",
            "id_number": id_number(seq="456"),
            "phone": "13800002222",
            "address": "乐都区碾伯镇西关街3号",
            "service_point": w.centre_point.pk,
            "matter_type": w.maintenance.pk,
            "summary": "子女不支付赡养费，老人生活无着。",
            "region": w.regions.xiguan.pk,
            "household_size": 1,
        },
    )
    app = Application.objects.get()
    assert answer.status_code == 302 and app.applicant is None and app.entered_by == w.reviewer
    html = client.get(reverse("legal:aid_detail", args=[app.number])).content.decode()
    assert "13800002222" not in html and "138****2222" in html
    # The resident may not enter for others.
    login(client, w.resident)
    assert client.get(reverse("legal:aid_apply") + "?for=other").status_code == 403


def test_each_desk_lists_only_what_its_user_may_see(client, aid):
    w = aid
    mine = w.apply()
    other = w.apply(w.other_resident, id_number=id_number(seq="777"), name="韩梅")
    assigned = w.act(w.act(other, "grant", w.director), "assign", w.director, lawyer=w.lawyer.pk)
    refused = w.act(
        w.apply(id_number=id_number(seq="888")), "refuse", w.director, reason="收入超过标准"
    )

    def numbers(user, name, **query):
        login(client, user)
        page = client.get(reverse(f"legal:{name}"), query)
        assert page.status_code == 200, (user, name)
        html = page.content.decode()
        return {a.number for a in (mine, assigned, refused) if a.number in html}

    assert numbers(w.resident, "aid_mine") == {mine.number, refused.number}
    assert numbers(w.other_resident, "aid_mine") == {assigned.number}
    assert numbers(w.reviewer, "aid_desk", queue="all") == {
        mine.number,
        assigned.number,
        refused.number,
    }
    assert numbers(w.reviewer, "aid_desk", queue="new") == {mine.number}
    assert numbers(w.other_reviewer, "aid_desk", queue="all") == set()
    assert numbers(w.lawyer, "aid_lawyer") == {assigned.number}
    assert numbers(w.other_lawyer, "aid_lawyer") == set()
    assert numbers(w.bureau_staff, "aid_objections") == {refused.number}
    # Pages that are not theirs.
    for user, name in (
        (w.resident, "aid_desk"),
        (w.resident, "aid_objections"),
        (w.resident, "aid_lawyer"),
        (w.lawyer, "aid_desk"),
    ):
        login(client, user)
        assert client.get(reverse(f"legal:{name}")).status_code == 403, (user, name)
    # Another's application is not found at all.
    login(client, w.other_resident)
    assert client.get(reverse("legal:aid_detail", args=[mine.number])).status_code == 404
    login(client, w.other_reviewer)
    assert client.get(reverse("legal:aid_detail", args=[mine.number])).status_code == 404


def test_a_refused_action_shows_a_chinese_error_and_changes_nothing(client, aid):
    w = aid
    app = w.apply()
    login(client, w.director)
    # A refusal without a reason.
    answer = client.post(
        reverse("legal:aid_act", args=[app.number, "refuse"]),
        {"expected_state": app.state, "reason": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 400
    assert 'data-testid="action-error"' in answer.content.decode()
    assert fresh(app).state == State.SUBMITTED and fresh(app).decided_at is None
    # A decision on an application whose documents are awaited.
    w.act(app, "request_documents", w.reviewer, items=["工资条"])
    answer = client.post(
        reverse("legal:aid_act", args=[app.number, "grant"]),
        {"expected_state": State.AWAITING_DOCUMENTS},
    )
    assert answer.status_code in (400, 403)
    assert 'data-testid="action-error"' in answer.content.decode()
    assert fresh(app).state == State.AWAITING_DOCUMENTS
    # The reviewer may not grant.
    login(client, w.reviewer)
    answer = client.post(reverse("legal:aid_act", args=[app.number, "grant"]), {})
    assert answer.status_code == 403 and fresh(app).state == State.AWAITING_DOCUMENTS
    # The error is written in Chinese.
    login(client, w.director)
    answer = client.post(
        reverse("legal:aid_act", args=[app.number, "refuse"]),
        {"expected_state": State.AWAITING_DOCUMENTS, "reason": "x"},
    )
    message = answer.content.decode().split('data-testid="action-error"')[1][:400]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_documents_requested_then_uploaded_by_the_resident(client, aid):
    w = aid
    app = w.act(w.apply(), "request_documents", w.reviewer, items=["劳动合同", "欠薪证明"])
    login(client, w.resident)
    html = client.get(reverse("legal:aid_mine")).content.decode()
    assert "劳动合同" in html and "欠薪证明" in html and 'data-testid="upload-form"' in html
    answer = client.post(
        reverse("legal:aid_upload", args=[app.number]),
        {"file": [photo("a.png"), photo("b.png")], "complete": "1"},
    )
    assert answer.status_code == 302
    app = fresh(app)
    assert app.state == State.UNDER_REVIEW and app.documents.count() == 2
    # The document is served to those who see the application, no one else.
    doc = app.documents.first()
    assert client.get(reverse("legal:aid_document", args=[doc.pk])).status_code == 200
    login(client, w.other_resident)
    assert client.get(reverse("legal:aid_document", args=[doc.pk])).status_code == 404


def test_personal_data_masked_and_the_reveal_audited(client, aid):
    from gongzhi.core.models import AuditLog as Audit

    w = aid
    app = w.apply()
    login(client, w.reviewer)
    html = client.get(reverse("legal:aid_detail", args=[app.number])).content.decode()
    assert app.id_number not in html and "13900001111" not in html
    before = Audit.objects.count()
    answer = client.post(reverse("legal:aid_reveal", args=[app.number]))
    # The legal-aid centre checks identity: its staff unmask the ID number too.
    assert answer.status_code == 200 and "13900001111" in answer.content.decode()
    assert app.id_number in answer.content.decode()
    assert Audit.objects.count() == before + 1
    login(client, w.lawyer)  # not assigned: does not see the application at all
    login(client, w.other_resident)
    assert client.post(reverse("legal:aid_reveal", args=[app.number])).status_code == 404


def test_the_action_forms_follow_the_table(client, aid):
    w = aid
    app = w.apply()
    login(client, w.reviewer)
    html = client.get(reverse("legal:aid_detail", args=[app.number])).content.decode()
    assert 'data-testid="action-request_documents"' in html
    assert 'data-testid="action-grant"' not in html
    login(client, w.director)
    html = client.get(reverse("legal:aid_detail", args=[app.number])).content.decode()
    assert 'data-testid="action-grant"' in html and 'data-testid="action-refuse"' in html
    answer = client.post(
        reverse("legal:aid_act", args=[app.number, "grant"]), {"expected_state": app.state}
    )
    assert answer.status_code == 302 and fresh(app).state == State.GRANTED
    html = client.get(reverse("legal:aid_detail", args=[app.number])).content.decode()
    assert 'data-testid="action-assign"' in html and w.lawyer.username in html
    client.post(
        reverse("legal:aid_act", args=[app.number, "assign"]),
        {"expected_state": State.GRANTED, "lawyer": w.lawyer.pk},
    )
    assert fresh(app).lawyer == w.lawyer


def test_a_mediator_starts_an_application_from_a_dispute(client, aid):
    from gongzhi.accounts.models import Role
    from gongzhi.mediation.models import DisputeType
    from tests.factories import UserFactory
    from tests.mediation.conftest import register
    from tests.mediation.conftest import seeded_reference as mediation_reference

    w = aid
    mediation_reference()
    assert DisputeType.objects.filter(code="neighbour").exists()
    mediator = UserFactory(username="med", organisation=w.community, role=Role.MEDIATOR)
    dispute = register(w, actor=mediator, title="拖欠工资纠纷", facts="老板拖欠工资三个月未付")
    login(client, mediator)
    page = client.get(reverse("legal:aid_apply"), {"dispute": dispute.number})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="from-dispute"' in html
    assert "老板拖欠工资三个月未付" in html and 'name="for" value="other"' in html
    answer = client.post(
        reverse("legal:aid_apply") + f"?dispute={dispute.number}",
        {
            "for": "other",
            "dispute": dispute.number,
            "name": "马福贵",
            "id_number": id_number(seq="999"),
            "matter_type": w.wages.pk,
            "summary": "拖欠工资纠纷：老板拖欠工资三个月未付，调解未成。",
            "region": w.regions.xiguan.pk,
            "household_size": 2,
            "service_point": w.xiguan_point.pk,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    app = Application.objects.get()
    assert app.dispute == dispute and app.entered_by == mediator


def test_the_desk_queues(client, aid):
    import datetime as dt

    from django.utils import timezone

    w = aid
    late = w.apply(now=timezone.now() - dt.timedelta(days=20))
    urgent = w.apply(
        id_number=id_number(seq="555"),
        matter_deadline=timezone.localdate() + dt.timedelta(days=3),
        matter_deadline_kind="limitation",
    )
    waiting = w.act(
        w.apply(id_number=id_number(seq="666")), "request_documents", w.reviewer, items=["户口簿"]
    )
    granted = w.act(w.apply(id_number=id_number(seq="676")), "grant", w.director)
    login(client, w.reviewer)

    def queue(name):
        html = client.get(reverse("legal:aid_desk"), {"queue": name}).content.decode()
        return {a.number for a in (late, urgent, waiting, granted) if a.number in html}

    assert late.number in queue("overdue") and urgent.number not in queue("overdue")
    assert queue("urgent") == {urgent.number}
    assert queue("documents") == {waiting.number}
    assert queue("assign") == {granted.number}
    assert queue("new") == {late.number, urgent.number}
