"""Who sees which question; answering, anonymising and publishing to the knowledge base."""

import pytest

from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.legal.advice import services
from gongzhi.legal.models import KnowledgeEntry, Question
from gongzhi.notify.models import Notification

TEXT = (
    "我叫马秀兰，电话13900001111，身份证630202199001011234，住在西关社区建设路12号。"
    "邻居王老板的车青B12345撞坏了我家院墙，他不赔，我该怎么办？"
)
ANSWER = "可以要求对方赔偿修复院墙的费用，协商不成可申请人民调解或向法院起诉。"


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def test_each_sees_only_what_is_theirs(advice):
    w = advice
    q = services.do_ask(user=w.resident, text=TEXT, region=w.regions.xiguan)
    sees = lambda user: set(Question.objects.visible_to(user).values_list("pk", flat=True))  # noqa: E731
    assert q.pk in sees(w.resident)  # the asker
    assert q.pk in sees(w.adviser)  # the lawyer it is routed to
    assert q.pk in sees(w.reviewer)  # the county's legal-aid centre (oversight)
    for other in (w.other_resident, w.other_lawyer, w.other_reviewer, w.notary):
        assert q.pk not in sees(other)
    with pytest.raises(NotFound):
        services.do_rate(user=w.other_resident, question_id=q.pk, rating=5)


def test_only_the_routed_lawyer_answers_and_only_once(advice):
    w = advice
    q = services.do_ask(user=w.resident, text=TEXT, region=w.regions.xiguan)
    with pytest.raises(NotAllowed):
        services.do_answer(user=w.reviewer, question_id=q.pk, answer=ANSWER)
    with pytest.raises(ServiceError) as caught:
        services.do_answer(user=w.adviser, question_id=q.pk, answer="看情况")
    assert caught.value.field == "answer"
    services.do_answer(user=w.adviser, question_id=q.pk, answer=ANSWER)
    with pytest.raises(ServiceError):
        services.do_answer(user=w.adviser, question_id=q.pk, answer=ANSWER)


def test_the_published_entry_has_no_personal_details(advice, act):
    w = advice
    q = act(services.do_ask, user=w.resident, text=TEXT, region=w.regions.xiguan)
    draft = services.public_draft(q)
    act(services.do_answer, user=w.adviser, question_id=q.pk, answer=ANSWER)
    entry = KnowledgeEntry.objects.get(question=q)
    for secret in (
        "马秀兰",
        "秀兰",
        "13900001111",
        "630202199001011234",
        "建设路12号",
        "青B12345",
        "西关社区",
        "王老板",
    ):
        assert secret not in entry.body and secret not in entry.title, secret
    assert entry.body == draft
    assert "院墙" in entry.body  # the matter itself stays
    # the asker is told, sees the answer and may rate it
    assert Notification.objects.filter(recipient=w.resident, kind="legal.advice_answered").exists()
    services.do_rate(user=w.resident, question_id=q.pk, rating=5, note="很清楚")
    assert Question.objects.get(pk=q.pk).rating == 5
    with pytest.raises(ServiceError):
        services.do_rate(user=w.resident, question_id=q.pk, rating=9)


def test_what_the_lawyer_edits_is_scrubbed_again_and_may_stay_unpublished(advice):
    w = advice
    q = services.do_ask(user=w.resident, text=TEXT, region=w.regions.xiguan)
    services.do_answer(
        user=w.adviser,
        question_id=q.pk,
        answer=ANSWER,
        public_text="邻居的车撞坏院墙不赔怎么办？联系13900001111",
        title="邻居的车撞坏院墙",
    )
    entry = KnowledgeEntry.objects.get(question=q)
    assert entry.title == "邻居的车撞坏院墙" and "13900001111" not in entry.body
    q2 = services.do_ask(user=w.resident, text=TEXT, region=w.regions.xiguan)
    services.do_answer(user=w.adviser, question_id=q2.pk, answer=ANSWER, publish=False)
    assert not KnowledgeEntry.objects.filter(question=q2).exists()
