"""Staff correct a saved article's words; the quiz changes only until someone answers it,
and only the article's own writers (its area's staff) may edit it."""

from django.urls import reverse

from gongzhi.legal.outreach import services

from .conftest import QUIZ


def test_staff_correct_the_words_and_the_quiz_until_it_is_answered(pf, write, client):
    w = pf
    article = write(w.bureau_staff, [w.regions.nianbo])
    url = reverse("legal:outreach_article_edit", args=[article.pk])
    client.force_login(w.bureau_staff)
    page = client.get(url)
    assert page.status_code == 200 and "宪法是国家的根本法吗？" in page.content.decode()
    fixed = {"title": "宪法宣传周：宪法是国家的根本大法", "summary": "", "body": "改正后的正文。"}
    reworded = QUIZ.replace("宪法是国家的根本法吗？", "宪法是不是国家的根本法？")
    answer = client.post(url, {**fixed, "quiz": reworded})
    assert answer.status_code == 302
    article.refresh_from_db()
    assert article.title == fixed["title"] and article.body == "改正后的正文。"
    assert article.quiz[0]["question"] == "宪法是不是国家的根本法？"

    services.do_answer(user=w.resident, article=article, choices=[0] * len(article.quiz))
    refused = client.post(url, {**fixed, "title": "又改了", "quiz": QUIZ})  # the old wording
    assert refused.status_code == 400 and 'data-testid="error-quiz"' in refused.content.decode()
    article.refresh_from_db()
    assert article.title == fixed["title"]  # nothing changed
    assert article.quiz[0]["question"] == "宪法是不是国家的根本法？"
    # The words may still change while the quiz stays as answered.
    kept = services.quizzes.as_text(article.quiz)
    assert client.post(url, {**fixed, "title": "又改了", "quiz": kept}).status_code == 302


def test_only_the_articles_area_may_edit_it(pf, write, client):
    w = pf
    article = write(w.bureau_staff, [w.regions.nianbo])
    url = reverse("legal:outreach_article_edit", args=[article.pk])
    for outsider in (w.resident, w.notary):
        client.force_login(outsider)
        assert client.get(url).status_code in (403, 404)
