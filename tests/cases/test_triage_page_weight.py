"""The category check sends the category list once, not once a row (it was 408 KB of HTML
for 8 rows); each row still offers its own suggestions without the page's script."""

import re

import pytest

from gongzhi.taxonomy.models import Category
from gongzhi.triage.models import Assessment
from tests.factories import report

pytestmark = pytest.mark.django_db

ROWS = 8


def row_html(html: str, number: str) -> str:
    start = html.index(f'data-testid="triage-row" data-number="{number}"')
    return html[start : html.index("</tr>", start)]


@pytest.fixture
def waiting(world):
    cases = [report(world, title=f"井盖丢失{i}") for i in range(ROWS)]
    for case in cases:
        Assessment.objects.create(
            case_ref=case.number,
            status="pending",
            reason="low",
            predictions=[{"label": world.pothole.path.strip("/"), "confidence": 0.4}],
        )
    return cases


def test_eight_rows_carry_the_category_list_once(client, world, waiting):
    client.force_login(world.dispatcher)
    html = client.get("/cases/triage/").content.decode()
    assert len(re.findall(r'data-testid="triage-row"', html)) == ROWS
    enabled = Category.objects.filter(enabled=True)
    others = enabled.exclude(pk__in=[world.manhole.pk, world.pothole.pk])
    assert others.count() > 10
    for category in others:
        assert html.count(f'<option value="{category.pk}">') == 1, category.full_name
    # The list once, after the table; in the table two candidates a row.
    table = html[html.index('data-testid="triage-queue"') : html.index("</table>")]
    shared = html[html.index('id="triage-categories"') : html.index("</template>")]
    assert table.count("<option ") == 2 * ROWS
    assert shared.count("<option ") == enabled.count()


def test_a_row_offers_the_suggestion_first_and_the_intake_choice(client, world, waiting):
    client.force_login(world.dispatcher)
    html = client.get("/cases/triage/").content.decode()
    options = re.findall(r'<option value="(\d+)"( selected)?>', row_html(html, waiting[0].number))
    assert options == [(str(world.pothole.pk), " selected"), (str(world.manhole.pk), "")]
    # The choice is posted as before.
    response = client.post(
        f"/cases/triage/{waiting[0].number}/decide/", {"category": world.pothole.pk}
    )
    assert response.status_code == 302
    waiting[0].refresh_from_db()
    assert waiting[0].category == world.pothole
