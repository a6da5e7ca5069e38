"""Issue 25, item 2, on PostgreSQL: the queue's and the API's ``q`` find cases through
indexes at a grown table (20,000 cases, after ANALYZE): a rare word through the bigram
index ``case_search``, a number's tail through ``case_number_tail``, and a common word
without a sequential scan of ``cases_case``."""

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.demo import grow

from .test_scale_explain import HOT, explained, scans
from .test_search import _stories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="query plans are PostgreSQL's question"
    ),
]

RARE = "窨井盖板松动"


@pytest.fixture
def grown(world):
    grow.generate(20_000, days=730, now=timezone.now(), seed=12, texts=_stories())
    # A few cases hold a rare phrase, in their description only.
    rare = Case.objects.order_by("?").values_list("pk", flat=True)[:12]
    Case.objects.filter(pk__in=list(rare)).update(description=f"小区门口{RARE}，踩上去会响")
    with connection.cursor() as cursor:
        for table in HOT:
            cursor.execute(f"ANALYZE {table}")
    return world


def plans(client, url: str) -> str:
    """The plans of URL's statements that read the cases."""
    return "\n".join(plan for _, plan in explained(client, url, tables=("cases_case",)))


@pytest.mark.parametrize("viewer", ["city_dispatcher", "dispatcher"])
def test_q_reads_the_cases_through_the_search_and_number_indexes(client, grown, viewer):
    user = getattr(grown, viewer)
    client.force_login(user)
    visible = Case.objects.visible_to(user)
    assert visible.count() > 5_000
    tail = visible.order_by("-created_at")[100].number[-6:]
    for base in ("/cases/", "/api/v1/cases"):
        rare = plans(client, f"{base}?q={RARE}")
        assert "case_search" in rare and "Seq Scan on cases_case " not in rare, rare
        assert "case_number_tail" in plans(client, f"{base}?q={tail}")
        assert scans(client, f"{base}?q=井盖") == []
        assert scans(client, f"{base}?q={tail}") == []
