"""Seed the standard questionnaire (平安建设 style): two five-point scales and six questions,
three on the sense of safety and three on satisfaction. Rows an administrator may edit."""

from django.db import migrations

SCALES = {
    "safety5": (
        "安全感五级量表",
        [
            ("很安全", 100, True, "#15803d"),
            ("安全", 80, True, "#22c55e"),
            ("基本安全", 60, True, "#84cc16"),
            ("不太安全", 40, False, "#f59e0b"),
            ("不安全", 0, False, "#dc2626"),
            ("说不清", None, False, "#9ca3af"),
        ],
    ),
    "satisfaction5": (
        "满意度五级量表",
        [
            ("很满意", 100, True, "#15803d"),
            ("满意", 80, True, "#22c55e"),
            ("基本满意", 60, True, "#84cc16"),
            ("不太满意", 40, False, "#f59e0b"),
            ("不满意", 0, False, "#dc2626"),
            ("不了解", None, False, "#9ca3af"),
        ],
    ),
}

QUESTIONS = [
    ("您觉得您所在的地区总体上安全吗？", "safety5", "safety"),
    ("您晚上独自外出时觉得安全吗？", "safety5", "safety"),
    ("您觉得您和家人的财产安全吗？", "safety5", "safety"),
    ("您对当地公安机关（派出所）的工作满意吗？", "satisfaction5", "satisfaction"),
    ("您对当地社会治安综合治理（综治）工作满意吗？", "satisfaction5", "satisfaction"),
    ("您对网格员的服务满意吗？", "satisfaction5", "satisfaction"),
]

CODE = "pingan-standard"


def seed(apps, schema_editor):
    Scale = apps.get_model("surveys", "Scale")
    ScaleOption = apps.get_model("surveys", "ScaleOption")
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Question = apps.get_model("surveys", "Question")
    scales = {}
    for order, (code, (name, options)) in enumerate(SCALES.items(), start=1):
        scale, made = Scale.objects.get_or_create(
            code=code, defaults={"name": name, "order": order * 10}
        )
        if made:
            for i, (label, score, positive, colour) in enumerate(options, start=1):
                ScaleOption.objects.create(
                    scale=scale,
                    order=i * 10,
                    label=label,
                    score=score,
                    positive=positive,
                    colour=colour,
                )
        scales[code] = scale
    questionnaire, made = Questionnaire.objects.get_or_create(
        code=CODE,
        defaults={
            "name": "群众安全感和满意度调查（标准问卷）",
            "kind": "both",
            "order": 10,
            "introduction": (
                "您好！我们正在开展群众安全感和满意度调查，耽误您两分钟时间，"
                "您的回答将严格保密，仅用于改进平安建设工作。"
            ),
        },
    )
    if made:
        for i, (text, scale, measure) in enumerate(QUESTIONS, start=1):
            Question.objects.create(
                questionnaire=questionnaire,
                order=i * 10,
                text=text,
                scale=scales[scale],
                measure=measure,
            )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
