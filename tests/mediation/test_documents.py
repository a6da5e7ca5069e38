"""The 人民调解协议书 as a PDF: its text read back, its fonts embedded, printed only for the
dispute's mediators (audited), and the signed scan uploaded back (checked, else nothing)."""

import io
import time
from urllib.parse import unquote

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.accounts.validators import id_check_digit
from gongzhi.core.models import AuditLog
from gongzhi.mediation import documents, services
from gongzhi.mediation.models import DisputeType
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def id_number(body17: str) -> str:
    return body17 + id_check_digit(body17)


APPLICANT_ID = id_number("63020219800312123")
RESPONDENT_ID = id_number("63020219751107246")
OBLIGATIONS = [
    {
        "party": "韩成林",
        "what": "拆除院墙东侧排水管并改建排水沟",
        "how": "自行施工",
        "due_on": "2026-05-31",
    },
    {
        "party": "马福贵",
        "what": "支付修缮费用人民币三千元",
        "how": "银行转账",
        "due_on": "2026-06-15",
    },
]


def settled(w, *, form="written", applicant="马福贵"):
    d = services.do_register(
        data=services.DisputeIn(
            title="邻里排水纠纷",
            type_id=DisputeType.objects.get(code="neighbour").pk,
            facts="两家因院墙排水问题发生争执",
            source="screening",
            grid_id=w.grid.pk,
            parties=[
                services.PartyIn(
                    side="applicant",
                    name=applicant,
                    id_number=APPLICANT_ID,
                    phone="13900002222",
                    address="海东市乐都区碾伯镇西关街12号",
                ),
                services.PartyIn(
                    side="respondent",
                    name="韩成林",
                    id_number=RESPONDENT_ID,
                    address="海东市乐都区碾伯镇西关街14号",
                ),
            ],
        ),
        actor=w.grid_worker,
    )
    m = w.village_mediator
    d = services.do_transition(dispute=d, action="accept", actor=m)
    d = services.do_transition(dispute=d, action="start", actor=m, lead=m.pk)
    d = services.do_transition(
        dispute=d,
        action="settle",
        actor=m,
        form=form,
        disputed_matters="韩成林家院墙排水管排水至马福贵家院内，致其墙体受潮。",
        obligations=OBLIGATIONS,
    )
    return d.agreement


