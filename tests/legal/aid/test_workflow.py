"""The legal-aid workflow by role, allowed and refused, through the services the pages and
the API call: a refused step says why and changes nothing."""

import pytest

from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.legal.aid import services
from gongzhi.legal.aid.choices import AdvanceReview, DocumentKind, State, Termination
from gongzhi.legal.models import AidProgress, Application

from .conftest import pdf, photo

pytestmark = pytest.mark.django_db


def fresh(app):
    return Application.objects.get(pk=app.pk)


def test_a_whole_aid_from_application_to_rating(aid):
    w = aid
    app = w.apply()
    assert app.number.startswith("FY") and len(app.number) == 13
    assert app.state == State.SUBMITTED and app.hardship == "meets"
    app = w.act(app, "request_documents", w.reviewer, items=["劳动合同或工资条", "欠薪证明"])
    assert app.state == State.AWAITING_DOCUMENTS and app.missing_items == [
        "劳动合同或工资条",
        "欠薪证明",
    ]
    services.do_upload(
        application=app, actor=w.resident, upload=photo(), kind=DocumentKind.SUPPLEMENT
    )
    app = w.act(fresh(app), "supply_documents", w.resident)
    assert app.state == State.UNDER_REVIEW
    app = w.act(app, "grant", w.director)
    assert app.state == State.GRANTED and app.assign_due is not None
    app = w.act(app, "assign", w.director, lawyer=w.lawyer.pk)
    assert app.state == State.ASSIGNED and app.lawyer == w.lawyer
    app = w.act(app, "record_progress", w.lawyer, kind="hearing", note="一审开庭，对方同意调解")
    assert AidProgress.objects.filter(application=app, kind="hearing").count() == 1
    app = w.act(app, "conclude", w.lawyer, outcome="调解结案，追回工资一万二千元")
    assert app.state == State.CONCLUDED
    with pytest.raises(ServiceError) as err:
        w.act(app, "close", w.lawyer)
    assert err.value.code == "no_file"
    services.do_upload(application=app, actor=w.lawyer, upload=pdf(), kind=DocumentKind.CLOSING)
    app = w.act(fresh(app), "close", w.lawyer)
    assert app.state == State.CLOSED
    app = w.act(app, "rate", w.resident, rating=5, comment="律师很负责")
    assert app.rating == 5
    with pytest.raises(ServiceError) as err:
        w.act(app, "rate", w.resident, rating=4)
    assert err.value.code == "already_rated" and fresh(app).rating == 5
    actions = list(app.events.values_list("action", flat=True))
    assert actions[0] == "apply" and actions[-1] == "rate"


@pytest.mark.parametrize(
    "action, who, params",
    [
        ("request_documents", "resident", {"items": ["x证明"]}),
        ("request_documents", "lawyer", {"items": ["x证明"]}),
        ("request_documents", "other_reviewer", {"items": ["x证明"]}),
        ("grant", "reviewer", {}),
        ("grant", "resident", {}),
        ("grant", "bureau_staff", {}),
        ("refuse", "reviewer", {"reason": "收入超过标准"}),
        ("withdraw", "reviewer", {}),
        ("assign", "director", {"lawyer": 1}),
        ("uphold", "bureau_staff", {"reason": "理由"}),
    ],
)
def test_who_may_not_take_a_step(aid, action, who, params):
    w = aid
    app = w.apply()
    before = list(Application.objects.filter(pk=app.pk).values())
    with pytest.raises((NotAllowed, NotFound)):
        w.act(app, action, getattr(w, who), **params)
    assert list(Application.objects.filter(pk=app.pk).values()) == before
    assert app.events.count() == 1


def test_documents_are_requested_once_listing_all_of_them(aid):
    w = aid
    app = w.apply()
    with pytest.raises(ServiceError) as err:
        w.act(app, "request_documents", w.reviewer, items=[])
    assert err.value.field == "items"
    app = w.act(app, "request_documents", w.reviewer, items="身份证复印件\n欠条")
    assert app.missing_items == ["身份证复印件", "欠条"]
    with pytest.raises(ServiceError) as err:
        w.act(app, "supply_documents", w.resident)
    assert err.value.code == "no_documents"
    services.do_upload(application=app, actor=w.resident, upload=photo())
    app = w.act(fresh(app), "supply_documents", w.resident)
    with pytest.raises(ServiceError) as err:
        w.act(app, "request_documents", w.reviewer, items=["再要一份"])
    assert err.value.code == "already_requested"
    assert fresh(app).state == State.UNDER_REVIEW


