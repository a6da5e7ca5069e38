"""Free text on the pages: facts, claims and session notes name the parties and carry the
numbers people typed in. The dispute page and the board's download show them masked, as
the API does; the reveal (the one that shows the parties) shows them as written, so far as
the viewer's role may unmask, and records it in the audit log."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core.models import AuditLog
from gongzhi.mediation import services

from .conftest import register

pytestmark = pytest.mark.django_db

ID_NUMBER = "630202199001011234"
MOBILE = "13912345678"
SECRETS = (ID_NUMBER, MOBILE, "马福贵")


@pytest.fixture
def noted(villages):
    """A dispute whose title, facts, claims and session note carry an ID and a phone number
    and a party's name."""
    w = villages
    d = register(
        w,
        title=f"马福贵排水纠纷 {MOBILE}",
        facts=f"马福贵（身份证{ID_NUMBER}，电话{MOBILE}）称邻居院墙排水流入其院内",
    )
    d.parties.filter(side="applicant").update(claims=f"要求改建排水沟，联系电话{MOBILE}")
    m = w.village_mediator
    d = services.do_transition(dispute=d, action="accept", actor=m)
    d = services.do_transition(dispute=d, action="start", actor=m, lead=m.pk)
    services.do_transition(
        dispute=d,
        action="record_session",
        actor=m,
        held_at=timezone.now() - timedelta(hours=1),
        place="西关社区调解室",
        attendees=f"马福贵（{MOBILE}）、韩成林、调解员",
        summary=f"马福贵出示身份证{ID_NUMBER}，双方同意改建排水沟",
    )
    return d


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_dispute_page_shows_free_text_masked(client, villages, noted):
    client.force_login(villages.village_mediator)
    page = text(client.get(reverse("mediation:detail", args=[noted.number])))
    for secret in SECRETS:
        assert secret not in page, secret
    # Masked as the API masks them: the reader still sees what kind of thing was there.
    assert "630202********1234" in page and "139****5678" in page and "马**" in page
    assert 'data-testid="session"' in page and "双方同意改建排水沟" in page


def test_the_board_download_has_no_number_or_name_from_the_free_text(client, villages, noted):
    client.force_login(villages.township_leader)
    response = client.get(reverse("mediation:board_export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [str(v) for row in book.worksheets[0].iter_rows(values_only=True) for v in row if v]
    assert noted.number in cells
    for secret in SECRETS:
        assert not any(secret in c for c in cells), secret
    assert any("马**排水纠纷 139****5678" in c for c in cells)


def test_the_reveal_shows_the_texts_as_written_and_is_audited(client, villages, noted):
    w = villages
    client.force_login(w.admin)
    before = text(client.get(reverse("mediation:detail", args=[noted.number])))
    assert ID_NUMBER not in before and MOBILE not in before
    assert not AuditLog.objects.filter(action="unmask", object_id=str(noted.pk)).exists()

    revealed = text(
        client.post(reverse("mediation:reveal", args=[noted.number]), HTTP_HX_REQUEST="true")
    )
    assert f"身份证{ID_NUMBER}" in revealed and f"电话{MOBILE}" in revealed
    assert f"联系电话{MOBILE}" in revealed  # the claims
    assert f"马福贵出示身份证{ID_NUMBER}" in revealed  # the session's note
    entry = AuditLog.objects.get(
        action="unmask", actor=w.admin, object_type="mediation.dispute", object_id=str(noted.pk)
    )
    assert {"facts", "claims", "sessions"} <= set(entry.fields)
    assert entry.reason == noted.number


def test_a_mediator_sees_in_the_reveal_only_what_their_role_may_unmask(client, villages, noted):
    w = villages
    client.force_login(w.village_mediator)
    revealed = text(client.post(reverse("mediation:reveal", args=[noted.number])))
    assert f"电话{MOBILE}" in revealed and "马福贵" in revealed
    assert ID_NUMBER not in revealed and "630202********1234" in revealed  # not their need
    assert AuditLog.objects.filter(
        action="unmask", actor=w.village_mediator, object_type="mediation.dispute"
    ).exists()


def test_a_refused_reveal_shows_no_text_and_records_no_unmask(client, villages, noted):
    w = villages
    client.force_login(w.township_leader)
    response = client.post(reverse("mediation:reveal", args=[noted.number]))
    assert response.status_code == 403
    for secret in SECRETS:
        assert secret not in response.content.decode(), secret
    assert not AuditLog.objects.filter(action="unmask").exists()


def test_the_board_and_the_desk_show_titles_and_next_steps_masked(client, villages, noted):
    """The same title on the lists as on the page: a name or a number typed into it is not
    shown whole to whoever opens the board or the mediator's desk."""
    m = villages.village_mediator
    services.do_transition(
        dispute=noted,
        action="record_session",
        actor=m,
        held_at=timezone.now() - timedelta(minutes=30),
        place="西关社区调解室",
        attendees="马福贵、韩成林",
        summary="约定再谈",
        next_at=timezone.now() + timedelta(days=1),
        next_step=f"电话{MOBILE}通知马福贵到场",
    )
    client.force_login(m)
    for name in ("mediation:board", "mediation:workbench"):
        page = text(client.get(reverse(name)))
        assert noted.number in page, name
        for secret in SECRETS:
            assert secret not in page, (name, secret)
    assert "139****5678" in page and "通知" in page  # the desk's next step, masked
