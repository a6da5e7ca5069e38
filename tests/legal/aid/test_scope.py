"""Who sees which applications (one scoping method, ``visible_to``), and the applicant's
personal data masked and revealed only through the audited reveal."""

import pytest

from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.core.models import AuditLog
from gongzhi.legal.aid import queries, services
from gongzhi.legal.models import AidDocument, Application

from .conftest import id_number, photo

pytestmark = pytest.mark.django_db


def seen(user):
    return set(Application.objects.visible_to(user).values_list("number", flat=True))


def test_each_user_sees_what_their_work_needs(aid):
    w = aid
    mine = w.apply()
    theirs = w.apply(w.other_resident, name="韩梅", id_number=id_number(seq="456"))
    pingan = w.apply(
        w.other_resident, name="韩梅", id_number=id_number(seq="456"), region_id=w.regions.pingan.pk
    )
    w.act(mine, "grant", w.director)
    w.act(Application.objects.get(pk=mine.pk), "assign", w.director, lawyer=w.lawyer.pk)
    w.act(theirs, "refuse", w.director, reason="不符合条件")

    assert seen(w.resident) == {mine.number}
    assert seen(w.other_resident) == {theirs.number, pingan.number}
    assert seen(w.reviewer) == seen(w.director) == {mine.number, theirs.number}
    assert seen(w.other_reviewer) == {pingan.number}
    assert seen(w.lawyer) == {mine.number}
    assert seen(w.other_lawyer) == set()
    assert seen(w.bureau_staff) == {theirs.number}  # the refused only
    assert seen(w.sfs_staff) == set()  # a township's 司法所 hears no objections
    assert seen(w.notary) == set() and seen(w.grid_worker) == set()
    assert seen(w.admin) >= {mine.number, theirs.number, pingan.number}

    with pytest.raises(NotFound):
        services.get_application(actor=w.other_reviewer, number=mine.number)
    assert [a.number for a in queries.lawyer_cases(w.lawyer)] == [mine.number]
    assert [a.number for a in queries.objections(w.bureau_staff)] == [theirs.number]
    assert {a.number for a in queries.to_decide(w.director)} == set()
    assert queries.desk(w.resident).count() == 0


def test_documents_are_seen_with_their_application(aid):
    w = aid
    app = w.apply()
    doc = services.do_upload(application=app, actor=w.resident, upload=photo())
    assert services.get_document(actor=w.reviewer, pk=doc.pk) == doc
    with pytest.raises(NotFound):
        services.get_document(actor=w.other_resident, pk=doc.pk)
    with pytest.raises(NotFound):
        services.get_document(actor=w.other_reviewer, pk=doc.pk)
    with pytest.raises(NotAllowed):
        services.do_upload(application=app, actor=w.other_resident, upload=photo())
    assert AidDocument.objects.visible_to(w.lawyer).count() == 0


def test_staff_enter_an_application_for_a_person_without_an_account(aid):
    w = aid
    app = w.apply(
        w.reviewer, on_behalf=True, name="冶福海", id_number=id_number(seq="789"), pledge=False
    )
    assert app.applicant is None and app.entered_by == w.reviewer
    with pytest.raises(NotAllowed):
        w.apply(w.resident, on_behalf=True)
    with pytest.raises(NotAllowed):
        w.apply(w.other_reviewer, on_behalf=True)  # another county's centre


def test_personal_data_is_masked_and_revealed_with_an_audit_entry(aid):
    w = aid
    app = w.apply()
    shown = services.masked(app)
    assert shown["name"] == "马**" or shown["name"].startswith("马")
    assert "马秀兰" not in shown.values() and app.id_number not in shown.values()
    assert shown["phone"] == "139****1111"
    before = AuditLog.objects.count()
    real = services.reveal(actor=w.admin, application=app, fields=["id_number"])
    assert real == {"id_number": app.id_number}
    assert AuditLog.objects.filter(action="unmask").count() == 1
    with pytest.raises(NotAllowed):
        services.reveal(actor=w.other_reviewer, application=app, fields=["name"])
    assert AuditLog.objects.filter(action="unmask_denied").count() == 1
    # the centre's reviewer checks identity: name, phone and the ID number
    assert (
        services.reveal(actor=w.reviewer, application=app, fields=["name", "phone"])["name"]
        == "马秀兰"
    )
    assert services.reveal(actor=w.reviewer, application=app, fields=["id_number"])
    # a lawyer not assigned to it sees nothing of it
    with pytest.raises((NotAllowed, NotFound)):
        services.reveal(actor=w.lawyer, application=app, fields=["id_number"])
    assert AuditLog.objects.count() == before + 5  # the lawyer's refusal is recorded too
