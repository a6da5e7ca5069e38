"""A quarrel raised in the hall becomes a dispute of the hall's own source: the dispute's
page links back to the topic, the topic's page shows the dispute's state to those who may
see it, and a double click (two requests at once on PostgreSQL) makes one dispute."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from gongzhi.core.errors import Conflict
from gongzhi.deliberation.choices import TopicState
from gongzhi.deliberation.models import Topic
from gongzhi.deliberation.topics import services


def _kind():
    from gongzhi.mediation.models import DisputeType
    from tests.mediation.conftest import seeded_reference

    seeded_reference()
    return DisputeType.objects.get(code="neighbour")


def _quarrel(tw):
    return tw.raise_topic(title="两家为浇水吵架", body="上下游两户为浇地的水闸时间吵了好几次。")


def test_the_dispute_comes_from_the_hall_and_links_back(tw, client):
    from gongzhi.mediation.models import Dispute

    topic = _quarrel(tw)
    kind = _kind()
    c = client
    c.force_login(tw.clerk)
    act = reverse("deliberation:topic_act", args=[topic.number])
    form = {
        "action": "refer",
        "to": "dispute",
        "category": kind.pk,
        "other_party": "韩成1",
        "expected_state": "open",
    }
    assert c.post(act, form).status_code == 302
    topic = Topic.objects.get(pk=topic.pk)
    dispute = Dispute.objects.get(number=topic.dispute_number)
    assert (dispute.source, dispute.source_ref) == ("topic", topic.number)
    assert dispute.get_source_display() == "百姓议事厅"

    # The same click again: refused, nothing new.
    r = c.post(act, form)
    assert r.status_code == 409
    assert Dispute.objects.filter(source="topic", source_ref=topic.number).count() == 1

    # The dispute's page names and links the topic.
    page = c.get(reverse("mediation:detail", args=[dispute.number])).content.decode()
    link = reverse("deliberation:topic", args=[topic.number])
    assert f'href="{link}" data-testid="from-topic"' in page and "百姓议事厅" in page

    # The topic's page: the clerk (who may see the dispute) gets its state and a link …
    page = c.get(link).content.decode()
    assert reverse("mediation:detail", args=[dispute.number]) in page
    assert 'data-testid="dispute-state"' in page and dispute.get_state_display() in page
    # … a villager sees only that it became dispute so-and-so.
    c.force_login(tw.villagers[1])
    page = c.get(link).content.decode()
    assert topic.dispute_number in page
    assert 'data-testid="dispute-state"' not in page
    assert reverse("mediation:detail", args=[dispute.number]) not in page


def test_a_hand_typed_hall_reference_is_plain_text(tw, client):
    """A dispute registered by hand as from the hall, with a number that is no topic, shows
    the number without a link (and the page does not break)."""
    from gongzhi.mediation import services as mediation
    from gongzhi.mediation.choices import Side

    kind = _kind()
    dispute = mediation.do_register(
        data=mediation.DisputeIn(
            title="邻里吵架",
            type_id=kind.pk,
            facts="两家为院墙吵了起来。",
            source="topic",
            source_ref="NO/SUCH topic",
            region_id=tw.village.pk,
            parties=[
                mediation.PartyIn(side=Side.APPLICANT, name="韩成2"),
                mediation.PartyIn(side=Side.RESPONDENT, name="韩成3"),
            ],
        ),
        actor=tw.clerk,
    )
    client.force_login(tw.clerk)
    r = client.get(reverse("mediation:detail", args=[dispute.number]))
    assert r.status_code == 200
    page = r.content.decode()
    assert '<span data-testid="from-topic">' in page and "NO/SUCH topic" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_double_click_makes_one_dispute(tw):
    from gongzhi.mediation.models import Dispute
    from tests.concurrency import race

    topic = _quarrel(tw)
    kind = _kind()

    def refer():
        return services.do_refer(
            actor=tw.clerk, topic=topic, to="dispute", category=kind.pk, other_party="韩成1"
        )

    results, errors = race(refer, refer, refer)
    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, Conflict) for e in errors if e is not None)
    topic = Topic.objects.get(pk=topic.pk)
    assert topic.state == TopicState.REFERRED
    assert list(Dispute.objects.filter(source="topic").values_list("number", flat=True)) == [
        topic.dispute_number
    ]
