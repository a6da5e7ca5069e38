"""案件转纠纷 as a dispatcher meets it: the open dispute cases of their area waiting to be
converted, the form with the dispute type suggested and the parties' rows, one conversion
leading to the new dispute's page, and a second try refused with nothing doubled."""

import re

import pytest
from django.urls import reverse

from gongzhi.cases.models import CaseEvent
from gongzhi.mediation.models import Dispute, Party
from gongzhi.taxonomy.models import Category
from tests.factories import move, report_case

pytestmark = pytest.mark.django_db

CASE_ROW = re.compile(r'data-testid="case-row" data-number="([A-Z]+-\d{8}-\d{6})"')


@pytest.fixture
def noisy(villages):
    """A resident's report of a neighbour's night-time renovation (a 邻里纠纷 case) and one
    of a missing manhole cover (no dispute)."""
    w = villages
    w.category = Category.objects.get(full_name="矛盾纠纷 / 邻里纠纷")
    w.case = report_case(
        w,
        w.category,
        title="楼上邻居夜间装修噪音",
        description="楼上邻居连续一周夜间装修，多次沟通无果，双方已发生口角",
        expect_new=True,
    )
    w.manhole_case = report_case(
        w, w.manhole, title="井盖丢失", description="人行道井盖丢失", expect_new=True
    )
    return w


def listed(response) -> list[str]:
    assert response.status_code == 200
    return CASE_ROW.findall(response.content.decode())


def comments(case) -> int:
    return CaseEvent.objects.filter(case=case, action="comment").count()


def convert_data(w, **overrides) -> dict:
    data = {
        "type": str(w.neighbour.pk),
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "30",
        "parties-0-side": "applicant",
        "parties-0-kind": "person",
        "parties-0-name": "马秀兰",
        "parties-0-phone": "13900001111",
        "parties-0-claims": "要求晚八点后停止施工",
        "parties-0-people": "1",
        "parties-0-petitions": "0",
        "parties-1-side": "respondent",
        "parties-1-kind": "person",
        "parties-1-name": "韩成林",
        "parties-1-people": "1",
        "parties-1-petitions": "0",
    }
    data.update(overrides)
    return data


def convert_url(case) -> str:
    return reverse("mediation:convert_case", args=[case.number])


def test_the_pages_open_for_dispatchers_and_leaders_only(client, noisy):
    w = noisy
    queue, form = reverse("mediation:convert_queue"), convert_url(w.case)
    assert client.get(queue).status_code == 302  # to the login page
    for name in ("dispatcher", "leader", "township_leader"):
        client.force_login(getattr(w, name))
        assert listed(client.get(queue)) == [w.case.number], name
        assert client.get(form).status_code == 200, name
    for name in ("resident", "grid_worker", "village_mediator", "handler"):
        client.force_login(getattr(w, name))
        assert client.get(queue).status_code == 403, name
        assert client.get(form).status_code == 403, name
        assert client.post(form, convert_data(w)).status_code == 403, name
    client.force_login(w.other_dispatcher)  # the county next door sees none of it
    assert listed(client.get(queue)) == []
    assert client.get(form).status_code == 404
    assert not Dispute.objects.exists() and comments(w.case) == 0


def test_the_menu_offers_the_page_to_dispatchers_only(client, noisy):
    w = noisy
    url = reverse("mediation:convert_queue")
    for name, shown in [("dispatcher", True), ("grid_worker", False), ("village_mediator", False)]:
        client.force_login(getattr(w, name))
        menu = client.get(reverse("home"), follow=True).content.decode()
        assert (f'href="{url}"' in menu) is shown, name


def test_the_list_filters_by_words(client, noisy):
    w = noisy
    client.force_login(w.dispatcher)
    queue = reverse("mediation:convert_queue")
    assert listed(client.get(queue, {"q": "装修"})) == [w.case.number]
    assert listed(client.get(queue, {"q": "拆迁"})) == []
    assert listed(client.get(queue, {"category": str(w.category.pk)})) == [w.case.number]


def test_a_dispatcher_converts_a_case_through_the_page_once(client, noisy):
    w = noisy
    client.force_login(w.dispatcher)
    form = client.get(convert_url(w.case)).content.decode()
    assert f'<option value="{w.neighbour.pk}" selected>' in form  # suggested by the category
    assert 'data-testid="convert-form"' in form

    response = client.post(convert_url(w.case), convert_data(w))
    d = Dispute.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("mediation:detail", args=[d.number])
    assert (d.source, d.source_ref, d.type, d.registered_by) == (
        "case",
        w.case.number,
        w.neighbour,
        w.dispatcher,
    )
    assert sorted(d.parties.values_list("side", "name")) == [
        ("applicant", "马秀兰"),
        ("respondent", "韩成林"),
    ]
    assert comments(w.case) == 1
    assert listed(client.get(reverse("mediation:convert_queue"))) == []  # no longer waiting

    again = client.post(convert_url(w.case), convert_data(w))
    assert again.status_code == 409
    page = again.content.decode()
    assert 'data-testid="convert-blocked"' in page and d.number in page
    assert 'data-testid="convert-form"' not in page
    assert Dispute.objects.count() == 1 and Party.objects.count() == 2
    assert comments(w.case) == 1

    blocked = client.get(convert_url(w.case))  # said before the form is filled in again
    assert blocked.status_code == 409
    page = blocked.content.decode()
    assert 'data-testid="convert-blocked"' in page and 'data-testid="convert-form"' not in page


@pytest.mark.parametrize(
    "overrides, shown_beside",
    [
        ({"type": ""}, 'data-testid="error-type"'),
        ({"parties-1-name": ""}, 'data-testid="form-error"'),  # nobody on the other side
        ({"parties-0-phone": "12345"}, 'data-testid="party-error"'),
    ],
)
def test_a_bad_conversion_shows_why_and_changes_nothing(client, noisy, overrides, shown_beside):
    w = noisy
    client.force_login(w.dispatcher)
    response = client.post(convert_url(w.case), convert_data(w, **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert shown_beside in page and 'data-testid="form-error"' in page
    assert "要求晚八点后停止施工" in page  # what was typed is kept
    assert not Dispute.objects.exists() and comments(w.case) == 0


def test_cases_that_cannot_become_disputes_are_refused(client, noisy):
    w = noisy
    client.force_login(w.dispatcher)
    other_kind = client.post(convert_url(w.manhole_case), convert_data(w))
    assert other_kind.status_code == 400
    assert 'data-testid="convert-blocked"' in other_kind.content.decode()
    assert (
        'data-testid="convert-blocked"' in client.get(convert_url(w.manhole_case)).content.decode()
    )
    move(w.case, "reject", w.dispatcher, reason="重复反映")
    assert client.post(convert_url(w.case), convert_data(w)).status_code == 400
    assert listed(client.get(reverse("mediation:convert_queue"))) == []  # ended: not listed
    assert not Dispute.objects.exists()
