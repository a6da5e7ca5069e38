"""Issue 25, on PostgreSQL: the queue (default and deadline order, a later page), the API
list (and its keyset pages) and the case page read the cases through indexes, not by a
sequential scan of ``cases_case`` or ``cases_caseevent``, at a grown table (20,000 cases
with their timelines, after ANALYZE). Each statement the real request runs is explained;
the one scan allowed is the bounded count's, which stops after COUNT_LIMIT + 1 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.cases import queries
from gongzhi.cases.models import Case
from gongzhi.demo import grow

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="query plans are PostgreSQL's question"
    ),
]

HOT = ("cases_case", "cases_caseevent")


@pytest.fixture
def grown(world):
    grow.generate(20_000, days=730, now=timezone.now(), seed=11, timelines=True)
    with connection.cursor() as cursor:
        for table in HOT:
            cursor.execute(f"ANALYZE {table}")
    return world


def explained(client, url: str, tables=HOT) -> list[tuple[str, str]]:
    """Each statement URL runs that reads one of TABLES, with its plan."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    found = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if sql.lstrip().upper().startswith("SELECT") and any(t in sql for t in tables):
                cursor.execute("EXPLAIN " + sql)
                found.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return found


def scans(client, url: str) -> list[str]:
    """The sequential scans of the hot tables in the plans of URL's statements."""
    found = []
    for sql, plan in explained(client, url):
        if f"LIMIT {queries.COUNT_LIMIT + 1}" in sql and "Limit" in plan.split("Seq Scan")[0]:
            # The bounded count ("10,000+"): it stops at 10,001 rows, and where the viewer
            # sees most of the table, reading it in order is the cheapest way there.
            continue
        found += [
            f"{line.strip()}  ←  {sql[:160]}"
            for line in plan.splitlines()
            if "Seq Scan" in line and any(f" on {t} " in line + " " for t in HOT)
        ]
    return found


@pytest.mark.parametrize("viewer", ["city_dispatcher", "dispatcher"])
def test_the_queue_api_list_and_case_page_read_through_indexes(client, grown, viewer):
    user = getattr(grown, viewer)
    client.force_login(user)
    visible = Case.objects.visible_to(user)
    assert visible.count() > 5_000
    newest = visible.filter(state="closed").order_by("-created_at", "-id")[0]
    older = visible.order_by("-created_at", "-id")[300]
    found = []
    for url in (
        "/cases/",
        "/cases/?sort=deadline",
        "/cases/?page=20",
        "/api/v1/cases",
        "/api/v1/cases?ordering=deadline",
        f"/api/v1/cases?after={older.number}",
        f"/cases/{newest.number}/",
        f"/api/v1/cases/{newest.number}",
        f"/api/v1/cases/{newest.number}/timeline",
    ):
        found += [f"{url}: {line}" for line in scans(client, url)]
    assert found == []


@pytest.mark.parametrize("viewer", ["city_dispatcher", "dispatcher"])
def test_the_callback_list_map_and_rates_read_through_indexes(client, grown, viewer):
    """The callback list (closed cases by closing time), the map's box of open cases and
    the rates (read from the rollups, and the few cases seen outside the viewer's places
    from the records) read the cases through indexes too."""
    client.force_login(getattr(grown, viewer))
    found = []
    for url in (
        "/cases/?awaiting_callback=on&sort=closed",
        "/cases/?awaiting_callback=on&sort=closed&page=3",
        "/cases/map/data/?bbox=102.40,36.46,102.42,36.48",
        "/cases/map/data/",
        "/api/v1/cases/rates?group_by=unit",
        "/api/v1/cases/rates?group_by=category",
        "/cases/rates/",
    ):
        found += [f"{url}: {line}" for line in scans(client, url)]
    assert found == []
