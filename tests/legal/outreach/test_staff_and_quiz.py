"""Who may write and where (own area only), the desk's scope, the article form's errors,
media checks, and the quiz: scored, answered once, the right answers shown after."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.legal.models import Article, QuizAnswer
from gongzhi.legal.outreach import quiz, services
from tests.factories import OrganisationFactory, UserFactory, jpeg

pytestmark = pytest.mark.django_db


def test_staff_target_only_their_own_area(pf, write):
    with pytest.raises(NotAllowed) as refused:
        write(pf.sfs_staff, [pf.regions.ledu])  # a 司法所 writes for its township only
    assert refused.value.field == "regions"
    with pytest.raises(NotAllowed):
        write(pf.sfs_staff, [pf.gaomiao])  # the neighbour township
    with pytest.raises(NotAllowed):
        write(pf.bureau_staff, [pf.dongcun])  # another county
    with pytest.raises(NotAllowed):
        write(pf.resident, [pf.regions.xiguan])  # residents do not write
    with pytest.raises(NotAllowed):
        write(pf.reviewer, [pf.regions.ledu])  # nor the legal-aid centre
    assert not Article.objects.exists()
    article = write(pf.sfs_staff, [pf.regions.xiguan, pf.dongguan])
    assert article.owner_path == pf.regions.nianbo.path


def test_the_desk_is_scoped_to_the_area(pf, write, client):
    county = write(pf.bureau_staff, [pf.regions.ledu], title="县级文章")
    township = write(pf.sfs_staff, [pf.regions.nianbo], title="镇级文章")
    pingan_bureau = OrganisationFactory(
        code="630203-SFJ",
        name="平安区司法局",
        kind=OrganisationKind.JUSTICE_OFFICE,
        regions=[pf.regions.pingan],
    )
    pingan_staff = UserFactory(username="pinganpf", organisation=pingan_bureau, role=Role.HANDLER)
    other = write(pingan_staff, [pf.dongcun], title="平安区文章")
    client.force_login(pf.bureau_staff)
    page = client.get("/legal/outreach/desk/")
    assert "县级文章" in page.text and "镇级文章" in page.text and "平安区文章" not in page.text
    client.force_login(pf.sfs_staff)
    page = client.get("/legal/outreach/desk/")
    assert "镇级文章" in page.text and "县级文章" not in page.text
    assert client.get(f"/legal/outreach/desk/{county.pk}/").status_code == 404
    assert client.get(f"/legal/outreach/desk/{township.pk}/").status_code == 200
    client.force_login(pingan_staff)
    assert client.get(f"/legal/outreach/desk/{other.pk}/").status_code == 200
    assert client.get(f"/legal/outreach/desk/{township.pk}/").status_code == 404
    client.force_login(pf.resident)
    assert client.get("/legal/outreach/desk/").status_code == 403
    assert client.get("/legal/outreach/desk/new/").status_code == 403


def test_the_article_form_shows_errors_inline_and_saves(pf, client):
    client.force_login(pf.sfs_staff)
    form = client.get("/legal/outreach/desk/new/")
    assert "西关社区" in form.text and "平安区" not in form.text  # only its own area offered
    bad = client.post(
        "/legal/outreach/desk/new/",
        {
            "title": "欠薪维权",
            "body": "……",
            "regions": [pf.regions.xiguan.pk],
            "quiz": "只有一道题\n*是\n否",
            "publish": "on",
        },
    )
    assert bad.status_code == 400
    assert 'data-testid="error-quiz"' in bad.text and not Article.objects.exists()
    good = client.post(
        "/legal/outreach/desk/new/",
        {
            "title": "农民工讨薪指南",
            "body": "春节前工资结算，注意保留考勤和工资凭证。",
            "regions": [pf.regions.xiguan.pk],
            "groups": [],
            "publish": "on",
            "send": "on",
            "public": "on",
            "cover": jpeg(),
            "images": [jpeg("a.jpg"), jpeg("b.jpg")],
            "quiz": "",
        },
    )
    assert good.status_code == 302
    article = Article.objects.get()
    assert article.cover and article.cover_thumb and article.images.count() == 2


def test_media_checks(pf, write):
    with pytest.raises(ServiceError) as bad:
        write(pf.sfs_staff, [pf.regions.xiguan], cover=SimpleUploadedFile("x.jpg", b"not a photo"))
    assert bad.value.field == "cover"
    with pytest.raises(ServiceError) as bad:
        write(
            pf.sfs_staff,
            [pf.regions.xiguan],
            video=SimpleUploadedFile("x.mp4", b"<html>evil</html>"),
        )
    assert bad.value.code == "video_type"
    mp4 = SimpleUploadedFile(
        "clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, content_type="video/mp4"
    )
    article = write(pf.sfs_staff, [pf.regions.xiguan], video=mp4)
    assert article.video.name.endswith(".mp4")


def test_quiz_text_is_checked():
    assert quiz.parse("") == []
    with pytest.raises(ServiceError, match="3"):
        quiz.parse("一\n*a\nb")
    with pytest.raises(ServiceError):
        quiz.parse("一\na\nb\n\n二\n*a\nb\n\n三\n*a\nb")  # no right answer marked
    parsed = quiz.parse("一\n*a\nb\n\n二\na\n＊b\n\n三\na\nb\n*c")
    assert [q["answer"] for q in parsed] == [0, 1, 2]
    assert quiz.parse(quiz.as_text(parsed)) == parsed


def test_quiz_scored_answered_once_answers_shown(
    pf, write, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = write(pf.bureau_staff, [pf.regions.ledu])
    client.force_login(pf.resident)
    page = client.get(f"/legal/outreach/{article.pk}/")
    assert page.text.count('data-testid="question"') == 3
    incomplete = client.post(f"/legal/outreach/{article.pk}/", {"q0": "0"})
    assert incomplete.status_code == 400 and not QuizAnswer.objects.exists()
    done = client.post(f"/legal/outreach/{article.pk}/", {"q0": "0", "q1": "0", "q2": "0"})
    assert done.status_code == 302
    page = client.get(f"/legal/outreach/{article.pk}/")
    assert 'data-score="2" data-total="3"' in page.text
    assert page.text.count('class="right"') == 3 and page.text.count('class="wrong"') == 1
    again = client.post(f"/legal/outreach/{article.pk}/", {"q0": "0", "q1": "1", "q2": "0"})
    assert again.status_code == 302
    assert QuizAnswer.objects.get().score == 2
    with pytest.raises(ServiceError) as twice:
        services.do_answer(user=pf.resident, article=article, choices=[0, 1, 0])
    assert twice.value.status == 409
    # The desk shows the scores.
    client.force_login(pf.bureau_staff)
    stats = client.get(f"/legal/outreach/desk/{article.pk}/")
    assert "2.0" in stats.text


def test_staff_create_a_campaign_in_their_area(pf, client):
    client.force_login(pf.sfs_staff)
    bad = client.post(
        "/legal/outreach/desk/campaigns/new/",
        {
            "title": "宪法宣传周",
            "region": pf.regions.nianbo.pk,
            "starts_on": "2026-12-04",
            "ends_on": "2026-12-01",
        },
    )
    assert bad.status_code == 400 and 'data-testid="error-ends_on"' in bad.text
    other = client.post(
        "/legal/outreach/desk/campaigns/new/",
        {
            "title": "x",
            "region": pf.regions.ledu.pk,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-07",
        },
    )
    assert other.status_code == 400  # the county is not a 司法所's to choose
    ok = client.post(
        "/legal/outreach/desk/campaigns/new/",
        {
            "title": "宪法宣传周",
            "region": pf.regions.nianbo.pk,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-07",
        },
    )
    assert ok.status_code == 302
    assert "宪法宣传周" in client.get("/legal/outreach/desk/").text


def test_desk_and_reader_pages_do_not_grow_queries(pf, write, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(user, url):
        client.force_login(user)
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    write(pf.bureau_staff, [pf.regions.ledu], cover=jpeg())
    few = (count(pf.bureau_staff, "/legal/outreach/desk/"), count(pf.resident, "/legal/outreach/"))
    for n in range(6):
        write(pf.bureau_staff, [pf.regions.ledu], title=f"第{n}篇", cover=jpeg())
    many = (count(pf.bureau_staff, "/legal/outreach/desk/"), count(pf.resident, "/legal/outreach/"))
    assert many == few


def test_pages_in_english_and_admin(pf, write, client):
    article = write(pf.bureau_staff, [pf.regions.ledu])
    client.force_login(pf.resident)
    assert "Law popularisation" in client.get("/legal/outreach/", HTTP_ACCEPT_LANGUAGE="en").text
    client.force_login(pf.admin)
    for url in [
        "/admin/legal/article/",
        f"/admin/legal/article/{article.pk}/change/",
        "/admin/legal/campaign/",
        "/admin/legal/delivery/",
        "/admin/legal/quizanswer/",
        "/admin/legal/servicepoint/",
        "/admin/legal/audiencegroup/",
        "/admin/legal/residentprofile/",
    ]:
        assert client.get(url).status_code == 200, url