@pytest.fixture
def med(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = world
    w.media = settings.MEDIA_ROOT
    w.village_mediator = UserFactory(
        organisation=w.community, role=Role.MEDIATOR, display_name="祁海英"
    )
    w.agreement = settled(w)
    return w


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def fonts_of(pdf: bytes) -> list[tuple[str, bool]]:
    """(font name, whether its program is embedded) for every font on every page."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = described["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found


# -- the document -------------------------------------------------------------------------


def test_the_agreement_reads_back_with_all_it_must_say(med):
    pdf = documents.agreement_pdf_bytes(med.agreement)
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert "人民调解协议书" in text and med.community.name in text
    assert med.agreement.number in text
    for must in ("马福贵", "韩成林", APPLICANT_ID, RESPONDENT_ID, "海东市乐都区碾伯镇西关街12号"):
        assert must in text
    assert "韩成林家院墙排水管排水至马福贵家院内" in text
    for o in OBLIGATIONS:
        assert o["what"] in text and o["how"] in text
    assert "2026年5月31日前" in text and "2026年6月15日前" in text
    assert "具有法律约束力" in text
    assert "可以自调解协议生效之日起三十日内共同向人民法院申请司法确认" in text
    assert "申请人（签名、盖章或按指印）" in text and "被申请人（签名、盖章或按指印）" in text
    assert "人民调解员（签名）：祁海英" in text and "（印章）" in text
    # A party's phone is not part of the agreement.
    assert "13900002222" not in text


def test_the_fonts_are_embedded_subsets_of_noto_cjk(med):
    pdf = documents.agreement_pdf_bytes(med.agreement)
    fonts = fonts_of(pdf)
    assert fonts and all(embedded for _name, embedded in fonts)
    assert all("Noto" in name and "CJK" in name for name, _embedded in fonts)
    # Subsets (a whole Noto CJK face is over 15 MB).
    assert len(pdf) < 1_000_000


def test_an_oral_agreement_is_recorded_as_such(world):
    w = world
    w.village_mediator = UserFactory(organisation=w.community, role=Role.MEDIATOR)
    agreement = settled(w, form="oral")
    text = text_of(documents.agreement_pdf_bytes(agreement))
    assert "口头调解协议登记表" in text and "人民调解协议书" not in text
    assert "马福贵" in text and all(o["what"] in text for o in OBLIGATIONS)
    assert "口头调解协议" in text and "第二十八条" in text
    # A record the mediator keeps: no lines for the parties to sign.
    assert "签名、盖章或按指印" not in text
    assert documents.filename_for(agreement).startswith("口头调解协议登记表-")


def test_a_name_in_characters_outside_the_common_set_prints_too(world):
    # 堃 is not among GB2312's characters, the cut of the font kept ready: it is taken from
    # the system's Noto face for this document, not left a blank box.
    w = world
    w.village_mediator = UserFactory(organisation=w.community, role=Role.MEDIATOR)
    pdf = documents.agreement_pdf_bytes(settled(w, applicant="王堃"))
    assert "申请人：王堃" in text_of(pdf)
    fonts = fonts_of(pdf)
    assert all(embedded for _name, embedded in fonts)
    assert all("Noto" in name and "CJK" in name for name, _embedded in fonts)


def test_pdfs_per_second_on_one_core(med):
    documents.agreement_pdf_bytes(med.agreement)  # fonts and templates loaded once
    n, wall, cpu = 10, time.perf_counter(), time.process_time()
    sizes = {len(documents.agreement_pdf_bytes(med.agreement)) for _ in range(n)}
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    # The renderer works on one thread: PDFs per CPU-second is the rate of one core, whatever
    # else the machine is doing; the wall-clock rate is printed beside it.
    print(f"\nagreement PDFs per second: {n / cpu:.1f} per CPU-second, {n / wall:.1f} wall-clock")
    assert len(sizes) == 1  # the same agreement gives the same document
    assert max(sizes) < 1_000_000


# -- the download -------------------------------------------------------------------------


def pdf_url(w):
    return reverse("mediation:agreement_pdf", args=[w.agreement.dispute.number])


def test_the_mediator_downloads_it_and_the_download_is_audited(med, client):
    client.force_login(med.village_mediator)
    response = client.get(pdf_url(med))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = f"调解协议书-{med.agreement.dispute.number}.pdf"
    assert unquote(response["Content-Disposition"]).endswith(filename)
    assert "马福贵" in text_of(response.content)
    entry = AuditLog.objects.get(action="export", actor=med.village_mediator)
    assert (entry.object_type, entry.object_id) == ("mediation.agreement", str(med.agreement.pk))
    assert set(entry.fields) == {"name", "id_number", "address"}
    client.get(pdf_url(med))
    assert AuditLog.objects.filter(action="export", object_id=str(med.agreement.pk)).count() == 2


def test_a_leader_of_the_holding_unit_may_print_it(med, client):
    leader = UserFactory(organisation=med.community, role=Role.LEADER)
    client.force_login(leader)
    assert client.get(pdf_url(med)).status_code == 200


def test_outsiders_get_nothing_and_nothing_is_audited(med, client):
    dongcun = med.other_grid.community
    elsewhere = OrganisationFactory(kind=OrganisationKind.COMMUNITY, regions=[dongcun])
    other_worker = UserFactory(organisation=elsewhere, role=Role.GRID_WORKER)
    for outsider, status in [
        (other_worker, 404),  # another village's grid worker does not see the dispute
        (med.resident, 404),
        (med.grid_worker, 403),  # registered it, sees it, but does not mediate it
        (UserFactory(organisation=med.community, role=Role.DISPATCHER), 403),
    ]:
        client.force_login(outsider)
        assert client.get(pdf_url(med)).status_code == status, outsider
    assert not AuditLog.objects.filter(action="export").exists()


def test_it_needs_a_login(med, client):
    response = client.get(pdf_url(med))
    assert response.status_code == 302 and "login" in response["Location"]


# -- the signed copy ----------------------------------------------------------------------


def upload_url(w):
    return reverse("mediation:agreement_upload", args=[w.agreement.dispute.number])


def upload(client, w, name, content, content_type):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(w.village_mediator)
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(upload_url(w), {"signed_copy": file})


def stored_files(w) -> list:
    return [p for p in w.media.rglob("*") if p.is_file()] if w.media.exists() else []


def said(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def assert_refused(w, response, words):
    detail = reverse("mediation:detail", args=[w.agreement.dispute.number])
    assert response.status_code == 302 and response["Location"] == detail
    ((level, message),) = said(response)
    assert level == "error" and words in message
    w.agreement.refresh_from_db()
    assert not w.agreement.signed_copy and w.agreement.signed_uploaded_at is None
    assert not w.agreement.dispute.events.filter(action="upload_signed").exists()
    assert stored_files(w) == []


def test_a_file_that_is_not_a_pdf_or_a_photo_is_refused(med, client):
    # Declared a PDF, but it is not one: the content decides.
    response = upload(client, med, "signed.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    assert_refused(med, response, "PDF")


def test_a_pdf_over_10_mb_is_refused(med, client):
    big = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)
    assert_refused(med, upload(client, med, "signed.pdf", big, "application/pdf"), "10")


def test_nothing_is_uploaded_by_someone_who_may_not(med, client):
    client.force_login(med.grid_worker)
    response = client.post(upload_url(med), {"signed_copy": io.BytesIO(b"%PDF-1.7\n")})
    assert response.status_code == 403
    med.agreement.refresh_from_db()
    assert not med.agreement.signed_copy and stored_files(med) == []


def test_the_signed_pdf_is_stored_and_on_the_timeline(med, client):
    scan = documents.agreement_pdf_bytes(med.agreement)
    response = upload(client, med, "scan.pdf", scan, "application/pdf")
    assert response.status_code == 302
    assert [level for level, _m in said(response)] == ["success"]
    med.agreement.refresh_from_db()
    assert med.agreement.signed_uploaded_at is not None
    assert med.agreement.signed_copy.name.endswith(".pdf")
    assert med.agreement.signed_copy.read() == scan
    event = med.agreement.dispute.events.get(action="upload_signed")
    assert event.actor == med.village_mediator and not event.is_public


def test_a_photographed_signed_copy_is_stored_and_replaced(
    med, client, django_capture_on_commit_callbacks
):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 1100), "white").save(buffer, format="PNG")
    response = upload(client, med, "photo.png", buffer.getvalue(), "image/png")
    assert [level for level, _m in said(response)] == ["success"]
    med.agreement.refresh_from_db()
    assert med.agreement.signed_copy.name.endswith(".png")
    assert Image.open(med.agreement.signed_copy.path).size == (800, 1100)
    # A better scan replaces the first; the first file is not left behind.
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, med, "photo2.png", buffer.getvalue(), "image/png")
    assert len(stored_files(med)) == 1


def test_the_fonts_command_makes_the_cut_the_agreements_use():
    from io import StringIO

    from django.core.management import call_command

    from gongzhi.mediation import printing

    out = StringIO()
    call_command("mediation", "fonts", stdout=out)
    path = printing.cached_cut()
    assert path.exists() and str(path) in out.getvalue()


def test_same_named_committees_number_their_agreements_apart(med):
    """Two committees may bear one name (a 红崖村 in two counties): their agreements'
    numbers still differ, where counting per holder gave both 第1号."""
    from types import SimpleNamespace

    from gongzhi.mediation import numbers

    holder = med.agreement.dispute.holder
    namesake = OrganisationFactory(kind=holder.kind, name=holder.name)
    number = numbers.agreement_number(SimpleNamespace(holder=namesake), med.agreement.created_at)
    assert number != med.agreement.number and number.endswith("第2号")
