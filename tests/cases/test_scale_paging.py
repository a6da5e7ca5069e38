"""Issue 25: lists that cost the same at any table size. The queue and the API list count
no further than a bound (and say "more than"), and the API's keyset paging (``after=``)
hands every case out exactly once while new cases keep coming in."""

import pytest
from django.utils import timezone
from django.utils.translation import override

from gongzhi.cases import queries
from gongzhi.cases.models import Case
from gongzhi.demo import grow
from tests.factories import report_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(world):
    grow.generate(120, days=60, now=timezone.now(), seed=5)
    return Case.objects.count()


def test_the_queue_counts_up_to_the_bound_and_says_more(client, world, many, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_LIMIT", 30)
    client.force_login(world.city_dispatcher)
    with override("zh-hans"):
        html = client.get("/cases/").content.decode()
    assert 'data-capped="true"' in html and 'data-count="30"' in html
    closed = Case.objects.visible_to(world.city_dispatcher).filter(state="closed").count()
    assert closed > 30
    assert 'data-testid="count-closed">30+<' in html
    # A chip under the bound still shows its exact count.
    rejected = Case.objects.visible_to(world.city_dispatcher).filter(state="rejected").count()
    assert rejected < 30 and f'data-testid="count-rejected">{rejected}<' in html

    # Under the bound, the exact count as before.
    monkeypatch.setattr(queries, "COUNT_LIMIT", 10_000)
    html = client.get("/cases/").content.decode()
    visible = Case.objects.visible_to(world.city_dispatcher).count()
    assert f'data-count="{visible}"' in html and "data-capped" not in html


def test_the_api_count_is_bounded_and_said_so(client, world, many, monkeypatch):
    client.force_login(world.city_dispatcher)
    answer = client.get("/api/v1/cases")
    visible = Case.objects.visible_to(world.city_dispatcher).count()
    assert answer.json()["count"] == visible and "X-Count-Capped" not in answer
    monkeypatch.setattr(queries, "COUNT_LIMIT", 40)
    answer = client.get("/api/v1/cases")
    assert answer.json()["count"] == 40 and answer["X-Count-Capped"] == "true"


def test_keyset_paging_gives_every_case_once_while_cases_are_added(client, world, many):
    client.force_login(world.city_dispatcher)
    before = set(Case.objects.visible_to(world.city_dispatcher).values_list("number", flat=True))
    seen: list[str] = []
    after = None
    added = 0
    for _page in range(40):  # 125 cases and a few more, 25 a page: never this many pages
        params = {"page_size": 25, **({"after": after} if after else {})}
        answer = client.get("/api/v1/cases", params)
        assert answer.status_code == 200, answer.content
        items = [row["number"] for row in answer.json()["items"]]
        if not items:
            break
        seen += items
        after = items[-1]
        # New reports between the pages: newer than every case read so far.
        report_case(world, world.manhole, title=f"翻页时新报的事项{added}")
        added += 1
    else:
        pytest.fail("the pages never ended")
    assert added >= 5
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


def test_after_refuses_what_it_cannot_page(client, world, many):
    client.force_login(world.city_dispatcher)
    answer = client.get("/api/v1/cases", {"after": "HD-19990101-000001"})
    assert answer.status_code == 400 and answer.json()["error"] == "unknown_case"
    number = Case.objects.first().number
    answer = client.get("/api/v1/cases", {"after": number, "ordering": "deadline"})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_after"
    # A case out of the viewer's sight is no bookmark either.
    hidden = report_case(world, world.manhole, point=world.other_point)
    client.force_login(world.dispatcher)
    assert not Case.objects.visible_to(world.dispatcher).filter(pk=hidden.pk).exists()
    answer = client.get("/api/v1/cases", {"after": hidden.number})
    assert answer.status_code == 400 and answer.json()["error"] == "unknown_case"
