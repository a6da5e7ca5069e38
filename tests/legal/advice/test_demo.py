"""The demo's advice: ~1,000 questions in 乐都区, most answered and in the knowledge base,
some waiting, a few overdue; loading twice adds nothing."""

from django.utils import timezone

from gongzhi.demo.legal import advice as demo
from gongzhi.legal.advice import search
from gongzhi.legal.models import KnowledgeEntry, Question
from tests.factories import UserFactory


def test_the_demo_loads_once_and_its_knowledge_base_answers(advice):
    UserFactory(username="demo_resident", display_name="马秀兰")
    counts = demo.load()
    assert counts["questions"] == 1000 and counts["entries"] > 500
    assert Question.objects.filter(state="waiting", due_at__lt=timezone.now()).exists()
    assert Question.objects.filter(state="waiting", due_at__gt=timezone.now()).exists()
    assert Question.objects.filter(asker__username="demo_resident").count() == 3
    assert demo.load()["questions"] == 0 and Question.objects.count() == 1000
    found = search.search("老板拖欠工资不给怎么办", limit=3)
    assert found and "工资" in found[0][0].title
    # anonymised: no asker's name in the public text
    names = set(Question.objects.values_list("asker__display_name", flat=True))
    assert not any(n in e.body for e in KnowledgeEntry.objects.all()[:300] for n in names if n)
