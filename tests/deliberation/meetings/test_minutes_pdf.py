"""A closed meeting's minutes as a PDF (会议记录): the figures of the sign-in against the
quorum rule, each vote's tally and outcome, the minutes and the clerk — and no resident's
name, ID number or phone, even one the clerk typed into the minutes."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _
from pypdf import PdfReader

from gongzhi.deliberation.choices import ItemOutcome
from gongzhi.deliberation.meetings import services

pytestmark = pytest.mark.django_db
API = "/api/v1/deliberation"


def as_(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    return "".join("".join(page.extract_text().split()) for page in pages)


def flat(text) -> str:
    return "".join(str(text).split())


def residents_data() -> list[str]:
    from gongzhi.people.models import Resident

    values = set()
    for row in Resident.objects.values_list("name", "phone", "id_number"):
        values.update(v for v in row if v)
    return sorted(values)


@pytest.fixture
def closed(meet, hall):
    """An assembly of 24 adults (12 households): 13 signed in from 7 households, one item
    passed 7–1, one only discussed."""
    from gongzhi.people.models import Resident

    meeting = meet.call(items=1)
    services.do_add_item(meeting=meeting, actor=hall.clerk, title="通报村务", needs_vote=False)
    meeting = services.do_open(actor=hall.clerk, meeting=meeting)
    for resident in meet.adults()[:13]:
        services.do_sign_in(actor=hall.clerk, meeting=meeting, resident=resident)
    meeting = services.do_open_voting(actor=hall.clerk, meeting=meeting)
    item = meeting.items.get(needs_vote=True)
    for villager in hall.villagers[:7]:
        services.do_vote(actor=villager, item=item, choice="for")
    services.do_vote(actor=hall.spouse, item=item, choice="against")
    head = Resident.objects.filter(region=hall.village, relation="head").order_by("id").first()
    minutes = f"会议同意修缮村道。{head.name}（电话{head.phone}）发言支持。"
    return services.do_close(actor=hall.clerk, meeting=meeting, minutes=minutes)


def test_the_minutes_pdf_has_the_figures_and_no_personal_data(closed, hall):
    r = as_(hall.clerk).get(reverse("deliberation:meeting_minutes", args=[closed.number]))
    assert r.status_code == 200
    text = text_of(r)
    assert "大古城村" in text and closed.number in text and "修村道议事" in text
    assert flat(closed.get_kind_display()) in text and "村委会议室" in text
    # The register as the session opened, those signed in and the quorum they made.
    assert (closed.eligible, closed.eligible_households, closed.present) == (24, 12, 13)
    signed = _("%(people)d people from %(households)d households") % {
        "people": 13,
        "households": 7,
    }
    assert flat(signed) in text
    assert flat(closed.quorum_note) in text  # 24 adults, 13 present, 13 needed; or households
    needs = _("%(share)s of those present (%(present)d): %(needed)d votes for") % {
        "share": f"{_('more than')} 1/2",
        "present": 13,
        "needed": 7,
    }
    assert flat(needs) in text
    # The votes, row by row: 7 for, 1 against, 0 abstained, passed; the other discussed.
    assert "1议题1710" + flat(ItemOutcome.PASSED.label) in text
    assert "2通报村务———" + flat(ItemOutcome.DISCUSSED.label) in text
    assert "会议同意修缮村道" in text
    assert flat(hall.clerk.display_name) in text
    leaked = [v for v in residents_data() if v in text]
    assert leaked == []


def test_the_same_through_the_api_scoped_like_the_page(closed, hall):
    url = f"{API}/meetings/{closed.number}/minutes.pdf"
    r = as_(hall.villagers[3]).get(url)  # a villager of the village sees the meeting
    assert r.status_code == 200 and "会议同意修缮村道" in text_of(r)
    assert as_(hall.other_clerk).get(url).status_code == 404  # another village's clerk
    assert as_(hall.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 401


def test_no_minutes_before_the_meeting_is_closed(meet, hall):
    meeting = meet.sitting(present=meet.adults()[:3])
    r = as_(hall.clerk).get(f"{API}/meetings/{meeting.number}/minutes.pdf")
    assert r.status_code == 409 and r.json()["error"] == "not_closed"
    page = reverse("deliberation:meeting_minutes", args=[meeting.number])
    assert as_(hall.clerk).get(page).status_code == 302


def test_an_inquorate_meetings_minutes_say_so(meet, hall):
    meeting = meet.sitting(present=meet.adults()[:12])
    meeting = services.do_close(
        actor=hall.clerk, meeting=meeting, minutes="到会人数不足，改期再议。"
    )
    text = text_of(as_(hall.clerk).get(f"{API}/meetings/{meeting.number}/minutes.pdf"))
    assert "到会人数不足" in text and flat(meeting.quorum_note) in text
    assert flat(_("No")) in text  # not quorate
    assert "1议题1000" + flat(ItemOutcome.NO_QUORUM.label) in text


def test_the_meeting_page_links_the_pdf_for_the_committee(closed, hall):
    page = reverse("deliberation:meeting", args=[closed.number])
    assert 'data-testid="minutes-pdf"' in as_(hall.clerk).get(page).content.decode()
    assert 'data-testid="minutes-pdf"' not in as_(hall.villagers[3]).get(page).content.decode()
