"""The written decision: a PDF the applicant and the centre may open, which states a
refusal's reason and where to object; opened by staff, it is audited."""

from io import BytesIO

from django.urls import reverse
from pypdf import PdfReader

from gongzhi.core.models import AuditLog


def _text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def test_a_refusal_in_writing_states_its_reason_and_the_objection(client, aid):
    w = aid
    app = w.apply()
    url = reverse("legal:aid_letter", args=[app.number])
    client.force_login(w.resident)
    assert client.get(url).status_code == 404  # nothing decided yet
    w.act(app, "refuse", w.director, reason="家庭人均收入高于本县经济困难标准")
    page = client.get(reverse("legal:aid_detail", args=[app.number])).content.decode()
    assert 'data-testid="decision-letter"' in page
    letter = client.get(url)
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    text = _text(letter)
    assert "不予法律援助决定书" in text and app.number in text
    assert "家庭人均收入高于本县经济困难标准" in text
    assert "乐都区司法局" in text and "乐都区法律援助中心" in text
    assert not AuditLog.objects.filter(action="unmask").exists()  # their own letter
    client.force_login(w.reviewer)
    assert client.get(url).status_code == 200
    assert AuditLog.objects.filter(action="unmask", actor=w.reviewer).count() == 1
    client.force_login(w.other_resident)
    assert client.get(url).status_code == 404


def test_a_grant_in_writing(client, aid):
    w = aid
    app = w.apply()
    w.act(app, "grant", w.director)
    client.force_login(w.resident)
    text = _text(client.get(reverse("legal:aid_letter", args=[app.number])))
    assert "给予法律援助决定书" in text and "不予" not in text