def test_a_decision_on_an_incomplete_application_is_refused_and_changes_nothing(aid):
    w = aid
    app = w.apply()
    app = w.act(app, "request_documents", w.reviewer, items=["欠薪证明"])
    for action, params in (("grant", {}), ("refuse", {"reason": "材料不全"})):
        with pytest.raises(ServiceError) as err:
            w.act(app, action, w.director, **params)
        assert err.value.code == "incomplete" and "欠薪证明" in err.value.message
        assert fresh(app).state == State.AWAITING_DOCUMENTS and fresh(app).decided_at is None
    # no pledge (entered at a service point, not yet signed)
    other = w.apply(w.reviewer, on_behalf=True, pledge=False)
    with pytest.raises(ServiceError) as err:
        w.act(other, "grant", w.director)
    assert err.value.code == "incomplete" and err.value.field == "pledge"
    assert fresh(other).state == State.SUBMITTED
    services.do_update_hardship(application=other, actor=w.reviewer, pledge=True)
    assert w.act(fresh(other), "grant", w.director).state == State.GRANTED


def test_a_refusal_needs_its_reason_and_is_objected_to_the_bureau(aid):
    w = aid
    app = w.apply()
    with pytest.raises(ServiceError) as err:
        w.act(app, "refuse", w.director, reason=" ")
    assert err.value.field == "reason" and fresh(app).state == State.SUBMITTED
    app = w.act(app, "refuse", w.director, reason="不属于法律援助事项范围")
    assert app.state == State.REFUSED and app.refusal_reason and app.objection_window_ends
    with pytest.raises(NotFound):
        w.act(app, "object", w.other_resident, reason="不服")
    app = w.act(app, "object", w.resident, reason="属于追索劳动报酬，应当援助")
    assert app.state == State.OBJECTED and app.objection_due
    with pytest.raises((NotAllowed, NotFound)):
        w.act(app, "order_aid", w.director, reason="x理由")
    app = w.act(app, "order_aid", w.bureau_staff, reason="申请事项属于劳动报酬，应予援助")
    assert app.state == State.GRANTED and app.assign_due


def test_the_bureau_upholds_and_no_second_objection(aid):
    w = aid
    app = w.act(w.apply(), "refuse", w.director, reason="经济状况不符合")
    app = w.act(app, "object", w.resident, reason="家庭困难")
    app = w.act(app, "uphold", w.bureau_staff, reason="经核查收入超标")
    assert app.state == State.REFUSED
    with pytest.raises(ServiceError) as err:
        w.act(app, "object", w.resident, reason="再次异议")
    assert err.value.code == "already_objected"


def test_income_above_the_standard_cannot_be_granted(aid):
    w = aid
    app = w.apply(monthly_income_per_head="5000")
    assert app.hardship == "exceeds"
    with pytest.raises(ServiceError) as err:
        w.act(app, "grant", w.director)
    assert err.value.code == "not_eligible"
    assert w.act(app, "refuse", w.director, reason="收入高于标准").state == State.REFUSED


def test_urgent_aid_is_granted_first_and_reviewed_after(aid):
    from django.utils import timezone

    w = aid
    calm = w.apply()
    with pytest.raises(ServiceError) as err:
        w.act(calm, "grant_first", w.director)
    assert err.value.code == "not_urgent"
    soon = timezone.localdate() + __import__("datetime").timedelta(days=3)
    app = w.apply(matter_deadline=soon, matter_deadline_kind="limitation")
    assert app.urgent
    app = w.act(app, "grant_first", w.director)
    assert (
        app.state == State.GRANTED and app.advance and app.advance_review == AdvanceReview.PENDING
    )
    app = w.act(app, "assign", w.director, lawyer=w.lawyer.pk)
    app = w.act(app, "review_advance", w.director, confirmed=True)
    assert app.state == State.ASSIGNED and app.advance_review == AdvanceReview.CONFIRMED
    with pytest.raises(ServiceError):
        w.act(app, "review_advance", w.director, confirmed=False, reason="x")
    # marked urgent by the reviewer; then the review revokes it
    other = w.apply()
    w.act(other, "mark_urgent", w.reviewer, reason="对方即将转移财产")
    other = w.act(fresh(other), "grant_first", w.director)
    other = w.act(other, "review_advance", w.director, confirmed=False, reason="核查发现收入超标")
    assert other.state == State.TERMINATED and other.advance_review == AdvanceReview.REVOKED


def test_withdraw_while_undecided_only(aid):
    w = aid
    app = w.apply()
    assert w.act(app, "withdraw", w.resident).state == State.WITHDRAWN
    granted = w.act(w.apply(), "grant", w.director)
    with pytest.raises(NotAllowed):
        w.act(granted, "withdraw", w.resident)


