"""An operator fields a survey call in a real Chromium: from the menu to the calling list,
reveals the number to dial (audited), records a no-answer, then on the next call the
answers, and the member leaves the list."""

import pytest

from gongzhi.core.models import AuditLog
from gongzhi.surveys import services
from gongzhi.surveys.models import Response, SampleMember
from tests.surveys.conftest import fielded
from tests.web.phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_fields_a_call_through_the_form(page, sv):
    w = sv
    wave = fielded(w, w.nianbo, per_township=1)
    member = SampleMember.objects.get(wave=wave)
    questions = services.questions_of(wave)
    log_in(page, w.operator.username, w.password)

    page.click("[data-testid=nav-survey-calls]")
    page.wait_for_selector("[data-testid=calling-list]")
    page.click(f"[data-testid=call-{member.pk}]")
    page.wait_for_selector("[data-testid=call-form]")
    assert member.phone not in page.content()
    page.click("[data-testid=reveal-phone]")
    page.wait_for_selector("[data-testid=revealed-phone]")
    assert page.locator("[data-testid=revealed-phone]").inner_text() == member.phone
    assert AuditLog.objects.filter(action="unmask", object_id=str(member.pk)).count() == 1

    page.check("[data-testid=outcome-no_answer]")
    page.click("[data-testid=save-call]")
    page.wait_for_selector("[data-testid=calling-list]")
    member.refresh_from_db()
    assert (member.state, member.attempts) == ("no_answer", 1)

    page.click(f"[data-testid=call-{member.pk}]")
    page.check("[data-testid=outcome-answered]")
    # Forgetting a question keeps the form, with what was chosen.
    for question in questions[:-1]:
        page.locator(f"[data-question='{question.pk}'] label", has_text="基本").first.click()
    page.click("[data-testid=save-call]")
    page.wait_for_selector("[data-testid=call-error]")
    assert not Response.objects.exists()
    page.locator(f"[data-question='{questions[-1].pk}'] label", has_text="很满意").click()
    page.click("[data-testid=save-call]")
    page.wait_for_selector("[data-testid=calling-list]")
    assert f'data-member="{member.pk}"' not in page.content()
    response = Response.objects.get(member=member)
    scores = sorted(response.answers.values_list("score", flat=True))
    assert scores == [60] * (len(questions) - 1) + [100]
