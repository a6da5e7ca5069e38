"""The legal service figures: the numbers match the records, per place and per matter type,
for the viewer's area only; the Excel download holds the same numbers; the API too."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.legal.figures import queries
from gongzhi.legal.models import Application
from tests.legal.aid.conftest import aid, id_number  # noqa: F401  (the aid world)

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(aid):  # noqa: F811
    w = aid
    a1 = w.apply()
    a2 = w.apply(w.other_resident, id_number=id_number(seq="222"), name="韩梅")
    a3 = w.apply(id_number=id_number(seq="333"), matter_type_id=w.maintenance.pk)
    w.apply(id_number=id_number(seq="444"))  # undecided
    w.act(w.act(a1, "grant", w.director), "assign", w.director, lawyer=w.lawyer.pk)
    w.act(a2, "grant", w.director)
    w.act(a3, "refuse", w.director, reason="收入超过本县标准")
    w.records = Application.objects.all()
    return w


def test_the_numbers_match_the_records(records):
    w = records
    data = queries.figures(user=w.director)
    t = data["total"]
    assert (t["applications"], t["decided"], t["granted"], t["refused"], t["assigned"]) == (
        4,
        3,
        2,
        1,
        1,
    )
    assert t["decided_in_time"] == 3 and t["decided_in_time_share"] == 1.0
    assert t["avg_workdays_to_decision"] == 0.0
    assert data["region"] == w.regions.ledu
    nianbo = next(r for r in data["places"] if r["code"] == w.regions.nianbo.code)
    assert nianbo["applications"] == 4
    by_type = {r["label"]: r for r in data["types"]}
    assert by_type[w.wages.name]["granted"] == 2 and by_type[w.wages.name]["applications"] == 3
    assert by_type[w.maintenance.name]["refused"] == 1
    # Drilling down to the township, then the village.
    down = queries.figures(user=w.director, region=w.regions.nianbo)
    assert down["total"]["applications"] == 4
    assert {r["code"] for r in down["places"]} >= {w.regions.xiguan.code}


def test_scope_another_county_sees_nothing_residents_are_refused(client, records):
    w = records
    assert queries.figures(user=w.other_reviewer)["total"]["applications"] == 0
    client.force_login(w.other_reviewer)
    answer = client.get(reverse("legal:figures"), {"region": w.regions.ledu.code})
    assert answer.status_code == 200 and 'data-testid="figures-error"' in answer.content.decode()
    for user in (w.resident, w.lawyer):
        client.force_login(user)
        assert client.get(reverse("legal:figures")).status_code == 403
        assert client.get("/api/v1/legal/figures").status_code == 403


def test_the_page_and_the_excel_download_hold_the_same_numbers(client, records):
    w = records
    client.force_login(w.reviewer)
    html = client.get(reverse("legal:figures")).content.decode()
    assert 'data-testid="overall-applications">4<' in html
    assert 'data-testid="overall-granted">2<' in html
    answer = client.get(reverse("legal:figures_export"))
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    places = list(book.worksheets[0].iter_rows(values_only=True))
    heading, total = places[0], places[1]
    row = dict(zip(heading, total, strict=True))
    assert total[0] == w.regions.ledu.name
    assert row[heading[1]] == 4  # applications
    values = list(total[1:])
    assert values[:6] == [4, 3, 3, 1.0, 2, 1]
    types = {r[0]: r for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert types[w.wages.name][1] == 3 and types[w.maintenance.name][6] == 1


def test_the_api_answers_the_same(client, records):
    w = records
    client.force_login(w.director)
    body = client.get("/api/v1/legal/figures", {"region": w.regions.nianbo.code}).json()
    assert body["region"] == w.regions.nianbo.code
    assert body["total"]["applications"] == 4 and body["total"]["refused"] == 1
    answer = client.get("/api/v1/legal/figures", {"region": w.regions.pingan.code})
    assert answer.status_code == 403 and answer.json()["field"] == "region"


def test_questions_answered_in_time_and_their_ratings(records):
    import datetime as dt

    from django.utils import timezone

    from gongzhi.legal.models import Question

    w = records
    now = timezone.now()

    def ask(*, answered_after=None, due_in=2, rating=None, region=None):
        region = region or w.regions.xiguan
        return Question.objects.create(
            asker=w.resident,
            region=region,
            region_path=region.path,
            text="欠薪怎么办？",
            route="adviser",
            lawyer=w.adviser,
            asked_at=now - dt.timedelta(days=5),
            due_at=now - dt.timedelta(days=5) + dt.timedelta(days=due_in),
            answered_at=None
            if answered_after is None
            else now - dt.timedelta(days=5) + dt.timedelta(days=answered_after),
            state="answered" if answered_after is not None else "waiting",
            rating=rating,
        )

    ask(answered_after=1, rating=5)
    ask(answered_after=3, rating=3)  # late
    ask()  # not answered
    ask(answered_after=1, region=w.regions.pingan)  # another county
    t = queries.figures(user=w.director)["total"]
    assert (t["questions"], t["answered"], t["answered_in_time"]) == (3, 2, 1)
    assert t["answered_in_time_share"] == round(1 / 3, 4)
    assert t["avg_question_rating"] == 4.0