def test_termination_needs_an_art_48_reason(aid):
    w = aid
    app = w.act(w.act(w.apply(), "grant", w.director), "assign", w.director, lawyer=w.lawyer.pk)
    with pytest.raises(ServiceError) as err:
        w.act(app, "terminate", w.lawyer, termination="bored", reason="不想干了")
    assert err.value.field == "termination"
    app = w.act(
        app, "terminate", w.lawyer, termination=Termination.OWN_LAWYER, reason="受援人另行委托律师"
    )
    assert app.state == State.TERMINATED and app.termination == "own_lawyer"
    with pytest.raises((NotAllowed, NotFound)):
        w.act(app, "record_progress", w.other_lawyer, note="x")


def test_assign_needs_a_lawyer_and_only_that_lawyer_acts(aid):
    w = aid
    app = w.act(w.apply(), "grant", w.director)
    with pytest.raises(ServiceError) as err:
        w.act(app, "assign", w.director, lawyer=w.resident.pk)
    assert err.value.field == "lawyer"
    app = w.act(app, "assign", w.director, lawyer=w.lawyer.pk)
    with pytest.raises((NotAllowed, NotFound)):
        w.act(app, "conclude", w.other_lawyer, outcome="结案了")
    with pytest.raises(NotAllowed):
        w.act(app, "conclude", w.director, outcome="结案了")


def test_only_the_applicant_rates_after_closing(aid):
    w = aid
    app = w.act(w.act(w.apply(), "grant", w.director), "assign", w.director, lawyer=w.lawyer.pk)
    with pytest.raises(NotAllowed):
        w.act(app, "rate", w.resident, rating=5)
    app = w.act(app, "conclude", w.lawyer, outcome="胜诉")
    services.do_upload(application=app, actor=w.lawyer, upload=pdf(), kind=DocumentKind.CLOSING)
    app = w.act(fresh(app), "close", w.director)
    with pytest.raises(NotAllowed):
        w.act(app, "rate", w.lawyer, rating=1)  # sees it, may not rate
    with pytest.raises(ServiceError) as err:
        w.act(app, "rate", w.resident, rating=9)
    assert err.value.field == "rating"
    assert w.act(app, "rate", w.resident, rating=4).rating == 4


def test_allowed_actions_are_the_buttons(aid):
    w = aid
    app = w.apply()
    assert services.allowed_actions(app, w.resident) == ["withdraw"]
    assert set(services.allowed_actions(app, w.reviewer)) == {"request_documents", "mark_urgent"}
    assert {"grant", "refuse", "grant_first"} <= set(services.allowed_actions(app, w.director))
    assert services.allowed_actions(app, w.lawyer) == []


def test_each_step_tells_the_people_concerned(aid, django_capture_on_commit_callbacks):
    from gongzhi.notify.models import Notification

    w = aid

    def kinds(user):
        return set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        app = w.apply()
    assert "legal.aid.apply" in kinds(w.reviewer) and "legal.aid.apply" in kinds(w.director)
    assert "legal.aid.apply" not in kinds(w.other_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        app = w.act(app, "refuse", w.director, reason="不符合条件")
        app = w.act(app, "object", w.resident, reason="符合条件")
        app = w.act(app, "order_aid", w.bureau_staff, reason="应予援助")
        app = w.act(app, "assign", w.director, lawyer=w.lawyer.pk)
    assert {"legal.aid.refuse", "legal.aid.order_aid", "legal.aid.assign"} <= kinds(w.resident)
    assert "legal.aid.object" in kinds(w.bureau_staff)
    assert "legal.aid.assign" in kinds(w.lawyer)
    assert "legal.aid.order_aid" in kinds(w.director)


def test_an_application_may_follow_a_failed_mediation(aid):
    from django.utils import timezone

    from gongzhi.mediation.models import Dispute, DisputeType
    from tests.mediation.conftest import seeded_reference

    w = aid
    seeded_reference()
    dispute = Dispute.objects.create(
        number="MD-20260302-0001",
        title="欠薪纠纷",
        type=DisputeType.objects.first(),
        facts="拖欠工资",
        source="walk_in",
        region=w.regions.xiguan,
        region_path=w.regions.xiguan.path,
        level="village",
        level_since=timezone.now(),
        state="failed",
    )
    app = services.do_apply(
        data=services.ApplicationIn(
            matter_type_id=w.wages.pk,
            summary="调解不成，申请法律援助追索劳动报酬。",
            region_id=w.regions.xiguan.pk,
            id_number="630202198503071239",
            pledge=True,
        ),
        actor=w.resident,
        dispute=dispute,
    )
    assert app.dispute == dispute and list(dispute.aid_applications.all()) == [app]
    assert app.name == "马秀兰" and app.phone == "13900001111"  # the account's own
