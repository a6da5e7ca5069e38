from gongzhi.demo import questions as demo_questions
from gongzhi.taxonomy.models import CategoryAttribute, CategoryAttributeValue


def test_the_demo_questions_load_once_and_keep_an_administrators_edits(db):
    first = demo_questions.load()
    assert first["questions"] >= 5 and first["values"] >= 10
    CategoryAttribute.objects.filter(code="manhole_state").update(description="井盖怎么了？")
    assert demo_questions.load() == {"questions": 0, "values": 0}
    assert CategoryAttribute.objects.get(code="manhole_state").description == "井盖怎么了？"
    assert CategoryAttributeValue.objects.filter(attribute__code="waste").count() == 4
