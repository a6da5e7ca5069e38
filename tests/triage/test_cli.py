"""`gongzhi triage …` as an operator or a benchmark script runs it."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongzhi.triage.models import TriageModel

from .corpus import write_csv


def run(*args) -> dict | list:
    out = StringIO()
    call_command("triage", *args, stdout=out)
    return json.loads(out.getvalue())


def test_evaluate_prints_the_figures(corpus_csv):
    result = run(
        "evaluate", "--data", corpus_csv, "--text-cols", "title,detail",
        "--label-col", "label", "--folds", "3", "--seed", "1",
    )  # fmt: skip
    assert set(result) >= {"accuracy", "macro_f1", "per_class_f1", "latency", "training_seconds"}
    assert set(result["per_class_f1"]) == {"城乡建设", "环境保护", "劳动和社会保障", "教育文体"}
    assert result["macro_f1"] > 0.8
    assert result["latency"]["p99_ms"] >= result["latency"]["p50_ms"] > 0


def test_evaluate_names_a_missing_column(corpus_csv):
    with pytest.raises(CommandError, match="missing columns"):
        run("evaluate", "--data", corpus_csv, "--text-cols", "title,body", "--label-col", "label")


def test_evaluate_rejects_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("evaluate", "--data", str(tmp_path / "nope.csv"))


@pytest.mark.django_db
def test_train_records_a_version_that_classify_uses(corpus_csv):
    trained = run("train", "--data", corpus_csv, "--no-holdout")
    row = TriageModel.objects.get(version=trained["version"])
    assert row.is_active and row.n_train == 150 and row.source.startswith("csv:")
    assert row.label_counts["环境保护"] == 30
    result = run("classify", "夜间施工噪音扰民", "工地半夜还在施工")
    assert result["model_version"] == row.version
    assert result["predictions"][0]["label"] == "环境保护"


@pytest.mark.django_db
def test_a_new_model_is_picked_up_without_a_restart(tmp_path, corpus):
    first = run("train", "--data", write_csv(tmp_path / "a.csv", corpus), "--no-holdout")
    assert run("classify", "餐馆油烟扰民")["model_version"] == first["version"]
    # A second training run (as from another process) activates a new version.
    second = run("train", "--data", write_csv(tmp_path / "b.csv", corpus[:-5]), "--no-holdout")
    assert second["version"] != first["version"]
    assert run("classify", "餐馆油烟扰民")["model_version"] == second["version"]
    assert TriageModel.objects.filter(is_active=True).count() == 1
    # …and an older one can be put back.
    run("activate", first["version"])
    assert run("classify", "餐馆油烟扰民")["model_version"] == first["version"]


@pytest.mark.django_db
def test_train_with_holdout_records_metrics(corpus_csv):
    trained = run("train", "--data", corpus_csv)
    assert trained["metrics"]["holdout"] == "grouped 3-fold"
    assert 0 <= trained["metrics"]["macro_f1"] <= 1
    assert trained["metrics"]["coverage"]["85%"]["n"] == 128  # of 150


@pytest.mark.django_db
def test_classify_without_a_model_says_what_to_do():
    with pytest.raises(CommandError, match="triage train"):
        run("classify", "路灯不亮")


@pytest.mark.django_db
def test_train_refuses_too_little_data(tmp_path, corpus):
    tiny = write_csv(tmp_path / "tiny.csv", corpus[:4])
    with pytest.raises(CommandError):
        run("train", "--data", tiny)
    assert not TriageModel.objects.exists()


def test_hotspots_prints_place_and_problem(tmp_path):
    rows = [
        {"留言编号": str(i), "留言用户": f"U{i}", "留言主题": "A2区丽发新城小区附近搅拌站噪音扰民",
         "留言时间": f"2019/11/{i + 1:02d} 10:00:00", "留言详情": "丽发新城小区旁搅拌站日夜施工，噪音粉尘严重。",
         "反对数": "0", "点赞数": str(i)}
        for i in range(6)
    ] + [
        {"留言编号": "99", "留言用户": "U99", "留言主题": "咨询社保转移", "留言时间": "2019/11/03 09:00:00",
         "留言详情": "社保怎么转移", "反对数": "0", "点赞数": "0"}
    ]  # fmt: skip
    cols = ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数")
    top = run("hotspots", "--data", write_csv(tmp_path / "hot.csv", rows, cols), "--top", "5")
    assert len(top) == 1
    assert top[0]["place"] == "丽发新城小区"
    assert "搅拌站" in top[0]["problem"]
    assert top[0]["reports"] == 6 and top[0]["reporters"] == 6 and top[0]["supports"] == 15


def test_hotspots_on_teddy_messages(teddy, tmp_path):
    # The first 1,500 messages keep the test quick; bench/triage.py runs the whole file.
    lines = (teddy / "hot_messages.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    subset = tmp_path / "hot.csv"
    subset.write_text("".join(lines[:1500]), encoding="utf-8")
    top = run("hotspots", "--data", str(subset), "--top", "5")
    assert len(top) == 5
    assert all(h["place"] and h["problem"] for h in top)
    assert [h["heat"] for h in top] == sorted((h["heat"] for h in top), reverse=True)
